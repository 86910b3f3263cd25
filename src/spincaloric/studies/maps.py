"""Switching maps: dynamics over a grid of any numeric device-file parameters, resumable.

Every grid point is one deterministic (or seeded stochastic) run of the device's dynamics;
points that differ only in drives and magnet parameters run together as one ensemble
(:func:`batched`); points are grouped in chunks that run in-process, on a local dask cluster (``workers``) or on an
existing dask.distributed scheduler (``scheduler``). Each finished chunk is saved at once beside
the output (``OUTPUT.chunks/``), so an interrupted map resumes where it stopped
(``resume=True``, with any chunk size): nothing computed is lost or redone. The final netCDF
file is written atomically and carries a hash of the description; a different description
never overwrites it.

Parameters are addressed by their path in the device file: ``drives.free.temperature.peak``,
``nodes.free.magnet.damping`` (or ``free.magnet.damping``), ``layers.free.magnet.damping``,
``nodes.right.voltage``, ``contacts[1].conductance`` (:func:`resolve_key`).
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np

from ..circuit.device import DeviceError
from ..errors import DynamicsError, FieldError, Interrupted, at_point
from ..files import (
    FORMAT_ATTRIBUTE,
    FORMAT_VERSION,
    atomic_write,
    dataset_suffix_problem,
    output_problem,
)
from ..io.paths import describe_key, full_path, resolve_key, set_path, unit_of
from ..validation import real, require
from .sweep import check_layer_key, checked_axes


def canonical(value):
    """``value`` (nested dicts, lists, numbers) with every real number rounded to 12
    significant digits and whole numbers as integers: 6e-9 s written as ``6ns``
    (6.000000000000001e-09 when computed as 6 × 10⁻⁹) or ``6e-9``, and 40 K written as ``40`` or
    ``40.0``, describe the same map. Integers (seeds, counts) are kept exactly."""
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [canonical(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        x = float(f"{float(value):.12g}")
        return int(x) if x.is_integer() and abs(x) < 1e15 else x
    return value


def description_hash(data: dict, axes, until: float, run_kw: dict) -> str:
    """A stable hash of everything that determines the map's values (its numbers compared
    to 12 significant digits, see :func:`canonical`; a key's short and full spellings,
    ``free.magnet.damping`` and ``nodes.free.magnet.damping``, alike)."""
    axes = [(full_path(data, k), list(v)) for k, v in axes]
    blob = json.dumps(canonical({"device": data, "axes": axes,
                                 "until": until, "run": run_kw}), sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _at_point(err, keys, point):
    """The error ``err`` (a :class:`~spincaloric.errors.FieldError`) of one grid point, its
    reason prefixed with the point's coordinates (:func:`~spincaloric.errors.at_point`)."""
    return at_point(err, list(zip(keys, point)), "at the grid point")


def evaluate_points(data: dict, keys: list[str], points: list[tuple], until: float,
                    run_kw: dict, first: int = 0, trajectories: int = 1) -> dict:
    """Run the dynamics at each point (values for ``keys``; ``first``: the index of the
    first in the map's grid, row-major), ``trajectories`` N trajectories each; returns arrays
    by quantity (:func:`_point_results`): ``switched`` (P, k) the number of trajectories
    that switched, ``switching_time`` (P, k) s, ``final_m`` (P, k, 3). Runs in workers.

    Points that share their device — they differ only in their drives and dynamic magnets'
    parameters (:func:`batched`) — run together: the device is built once and its points
    run as one ensemble of trajectories, each with its own drives and magnets; a map that
    also varies the device builds it once per distinct value of those parameters. The Joule
    heat carried by a drive follows the point's drives either way. With thermal noise or starts,
    trajectory i of grid point p draws the stream of trajectory p N + i of the run's seed,
    whichever way it runs and however the map is cut into tasks."""
    points = [tuple(p) for p in points]
    groups = (device_groups(data, keys, points) if batched(data, keys, run_kw)
              else [[p] for p in range(len(points))])
    out = None
    for group in groups:
        part = _evaluate_group(data, keys, [points[p] for p in group], until, run_kw,
                               [first + p for p in group], trajectories)
        if out is None:
            out = {"names": part["names"], **{key: np.zeros((len(points),) + v.shape[1:],
                                                            v.dtype)
                                              for key, v in part.items() if key != "names"}}
        for key, v in part.items():
            if key != "names":
                out[key][group] = v
    return out


def device_groups(data: dict, keys: list[str], points) -> list[list[int]]:
    """The indices of ``points`` grouped by the values of the keys that change the device
    (not a drive's or a dynamic magnet's): the points of a group share their device."""
    device_keys = [j for j, key in enumerate(keys) if not _dynamic(data, key)]
    groups: dict[tuple, list[int]] = {}
    for p, values in enumerate(points):
        groups.setdefault(tuple(float(values[j]) for j in device_keys), []).append(p)
    return list(groups.values())


def _evaluate_group(data: dict, keys: list[str], points: list[tuple], until: float,
                    run_kw: dict, index: list[int], n: int) -> dict:
    """:func:`evaluate_points` of ``points`` that share a device (grid indices ``index``):
    one ensemble run of n trajectories per point, or each point alone when its run stores
    heat (one deterministic run each) or there is one point."""
    specs = _point_specs(data, keys, points)
    method = run_kw.get("method") or ("heun" if run_kw.get("temperature_noise") else "rk45")
    if method == "rk45":  # it chooses its own steps: a dt (of the file's noisy runs) unused
        run_kw = {k: v for k, v in run_kw.items() if k != "dt"}
    circuit = specs[0].device.finalize()  # the same device at every point
    sims = [spec.simulation_for(circuit, until)[0] for spec in specs]
    if len(sims) == 1 or sims[0].transient:
        parts = []
        for p, sim in enumerate(sims):
            try:
                parts.append(_point_results(sim.run(until, first_trajectory=index[p] * n,
                                                    ensemble=n, **run_kw), n))
            except DynamicsError as err:
                raise _at_point(err, keys, points[p]) from None
        return {key: (parts[0][key] if key == "names" else
                      np.concatenate([part[key] for part in parts]))
                for key in parts[0]}
    params = {name: {f: np.repeat(v, n, axis=0) for f, v in fields.items()}
              for name, fields in _magnet_variation(specs).items()}
    streams = np.array([i * n + j for i in index for j in range(n)], np.int64)
    try:
        traj = sims[0].run(until, ensemble=len(sims) * n,
                           drives=[s.drives for s in sims for _ in range(n)],
                           parameters=params, first_trajectory=streams, **run_kw)
    except DynamicsError as err:  # a step too large for one point: name the point
        if getattr(err, "trajectory", None) is None:
            raise
        raise _at_point(err, keys, points[err.trajectory // n]) from None
    return _point_results(traj, n)


#: run settings under which the points of a map can share one ensemble run
_SHARED_SETTINGS = {"method", "dt", "n_save", "rtol", "atol", "max_step", "seed",
                    "temperature_noise", "thermal_start"}


def batched(data: dict, keys: list[str], run_kw: dict) -> bool:
    """Whether the map's points run as ensembles: the run settings are one trajectory's and
    some parameter varied is a drive's or a dynamic magnet's (the points that agree in the
    others share their device)."""
    return set(run_kw) <= _SHARED_SETTINGS and any(_dynamic(data, key) for key in keys)


def _dynamic(data: dict, key: str) -> bool:
    """Whether ``key`` is a drive's or a dynamic magnet's parameter (not the device's)."""
    path = resolve_key(data, key)
    return path[0] == "drives" or (path[0] in ("nodes", "layers") and len(path) > 3
                                   and path[2] == "magnet")


def _magnet_variation(specs) -> dict:
    """{magnet: {field: values (P,) or (P, 3)}} of the MagnetParameters fields that differ
    between the points' device descriptions ``specs`` (SI units of MagnetParameters)."""
    from dataclasses import fields

    out = {}
    for name in specs[0].magnets:
        for f in fields(specs[0].magnets[name]):
            values = np.array([getattr(spec.magnets[name], f.name) for spec in specs], float)
            if np.any(values != values[:1]):
                out.setdefault(name, {})[f.name] = values
    return out


def _point_results(traj, per: int) -> dict:
    """{switched (P, k), switching_time (P, k) s, final_m (P, k, 3), dt (P,) s (the fixed
    step; NaN for adaptive steps), unsettled (P, k) (the trajectories that end between −0.5
    and 0.5 of the easy axis, Trajectory.unsettled), names} of the points
    whose trajectories are consecutive runs of ``per`` in ``traj``: one trajectory's
    switched (0 or 1), switching time and final m, or of ``per`` > 1 the number that
    switched, the median switching time of those (NaN: none) and the mean final m."""
    sw, unsettled = traj.switching(), traj.unsettled()
    names = list(traj.names)
    n = len(traj.m) // per
    out = {"names": names, "switched": np.zeros((n, len(names)), np.int64),
           "switching_time": np.full((n, len(names)), np.nan),
           "final_m": np.zeros((n, len(names), 3)),
           "dt": np.full(n, float(traj.settings.get("dt", np.nan))),
           "unsettled": np.stack([unsettled[name].reshape(n, per).sum(axis=1)
                                  for name in names], axis=1)}
    for j, name in enumerate(names):
        switched = sw[name].switched.reshape(n, per)
        times = np.where(switched, sw[name].time.reshape(n, per), np.nan)
        out["switched"][:, j] = switched.sum(axis=1)
        some = switched.any(axis=1)
        out["switching_time"][some, j] = np.nanmedian(times[some], axis=1)
        out["final_m"][:, j] = traj.magnetization(name)[:, -1].reshape(n, per, 3).mean(axis=1)
    return out


def switching_map(data: dict, axes: list[tuple[str, np.ndarray]], until: float, output,
                  *, chunk: int | None = None, workers: int | None = None,
                  scheduler: str | None = None,
                  resume: bool = False, progress: bool = False, run_kw: dict | None = None,
                  trajectories: int | None = None, overwrite: bool = False):
    """Compute (or finish) a switching map and write it to ``output`` (netCDF, or a zarr
    store for a name ending in .zarr).

    data : the parsed device file (:func:`~spincaloric.io.read_toml`) or its path; axes :
    [(device-file path, values)] or {path: values}; until : s.
    trajectories : N noisy trajectories at every point (with ``temperature_noise``): the map
        holds each point's switching probability with its Clopper–Pearson 95 % interval,
        the median switching time of those that switched and the mean final m.
    chunk : points per task (default :func:`default_chunk`); workers : start a local dask
        cluster of this many processes;
    scheduler : address of an existing dask.distributed scheduler; progress : report the
    finished chunks on stderr (:mod:`spincaloric.progress`); run_kw : keywords of
    :meth:`~spincaloric.dynamics.simulation.Simulation.run` (default: the file's
    ``[simulation]`` settings, as ``spincaloric map`` takes them). Returns the Dataset.
    trajectories default to ``run_kw``'s ``ensemble`` (``[simulation] ensemble``), else 1.
    An existing ``output`` that holds this map is read, not computed again; one that holds
    anything else is refused unless ``overwrite`` (then the map is computed, with the chunks
    of an unfinished run of it, and replaces the file when complete).
    """
    data, axes, until = _map_inputs(data, axes, until)
    if run_kw is None:
        from ..io.devicefile import spec_from_dict

        run_kw = spec_from_dict(data).run_options()
    run_kw = dict(run_kw)
    # the trajectories of a point are this argument, or the settings' ensemble
    ensemble = run_kw.pop("ensemble", 1)
    trajectories = ensemble if trajectories is None else trajectories
    output = Path(output)
    # its existence is judged below
    problem = output_problem(output, overwrite=True) or dataset_suffix_problem(output)
    if problem is not None:
        raise DeviceError("output", problem)
    _check_cluster(workers, scheduler)
    keys = [k for k, _ in axes]
    for key in keys:  # fail early, with the field, on a wrong path
        if key.split(".")[0] == "simulation":
            raise DeviceError(f"vary.{key}", "run settings are not map parameters: set them "
                              "in [simulation] or on the command line")
        if key.rsplit(".", 1)[-1] == "cells":
            raise DeviceError(f"vary.{key}", "the number of cells renumbers the layer's "
                              "vertices, and a contact written to a vertex (LAYER_i) would keep "
                              "its name but not its place: one device file per discretisation")
        check_layer_key(data, key)  # a length moves the contacts on its vertices: said
        set_path(copy.deepcopy(data), key, 0.0)
    _refuse_repeated(data, keys)
    if not (np.isfinite(until) and until > 0):
        raise DeviceError("until", f"must be a positive time (s), got {until!r}")
    _check_trajectories(trajectories, run_kw)
    # the same description as before for one trajectory per point
    digest = description_hash(data, axes, until, run_kw if trajectories == 1 else
                              {**run_kw, "trajectories": trajectories})
    from ..io.devicefile import load_dataset

    if output.exists() and not overwrite:
        try:
            old_digest = load_dataset(output).attrs.get("description_hash")
        except (OSError, ValueError):
            old_digest = None
        if old_digest != digest:
            raise DeviceError("output", f"{output} exists and holds a different map (of "
                              "another device, grid, run settings or trajectories) or another "
                              "file; remove it, choose another name or pass overwrite=True")
        return load_dataset(output)
    store = output.with_name(output.name + ".chunks")
    manifest = store / "description.json"
    stale = False  # the output's store holds chunks of another map (replaced when overwriting)
    if store.exists():
        recorded = json.loads(manifest.read_text()).get("hash") if manifest.exists() else None
        stale = recorded != digest
        if stale and not overwrite:
            raise DeviceError("output", f"{store} holds chunks of a different map (of "
                              "another device, grid, run settings or trajectories); remove it "
                              "(or --overwrite)")
        if not stale and not (resume or overwrite):
            raise DeviceError("resume", f"{store} holds an unfinished map: pass --resume to "
                              "continue it, or remove it")
    grids = np.meshgrid(*[v for _, v in axes], indexing="ij")
    points = np.stack([g.ravel() for g in grids], -1)
    # a bad value fails here, before anything is written
    _check_points(data, keys, points)
    if stale:
        shutil.rmtree(store)
    created = not store.exists()
    store.mkdir(parents=True, exist_ok=True)
    manifest.write_text(json.dumps({"hash": digest, "axes": keys}))
    with _store_kept_if_useful(store, created):
        return _compute(store, output, data, keys, points, axes, until, run_kw, digest, chunk,
                        workers, scheduler, progress, trajectories)


@contextlib.contextmanager
def _store_kept_if_useful(store, created: bool):
    """Remove a chunk store this map ``created`` when the map stops on bad input at a later
    point (it cannot go on as described) or before any chunk was computed (it would block
    the next attempt); an interrupted map keeps its chunks for ``--resume``."""
    try:
        yield
    except FieldError:
        if created:
            shutil.rmtree(store, ignore_errors=True)
        raise
    except BaseException:
        if created and not any(store.glob("chunk_*.npz")):
            shutil.rmtree(store, ignore_errors=True)
        raise


def _map_inputs(data, axes, until):
    """(device-file dict, [(key, values (V,))], until s) from what the API accepts: a path
    or the parsed file, a list of pairs or a mapping, a time in seconds; a DeviceError names
    what is not."""
    from ..io.devicefile import device_data

    data = device_data(data)
    pairs = checked_axes(axes, "axes")
    until = real(until, "until", "s", error=DeviceError)
    return data, pairs, until


def _check_cluster(workers, scheduler) -> None:
    """A local cluster of ``workers`` processes or a running ``scheduler``'s, not both, and
    dask.distributed installed for either."""
    if workers and scheduler:
        raise DeviceError("workers", f"starts a local cluster of {workers} processes; the map "
                          f"runs on the scheduler {scheduler} instead: give one of the two")
    if workers or scheduler:
        require("distributed", "scheduler" if scheduler else "workers")


def _check_trajectories(trajectories, run_kw: dict) -> None:
    """Several trajectories per point only differ by their thermal noise or starts."""
    if (isinstance(trajectories, bool) or not isinstance(trajectories, (int, np.integer))
            or trajectories < 1):
        raise DeviceError("trajectories", f"must be a whole number ≥ 1, got {trajectories!r}")
    if trajectories > 1 and not (run_kw.get("temperature_noise")
                                 or run_kw.get("thermal_start")):
        raise DeviceError("trajectories", "several trajectories per point differ "
                          "only by their thermal noise or starts: switch one on "
                          "(--temperature-noise or --thermal-start, or temperature_noise / "
                          "thermal_start = true in [simulation]), or one trajectory per point")


def _refuse_repeated(data: dict, keys: list[str]) -> None:
    """A parameter varied twice (under one name or two) would be two dimensions of one value."""
    seen = {}
    for key in keys:
        full = full_path(data, key)
        if full in seen:
            also = "" if seen[full] == key else f" (as {seen[full]})"
            raise DeviceError(f"vary.{key}", f"varied twice{also}: each parameter may be "
                              "varied once")
        seen[full] = key


def _point_specs(data: dict, keys: list[str], points) -> list:
    """The device description (DeviceSpec) of every point of one device
    (:func:`device_groups`): the first point's device serves them all, the others read only
    their drives and magnets (:func:`~spincaloric.io.devicefile.dynamics_from_dict`)."""
    from ..io.devicefile import dynamics_from_dict, spec_from_dict

    specs = []
    for values in points:
        d = copy.deepcopy(data)
        for key, value in zip(keys, values):
            set_path(d, key, float(value))
        specs.append(dynamics_from_dict(d, specs[0]) if specs else spec_from_dict(d))
    return specs


def _check_points(data: dict, keys: list[str], points: np.ndarray) -> None:
    """Build the device description of every grid point (no dynamics): a value the device
    file cannot take is a DeviceError naming its field before the map starts. Each device
    (:func:`device_groups`) is built and finalized once."""
    for group in device_groups(data, keys, points):
        specs = _point_specs(data, keys, [points[p] for p in group])
        specs[0].device.finalize()


def default_chunk(n_points: int, workers: int | None = None, together: bool = False,
                  trajectories: int = 1) -> int:
    """Points per task when none is given: at most 16 trajectories' worth (1024 when the
    points of a task run together as one ensemble, :func:`batched`: enough lanes for every
    thread), and few enough that every worker gets about four tasks and progress is
    reported about every 5 % of the map."""
    cap = max(1, (1024 if together else 16) // trajectories)
    return max(1, min(cap, -(-n_points // (4 * (workers or 1))), -(-n_points // 20)))


def _stored_chunks(store) -> dict[int, int]:
    """{first grid point: number of points} of the chunks finished in ``store`` (a corrupt
    chunk file is removed, its points computed again). A chunk holds
    consecutive points (row-major order of the grid) and is named by its first one, so what is
    done does not depend on the chunk size of the run that computed it."""
    found = {}
    for path in store.glob("chunk_*.npz"):
        try:
            with np.load(path) as f:
                found[int(path.stem.removeprefix("chunk_"))] = len(f["switched"])
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
            path.unlink()  # corrupt after it was written (chunks are written whole): redone
    return found


def _missing_runs(done: dict[int, int], n_points: int, chunk: int) -> list[tuple[int, int]]:
    """[(first, stop)]: the grid points not in ``done``, in runs of at most ``chunk``."""
    covered = np.zeros(n_points, bool)
    for first, n in done.items():
        covered[first:first + n] = True
    runs, i = [], 0
    while i < n_points:
        if covered[i]:
            i += 1
            continue
        stop = i + 1
        while stop < min(n_points, i + chunk) and not covered[stop]:
            stop += 1
        runs.append((i, stop))
        i = stop
    return runs


def _run_chunks(todo, save, bar, data, keys, until, run_kw, trajectories, workers, scheduler):
    """Evaluate the chunks ``todo`` [(first point, points)] in this process or on a dask
    cluster, each saved (``save``) as it finishes; ``bar`` a Progress or None."""
    if workers or scheduler:
        from dask.distributed import Client, as_completed

        cluster = None if scheduler else _local_cluster(workers)
        client = Client(scheduler or cluster)
        try:
            futures = {client.submit(evaluate_points, data, keys, [tuple(p) for p in pts],
                                     until, run_kw, i, trajectories, pure=False): i
                       for i, pts in todo}
            for fut in as_completed(futures):
                save(futures[fut], fut.result())
                if bar is not None:
                    bar.update(1)
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    else:
        for i, pts in todo:
            save(i, evaluate_points(data, keys, [tuple(p) for p in pts], until, run_kw, i,
                                    trajectories))
            if bar is not None:
                bar.update(1)


def _compute(store, output, data, keys, points, axes, until, run_kw, digest, chunk, workers,
             scheduler, progress, trajectories):
    """Run the chunks not yet in ``store`` and assemble the map (see :func:`switching_map`)."""
    done = _stored_chunks(store)
    chunk = chunk or default_chunk(len(points), workers, batched(data, keys, run_kw),
                                   trajectories)
    todo = [(i, points[i:j]) for i, j in _missing_runs(done, len(points), chunk)]
    tasks = sorted([*done.items(), *((i, len(pts)) for i, pts in todo)])

    saved = [sum(done.values())]  # grid points whose chunks are in the store

    def save(i, result):
        def write(tmp):
            with open(tmp, "wb") as f:
                np.savez(f, switched=result["switched"], switching_time=result["switching_time"],
                         final_m=result["final_m"], dt=result["dt"],
                         unsettled=result["unsettled"], names=np.array(result["names"]))

        atomic_write(store / f"chunk_{i:08d}.npz", write)  # a chunk is either whole or absent
        saved[0] += len(result["switched"])

    bar = None
    if progress:
        from ..progress import Progress

        bar = Progress("map", len(tasks), f"{len(points)} points in {len(tasks)} chunks",
                       initial=len(tasks) - len(todo))
    try:
        _run_chunks(todo, save, bar, data, keys, until, run_kw, trajectories, workers,
                    scheduler)
    except KeyboardInterrupt as err:  # the finished chunks stay for --resume
        raise Interrupted(store, saved[0], len(points), "points") from err
    finally:
        if bar is not None:
            bar.close()
    try:  # the chunks are all in the store: a Ctrl-C now leaves them for --resume too
        return _assemble(store, tasks, output, data, keys, axes, until, run_kw, digest,
                         trajectories)
    except KeyboardInterrupt as err:
        raise Interrupted(store, saved[0], len(points), "points") from err


def _assemble(store, tasks, output, data, keys, axes, until, run_kw, digest, trajectories):
    """The map from the chunks of ``store``, written to ``output``, then the store removed."""
    import xarray as xr

    from ..io.devicefile import save_dataset

    parts = [np.load(store / f"chunk_{i:08d}.npz") for i, _ in tasks]
    names = [str(x) for x in parts[0]["names"]]
    shape = tuple(len(v) for _, v in axes)

    def gather(name):
        return np.concatenate([p[name] for p in parts]).reshape(shape + parts[0][name].shape[1:])

    ds = xr.Dataset(coords={k: (k, v, {"units": unit_of(k), "long_name": describe_key(data, k)})
                            for k, v in axes})
    ds = ds.assign_coords(magnet=("magnet", names, {"long_name": "dynamic magnet (node)"}),
                          component=("component", ["x", "y", "z"],
                                     {"long_name": "Cartesian component"}))
    one = trajectories == 1
    if one:
        ds["switched"] = (keys + ["magnet"], gather("switched").astype(np.int8),
                          {"units": "1", "long_name": "switched (1) or not (0)"})
    else:
        _probabilities(ds, keys, gather("switched"), trajectories)
    ds["switching_time"] = (keys + ["magnet"], gather("switching_time"), {
        "units": "s", "long_name": "switching time (NaN: none)" if one else
        "median switching time of the trajectories that switched (NaN: none)"})
    ds["final_m"] = (keys + ["magnet", "component"], gather("final_m"),
                     {"units": "1", "long_name": "final magnetization" if one
                      else "mean final magnetization"})
    # the run's settings, as a trajectory file keeps them (netCDF attributes: no booleans)
    settings = {k: int(v) if isinstance(v, bool) else v for k, v in run_kw.items()
                if isinstance(v, (bool, int, float, str))}
    settings.pop("n_save", None)  # a map keeps no saved states
    settings.pop("dt", None)  # the step of every point is a variable (a default may differ)
    if run_kw.get("temperature_noise") or run_kw.get("thermal_start"):  # fixes the draws
        settings.setdefault("seed", 0)
    else:
        settings.pop("seed", None)
    if not run_kw.get("thermal_start"):  # as a trajectory file: only when on
        settings.pop("thermal_start", None)
    if all("unsettled" in p for p in parts):  # (chunks of a map begun before lack it)
        ds["unsettled_trajectories"] = (keys + ["magnet"], gather("unsettled").astype(np.int64),
                                        {"units": "1", "long_name": "trajectories that end "
                                         "between −0.5 and 0.5 of the easy axis (undecided)"})
    if all("dt" in p for p in parts) and np.isfinite(gather("dt")).all():
        ds["dt"] = (keys, gather("dt"), {"units": "s", "long_name": "fixed integration step"})
    if "temperature" not in keys:  # the device's T0 (K), for the record and plots
        settings["temperature"] = float(data["temperature"])
    ds.attrs.update(description_hash=digest, until=until, title=data.get("title", ""),
                    trajectories=int(trajectories), **settings,
                    **{FORMAT_ATTRIBUTE: FORMAT_VERSION})
    save_dataset(ds, output)
    shutil.rmtree(store)
    return ds


def _local_cluster(workers: int):
    """A dask LocalCluster of ``workers`` processes that ignore Ctrl-C (SIGINT is ignored while
    they start, which they inherit): an interrupted map stops in this process, which closes
    them, instead of every worker printing its own traceback."""
    import logging
    import signal

    from dask.distributed import LocalCluster

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        # no dashboard; the scheduler's HTTP server (health checks) on a free port, not on
        # 8787 (which another cluster may hold: distributed warns and moves it)
        # the workers' own logs at ERROR: an interrupted map cancels their tasks, and each
        # said so in a WARNING line ("... ended with CancelledError") before our one line
        return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                             dashboard_address=None, silence_logs=logging.ERROR,
                             scheduler_kwargs={"dashboard_address": "127.0.0.1:0"})
    finally:
        signal.signal(signal.SIGINT, previous)


def _probabilities(ds, keys: list[str], switched: np.ndarray, n: int) -> None:
    """The switching probability of every point, from the number of its ``n`` trajectories
    that switched, with its Clopper–Pearson 95 % interval (dimension ``bound``: low, high)."""
    from ..dynamics.switching import clopper_pearson

    low, high = clopper_pearson(switched, n)
    ds["switched_trajectories"] = (keys + ["magnet"], switched.astype(np.int64),
                                   {"units": "1", "long_name": f"trajectories (of {n}) that "
                                    "switched"})
    ds["switching_probability"] = (keys + ["magnet"], switched / n,
                                   {"units": "1", "long_name": "switching probability"})
    ds["switching_probability_interval"] = (
        keys + ["magnet", "bound"], np.stack([low, high], -1),
        {"units": "1", "long_name": "Clopper–Pearson 95 % interval of the switching "
         "probability"})
    ds.coords["bound"] = ("bound", ["low", "high"], {"long_name": "bound of the interval"})
