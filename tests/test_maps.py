"""Switching maps: equal to direct runs, resumable after SIGKILL/SIGINT, safe outputs, dask."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from processes import interruptible
from spincaloric.circuit.device import DeviceError
from spincaloric.dynamics.simulation import Simulation
from spincaloric.io import load_spec, read_toml
from spincaloric.studies.maps import batched, switching_map

xr = pytest.importorskip("xarray")
PILLAR = Path(__file__).parent.parent / "examples" / "devices" / "thermal_switching_pillar.toml"
AXES = [("drives.free.temperature.peak", np.array([20.0, 45.0])),
        ("drives.free.temperature.decay", np.array([1e-9, 3e-9]))]
RUN = {"n_save": 81}


def direct_run(peak, decay, run_kw, until=6e-9):
    """The pillar's own run to ``until`` (s) with its laser pulse at ``peak`` (K) and
    ``decay`` (s)."""
    from spincaloric.dynamics.drives import LaserPulse

    spec = load_spec(PILLAR)
    laser = LaserPulse(peak=peak, start=0.1e-9, rise=0.05e-9, decay=decay)
    sim = Simulation(spec.device.finalize(), spec.magnets, {("free", "temperature"): laser})
    return sim.run(until, **run_kw)


def test_map_equals_direct_runs(tmp_path):
    data = read_toml(PILLAR)
    ds = switching_map(data, AXES, 6e-9, tmp_path / "m.nc", chunk=3, run_kw=RUN)
    assert ds["switched"].dims == ("drives.free.temperature.peak",
                                   "drives.free.temperature.decay", "magnet")
    for i, peak in enumerate(AXES[0][1]):
        for j, decay in enumerate(AXES[1][1]):
            sw = direct_run(peak, decay, RUN).switching()["free"]
            assert bool(ds["switched"].values[i, j, 0]) == bool(sw.switched[0])
            np.testing.assert_equal(ds["switching_time"].values[i, j, 0], sw.time[0])
    assert ds["switched"].values.any() and not ds["switched"].values.all()
    assert not (tmp_path / "m.nc.chunks").exists()


def test_points_that_differ_only_in_drives_run_as_one_ensemble(tmp_path):
    """A map whose axes are drives' parameters runs a task's points as one ensemble (the lane
    kernel here: 12 trajectories), each equal to the point's own run."""
    data = read_toml(PILLAR)
    run = {"n_save": 81, "method": "rk4", "dt": 2e-12}
    axes = [("drives.free.temperature.peak", np.array([20.0, 30.0, 45.0, 60.0])),
            ("drives.free.temperature.decay", np.array([1e-9, 2e-9, 3e-9]))]
    keys = [k for k, _ in axes]
    assert batched(data, keys, run) and batched(data, ["free.magnet.damping"], run)
    assert batched(data, keys, {**run, "temperature_noise": True})
    # the device changes: rebuilt at every point
    assert not batched(data, ["free.magnetization.theta"], run)
    assert not batched(data, ["contacts[0].conductance_per_area"], run)
    assert not batched(data, keys, {**run, "ensemble": 4})
    ds = switching_map(data, axes, 6e-9, tmp_path / "m.nc", chunk=12, run_kw=run)
    for i, peak in enumerate(axes[0][1]):
        for j, decay in enumerate(axes[1][1]):
            traj = direct_run(peak, decay, run)
            sw = traj.switching()["free"]
            assert bool(ds["switched"].values[i, j, 0]) == bool(sw.switched[0])
            np.testing.assert_allclose(ds["switching_time"].values[i, j, 0], sw.time[0],
                                       rtol=0, atol=1e-20)
            np.testing.assert_allclose(ds["final_m"].values[i, j, 0], traj.m[0, -1, 0],
                                       rtol=0, atol=1e-12)
    assert ds["switched"].values.any() and not ds["switched"].values.all()


def test_noisy_points_with_their_own_magnets_run_as_alone_whatever_the_tasks(tmp_path):
    """Damping × peak ΔT with thermal noise: grid point p draws trajectory p's stream of the
    seed, in one 9-lane ensemble, in tasks of two points (the scalar kernel) and alone."""
    import copy

    from spincaloric.io.devicefile import spec_from_dict
    from spincaloric.io.paths import set_path

    data = read_toml(PILLAR)
    run = {"n_save": 41, "method": "heun", "dt": 2e-12, "temperature_noise": True, "seed": 3}
    axes = [("free.magnet.damping", np.array([0.005, 0.01, 0.02])),
            ("drives.free.temperature.peak", np.array([30.0, 45.0, 60.0]))]
    assert batched(data, [k for k, _ in axes], run)
    whole = switching_map(data, axes, 4e-9, tmp_path / "a.nc", chunk=9, run_kw=run)
    pairs = switching_map(data, axes, 4e-9, tmp_path / "b.nc", chunk=2, run_kw=run)
    np.testing.assert_allclose(whole["final_m"].values, pairs["final_m"].values, rtol=0,
                               atol=1e-12)
    for p, (damping, peak) in enumerate([(a, b) for a in axes[0][1] for b in axes[1][1]]):
        d = copy.deepcopy(data)
        set_path(d, "free.magnet.damping", damping)
        set_path(d, "drives.free.temperature.peak", peak)
        spec = spec_from_dict(d)
        sim, _ = spec.simulation_for(spec.device.finalize(), 4e-9)
        alone = sim.run(4e-9, first_trajectory=p, **run)
        np.testing.assert_allclose(whole["final_m"].values.reshape(9, 1, 3)[p],
                                   alone.m[0, -1], rtol=0, atol=1e-12)
    # the points' noise differs: not every point drew the same stream
    spread = whole["final_m"].values[:, :, 0, 0]
    assert len(np.unique(np.round(spread, 6))) == 9


def test_ctrl_c_while_the_map_is_assembled_keeps_its_chunks(tmp_path, monkeypatch):
    """Ctrl-C after every chunk finished, while the map is assembled and written: an
    Interrupted that counts all points as done, the chunks kept, no output; --resume (a
    read of the chunks) writes the map."""
    from spincaloric.errors import Interrupted
    from spincaloric.studies import maps

    data = read_toml(PILLAR)
    out = tmp_path / "m.nc"
    assemble = maps._assemble

    def stop(*args, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(maps, "_assemble", stop)
    with pytest.raises(Interrupted) as caught:
        switching_map(data, AXES[:1], 2e-9, out, run_kw=RUN)
    assert (caught.value.done, caught.value.total) == (2, 2) and not out.exists()
    assert len(list((tmp_path / "m.nc.chunks").glob("chunk_*.npz"))) == 2
    monkeypatch.setattr(maps, "_assemble", assemble)
    ds = switching_map(data, AXES[:1], 2e-9, out, run_kw=RUN, resume=True)
    assert out.exists() and not (tmp_path / "m.nc.chunks").exists() and "switched" in ds


def test_a_different_description_never_overwrites(tmp_path):
    data = read_toml(PILLAR)
    out = tmp_path / "m.nc"
    switching_map(data, AXES[:1], 2e-9, out, run_kw=RUN)
    before = out.read_bytes()
    with pytest.raises(DeviceError, match="holds a different map"):
        switching_map(data, AXES[:1], 3e-9, out, run_kw=RUN)
    assert out.read_bytes() == before
    with pytest.raises(DeviceError, match="vary.drives.free.temperature.pek"):
        switching_map(data, [("drives.free.temperature.pek", np.array([1.0]))], 2e-9,
                      tmp_path / "x.nc")
    assert not (tmp_path / "x.nc").exists()


def test_overwrite_replaces_another_map_and_its_chunks(tmp_path):
    """With ``overwrite`` a file holding another map (and the chunks another map left beside
    it) is replaced by the map asked for, equal to the map computed afresh; on the command
    line ``--overwrite``, and without it one line naming the flag, the file untouched."""
    from click.testing import CliRunner

    from spincaloric.cli import main

    data = read_toml(PILLAR)
    out, fresh = tmp_path / "m.nc", tmp_path / "fresh.nc"
    switching_map(data, AXES[:1], 2e-9, out, run_kw=RUN)
    store = tmp_path / "m.nc.chunks"
    store.mkdir()  # an unfinished other map's chunks
    (store / "description.json").write_text('{"hash": "another"}')
    ds = switching_map(data, AXES[:1], 3e-9, out, run_kw=RUN, overwrite=True)
    want = switching_map(data, AXES[:1], 3e-9, fresh, run_kw=RUN)
    assert ds.attrs["description_hash"] == want.attrs["description_hash"]
    xr.testing.assert_identical(xr.load_dataset(out), xr.load_dataset(fresh))
    assert not store.exists()
    args = ["map", str(PILLAR), "--vary", "drives.free.temperature.peak=20,60", "--until",
            "0.2ns", "--no-progress", "-o", str(out)]
    before = out.read_bytes()
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2 and "--output: " in res.output and "pass --overwrite" in res.output
    assert "overwrite=True" not in res.output  # the command line's words, not the API's
    assert len(res.output.strip().splitlines()) == 1 and out.read_bytes() == before
    res = CliRunner().invoke(main, args + ["--overwrite"])
    assert res.exit_code == 0 and "nothing computed" not in res.output, res.output
    assert xr.load_dataset(out)["switched"].shape == (2, 1)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_killed_map_resumes_to_the_uninterrupted_result(tmp_path, sig):
    args = ["--vary", "drives.free.temperature.peak=10:50:6", "--vary",
            "drives.free.temperature.decay=1e-9,3e-9", "--until", "30ns", "--chunk", "1"]
    cmd = [sys.executable, "-m", "spincaloric", "map", str(PILLAR), *args]
    ref = tmp_path / "ref.nc"
    subprocess.run(cmd + ["-o", str(ref)], check=True, capture_output=True)
    out = tmp_path / "out.nc"
    proc = subprocess.Popen(cmd + ["-o", str(out)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    store = tmp_path / "out.nc.chunks"
    # the run may compile again (a cache another process of the parallel suite is writing):
    # minutes on two loaded cores
    deadline = time.time() + 300
    while time.time() < deadline and len(list(store.glob("chunk_*.npz"))) < 3:
        time.sleep(0.02)
    os.kill(proc.pid, sig)
    err = proc.communicate(timeout=60)[1]
    done = len(list(store.glob("chunk_*.npz")))
    assert 3 <= done < 12 and not out.exists(), done  # really interrupted midway
    if sig == signal.SIGINT:  # says what it kept and how to go on (chunks of one point)
        assert proc.returncode == 130
        assert f"interrupted after {done} of 12 points" in err and "--resume" in err, err
    again = subprocess.run(cmd + ["-o", str(out)], capture_output=True, text=True)
    assert again.returncode == 2 and "--resume" in again.stderr
    subprocess.run(cmd + ["-o", str(out), "--resume"], check=True, capture_output=True)
    a, b = xr.load_dataset(ref), xr.load_dataset(out)
    for name in ("switched", "switching_time", "final_m"):
        np.testing.assert_array_equal(a[name].values, b[name].values)
    assert not store.exists()


@pytest.mark.slow
def test_resume_with_another_chunk_size_gives_the_uninterrupted_map(tmp_path):
    """Chunks are stored by grid point: a map killed (SIGKILL) while running in chunks of 2
    and resumed in chunks of 4 (or 3) equals the map computed in one go."""
    args = ["--vary", "drives.free.temperature.peak=10:60:5", "--vary",
            "drives.free.temperature.decay=1e-9,3e-9", "--until", "400ns"]
    cmd = [sys.executable, "-m", "spincaloric", "map", str(PILLAR), *args]
    ref = tmp_path / "ref.nc"
    subprocess.run(cmd + ["-o", str(ref), "--chunk", "3"], check=True, capture_output=True)
    for resume_chunk in ("4", "3"):
        out = tmp_path / f"out{resume_chunk}.nc"
        store = tmp_path / f"out{resume_chunk}.nc.chunks"
        proc = subprocess.Popen(cmd + ["-o", str(out), "--chunk", "2"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 300  # a compile again: see above
        while time.time() < deadline and not list(store.glob("chunk_*.npz")):
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        done = len(list(store.glob("chunk_*.npz")))
        assert 1 <= done < 5 and not out.exists(), done  # really interrupted midway
        again = subprocess.run(cmd + ["-o", str(out), "--resume", "--chunk", resume_chunk],
                               capture_output=True, text=True)
        assert again.returncode == 0, again.stderr
        a, b = xr.load_dataset(ref), xr.load_dataset(out)
        for name in ("switched", "switching_time", "final_m"):
            np.testing.assert_array_equal(a[name].values, b[name].values)
        assert not store.exists()


@pytest.mark.slow
def test_dask_workers_and_scheduler_give_identical_maps(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    data = read_toml(PILLAR)
    ref = switching_map(data, AXES, 6e-9, tmp_path / "a.nc", chunk=1, run_kw=RUN)
    local = switching_map(data, AXES, 6e-9, tmp_path / "b.nc", chunk=1, workers=2, run_kw=RUN)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        remote = switching_map(data, AXES, 6e-9, tmp_path / "c.nc", chunk=2,
                               scheduler=cluster.scheduler_address, run_kw=RUN)
    for ds in (local, remote):
        for name in ("switched", "switching_time", "final_m"):
            np.testing.assert_array_equal(ds[name].values, ref[name].values)


def test_map_coordinates_carry_units(tmp_path):
    from spincaloric.io.paths import unit_of

    assert unit_of("drives.free.temperature.peak") == "K"
    assert unit_of("drives.free.voltage.amplitude") == "V"
    assert unit_of("drives.free.temperature.decay") == "s"
    assert unit_of("free.magnet.damping") == "1"
    assert unit_of("contacts[1].conductance") == "S"
    ds = switching_map(read_toml(PILLAR), AXES, 2e-9, tmp_path / "m.nc", run_kw=RUN)
    assert ds["drives.free.temperature.peak"].attrs["units"] == "K"
    assert ds["drives.free.temperature.decay"].attrs["units"] == "s"
    for name in ("drives.free.temperature.peak", "magnet", "component"):
        assert ds[name].attrs["long_name"]
    assert ds["drives.free.temperature.peak"].attrs["long_name"] == (
        "peak of free's temperature drive (above its base)")
    assert ds.attrs["temperature"] == 300.0
    from spincaloric.io.paths import describe_key

    data = read_toml(PILLAR)
    assert describe_key(data, "free.magnet.damping") == "damping of magnet free"
    assert describe_key(data, "drives.free.temperature.decay") == (
        "decay of free's temperature drive")
    assert describe_key(data, "no.such.key") == "no.such.key"


def test_a_keys_short_and_full_spellings_describe_one_map():
    """``free.magnet.damping`` is ``nodes.free.magnet.damping``: one description (a map
    started with one spelling resumes or is found with the other); another key is not."""
    from spincaloric.studies.maps import description_hash

    data = read_toml(PILLAR)
    values = np.array([0.01, 0.02])
    short = description_hash(data, [("free.magnet.damping", values)], 1e-9, RUN)
    assert short == description_hash(data, [("nodes.free.magnet.damping", values)], 1e-9, RUN)
    assert short != description_hash(data, [("free.magnet.saturation_magnetization", values)],
                                     1e-9, RUN)


def test_bad_grid_values_fail_before_anything_is_written(tmp_path):
    """A value the device cannot take is found before the map starts (no chunk store to
    block the next attempt); run settings are not map parameters."""
    data = read_toml(PILLAR)
    out = tmp_path / "m.nc"
    with pytest.raises(DeviceError, match=r"nodes\.free\.magnet\.damping: a Gilbert damping lies in"):
        switching_map(data, [("free.magnet.damping", np.array([0.01, -1.0]))], 1e-11, out)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(DeviceError, match=r"vary\.layers\.free\.cells: the number of cells "
                       r"renumbers the layer's vertices"):
        switching_map(data, [("layers.free.cells", np.array([6.0, 12.0]))], 1e-11, out)
    with pytest.raises(DeviceError, match=r"vary\.simulation\.n_save: run settings"):
        switching_map(data, [("simulation.n_save", np.array([11.0, 21.0]))], 1e-11, out)
    ds = switching_map(data, [("free.magnet.damping", np.array([0.01, 0.02]))], 1e-11, out)
    assert ds["switched"].shape == (2, 1) and out.exists()


def test_the_same_end_time_written_two_ways_is_the_same_map(tmp_path):
    """``--until 6ns`` and ``until = 6e-9`` in [simulation] describe one map: the second run
    finds the first's result instead of calling it a different map."""
    from click.testing import CliRunner

    from spincaloric.cli import main
    from spincaloric.studies.maps import description_hash

    data = read_toml(PILLAR)
    assert description_hash(data, AXES, 6 * 1e-9, RUN) == description_hash(data, AXES, 6e-9, RUN)
    assert description_hash(data, AXES, 6e-9, RUN) != description_hash(data, AXES, 6.1e-9, RUN)
    device = tmp_path / "pillar.toml"
    device.write_text(PILLAR.read_text().replace("until = 8.0e-9", "until = 6e-9"))
    out = tmp_path / "m.nc"
    vary = ["--vary", "drives.free.temperature.peak=20,45"]
    first = CliRunner().invoke(main, ["map", str(device), *vary, "--until", "6ns", "-o",
                                      str(out)])
    assert first.exit_code == 0, first.output
    assert xr.load_dataset(out).attrs["until"] == 6e-9
    before = out.read_bytes()
    second = CliRunner().invoke(main, ["map", str(device), *vary, "-o", str(out)])
    assert second.exit_code == 0, second.output
    assert out.read_bytes() == before


def test_a_parameter_varied_twice_is_refused(tmp_path):
    """Two --vary of one parameter (also under its short and long name) is one line, exit 2,
    and nothing written."""
    from click.testing import CliRunner

    from spincaloric.cli import main

    data = read_toml(PILLAR)
    out = tmp_path / "m.nc"
    for second in ("drives.free.temperature.peak", "nodes.free.magnet.damping"):
        first = "free.magnet.damping" if second.startswith("nodes") else second
        with pytest.raises(DeviceError, match=rf"vary\.{second}: varied twice"):
            switching_map(data, [(first, np.array([0.01, 0.02])),
                                 (second, np.array([0.01, 0.03]))], 1e-11, out)
    r = CliRunner().invoke(main, ["map", str(PILLAR), "--vary", "drives.free.temperature.peak=1,2",
                                  "--vary", "drives.free.temperature.peak=3,4", "--until", "0.01ns",
                                  "-o", str(out)])
    assert r.exit_code == 2
    assert [line for line in r.output.splitlines() if line.startswith("error")] == [
        f"error: {PILLAR}: vary.drives.free.temperature.peak: varied twice: each parameter may "
        "be varied once"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_file_without_spin_pumping_maps_without_it(tmp_path):
    """``[simulation] pumping = false`` shapes the simulation, not a run keyword: `map` of such a
    file runs (it ended in a TypeError) and equals the direct run without pumping."""
    text = PILLAR.read_text().replace("[simulation]", "[simulation]\npumping = false", 1)
    assert "pumping = false" in text
    device = tmp_path / "pillar.toml"
    device.write_text(text)
    out = tmp_path / "m.nc"
    proc = subprocess.run([sys.executable, "-m", "spincaloric", "map", str(device), "--vary",
                           "drives.free.temperature.peak=45:45:1", "--until", "6ns", "-o",
                           str(out), "--no-progress"], capture_output=True, text=True,
                          preexec_fn=interruptible)
    assert proc.returncode == 0, proc.stderr
    from spincaloric.dynamics.drives import LaserPulse
    from spincaloric.io import load_dataset

    spec = load_spec(device)
    laser = LaserPulse(peak=45.0, start=0.1e-9, rise=0.05e-9, decay=3e-9)
    sim = Simulation(spec.device.finalize(), spec.magnets, {("free", "temperature"): laser},
                     pumping=False)
    sw = sim.run(6e-9, **spec.run_options()).switching()["free"]
    ds = load_dataset(out)
    np.testing.assert_equal(ds["switching_time"].values.ravel()[0], sw.time[0])


def test_switching_probability_map_counts_each_points_own_trajectories(tmp_path):
    """Several noisy trajectories per point: the switching probability is the count of the
    point's own trajectories (p N + i of the seed) that switched, the same in tasks of one
    point and of four, with its Clopper–Pearson interval; none without thermal noise."""
    data = read_toml(PILLAR)
    run = {"n_save": 21, "method": "heun", "dt": 2e-12, "temperature_noise": True, "seed": 8}
    axes = [("drives.free.temperature.peak", np.array([25.0, 60.0])),
            ("drives.free.temperature.decay", np.array([1e-9, 3e-9]))]
    n = 12
    ds = switching_map(data, axes, 4e-9, tmp_path / "a.nc", chunk=4, run_kw=run,
                       trajectories=n)
    again = switching_map(data, axes, 4e-9, tmp_path / "b.nc", chunk=1, run_kw=run,
                          trajectories=n)
    counts = ds["switched_trajectories"].values[..., 0]
    np.testing.assert_array_equal(counts, again["switched_trajectories"].values[..., 0])
    np.testing.assert_array_equal(ds["switching_probability"].values[..., 0], counts / n)
    low, high = np.moveaxis(ds["switching_probability_interval"].values[..., 0, :], -1, 0)
    assert np.all((low <= counts / n) & (counts / n <= high) & (high - low > 0.1))
    assert ds.attrs["trajectories"] == n and counts.min() < n and counts.max() > 0
    for p, (peak, decay) in enumerate([(a, b) for a in axes[0][1] for b in axes[1][1]]):
        alone = direct_run(peak, decay, {**run, "ensemble": n, "first_trajectory": p * n},
                           until=4e-9)
        assert counts.reshape(-1)[p] == alone.switching()["free"].switched.sum()
    with pytest.raises(DeviceError, match="^trajectories: several trajectories per point"):
        switching_map(data, axes, 4e-9, tmp_path / "c.nc", run_kw={"n_save": 21},
                      trajectories=3)
    assert not (tmp_path / "c.nc").exists() and not (tmp_path / "c.nc.chunks").exists()


def test_map_command_maps_switching_probabilities(tmp_path):
    """`map --temperature-noise --trajectories N` writes probabilities; without noise the
    flag is refused by name (exit 2, one line, nothing written)."""
    from click.testing import CliRunner

    from spincaloric.cli import main

    out = tmp_path / "p.nc"
    args = ["map", str(PILLAR), "--vary", "drives.free.temperature.peak=20,60", "--until",
            "2ns", "--trajectories", "8", "-o", str(out), "--no-progress"]
    res = CliRunner().invoke(main, args[:-3] + ["--temperature-noise", "--seed", "2"]
                             + args[-3:])
    assert res.exit_code == 0, res.output
    assert "2 points x 8 trajectories" in res.output
    ds = xr.open_dataset(out)
    assert ds["switching_probability"].dims == ("drives.free.temperature.peak", "magnet")
    assert ds.attrs["trajectories"] == 8
    # a small map prints each point: its values with units, its count and interval
    lines = [line for line in res.stdout.splitlines()
             if line.startswith("drives.free.temperature.peak = ")]
    assert [line.split(":")[0] for line in lines] == [
        "drives.free.temperature.peak = 20 K", "drives.free.temperature.peak = 60 K"]
    for line, k, (low, high) in zip(lines, ds["switched_trajectories"].values[:, 0],
                                    ds["switching_probability_interval"].values[:, 0]):
        assert f": free: {k} of 8 switched (95 % interval " in line
        shown = line.split("interval ")[1].split(")")[0].split(" – ")
        np.testing.assert_allclose([float(x) for x in shown], [low, high], rtol=0, atol=5e-4)
    ds.close()
    again = CliRunner().invoke(main, args[:-3] + ["--temperature-noise", "--seed", "2"]
                               + args[-3:])
    assert again.exit_code == 0 and "already holds this map (nothing computed)" in again.output
    bad = CliRunner().invoke(main, [a if a != str(out) else str(tmp_path / "q.nc")
                                    for a in args])
    assert bad.exit_code == 2
    assert "trajectories: several trajectories per point" in bad.output
    assert len(bad.output.strip().splitlines()) == 1 and not (tmp_path / "q.nc").exists()


def test_the_dynamics_of_a_point_built_on_another_points_device_equal_its_own():
    """dynamics_from_dict: drives and magnets as spec_from_dict builds them, the device
    shared; a bad value is still named by its field."""
    import copy

    from spincaloric.io.devicefile import dynamics_from_dict, spec_from_dict
    from spincaloric.io.paths import set_path

    data = read_toml(PILLAR)
    base = spec_from_dict(data)
    d = copy.deepcopy(data)
    set_path(d, "drives.free.temperature.decay", 2e-9)
    set_path(d, "free.magnet.damping", 0.02)
    own, shared = spec_from_dict(d), dynamics_from_dict(d, base)
    assert shared.device is base.device and shared.drives == own.drives
    assert shared.magnets.keys() == own.magnets.keys()
    for name in own.magnets:
        for f in ("damping", "volume", "anisotropy_field", "saturation_magnetization"):
            assert getattr(shared.magnets[name], f) == getattr(own.magnets[name], f)
        np.testing.assert_array_equal(shared.magnets[name].anisotropy_axis,
                                      own.magnets[name].anisotropy_axis)
    assert shared.magnets["free"].damping == 0.02 != base.magnets["free"].damping
    set_path(d, "free.magnet.damping", -1.0)
    with pytest.raises(DeviceError, match="nodes.free.magnet.damping"):
        dynamics_from_dict(d, base)


def test_the_files_simulation_settings_are_the_maps_by_default(tmp_path):
    """Without run_kw a map runs with the file's [simulation] (as `spincaloric map` does),
    its ensemble the trajectories per point; the map keeps the settings it ran with; a
    probability map draws as a line with its interval, and the interval alone is refused."""
    pytest.importorskip("matplotlib")
    from spincaloric.io.plotting import plot_dataset

    data = read_toml(PILLAR)
    data["simulation"].update(temperature_noise=True, ensemble=6, n_save=21, seed=5)
    axes = [("drives.free.temperature.peak", np.array([30.0, 60.0]))]
    ds = switching_map(data, axes, 2e-9, tmp_path / "a.nc")
    assert ds.attrs["trajectories"] == 6 and ds.attrs["seed"] == 5
    assert ds.attrs["temperature_noise"] == 1 and "n_save" not in ds.attrs  # no saved states
    same = switching_map(data, axes, 2e-9, tmp_path / "b.nc",
                         run_kw={"temperature_noise": True, "n_save": 21, "seed": 5},
                         trajectories=6)
    assert same.attrs["description_hash"] == ds.attrs["description_hash"]
    fig = plot_dataset(ds)
    assert "switching probability" in fig.axes[0].get_ylabel()
    assert any(c.get_label() == "95 % interval" for c in fig.axes[0].collections)
    with pytest.raises(DeviceError, match="^variable: 'switching_probability_interval' is an "
                                          "interval"):
        plot_dataset(ds, "switching_probability_interval")


def test_the_api_takes_a_path_and_a_mapping_and_names_what_it_cannot_take(tmp_path):
    ds = switching_map(PILLAR, {"drives.free.temperature.peak": [20.0]}, 2e-9,
                       tmp_path / "a.nc")
    assert ds["switched"].shape == (1, 1)
    for args, field in (((PILLAR, AXES, "4ns"), "until"), ((PILLAR, 5, 2e-9), "axes"),
                        ((3, AXES, 2e-9), "data"),
                        ((PILLAR, {"drives.free.temperature.peak": "x"}, 2e-9),
                         "vary.drives.free.temperature.peak")):
        with pytest.raises(DeviceError, match=f"^{field}: "):
            switching_map(*args, tmp_path / "b.nc")
    assert not (tmp_path / "b.nc").exists()


def test_plot_draws_a_map_of_three_axes_at_a_value_of_one(tmp_path):
    """`plot --at AXIS=VALUE` picks the nearest value of an axis (named in the title);
    without it, or with an unknown axis, a value that is not a number or one beyond the axis
    (it drew the nearest end), one line, exit 2."""
    pytest.importorskip("matplotlib")
    from click.testing import CliRunner

    from spincaloric.cli import main

    data = read_toml(PILLAR)
    axes = AXES + [("free.magnet.damping", np.array([0.01, 0.02]))]
    switching_map(data, axes, 2e-9, tmp_path / "m.nc", run_kw=RUN)
    base = ["plot", str(tmp_path / "m.nc"), "-o", str(tmp_path / "f.png")]
    res = CliRunner().invoke(main, base + ["--at", "free.magnet.damping=0.019"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "f.png").stat().st_size > 10_000
    for extra, message in (([], "pick a value of 1 of them (spincaloric plot --at"),
                           (["--at", "free.magnet.dampng=0.01"], "at: unknown axis; did you "
                            "mean free.magnet.damping?"),
                           (["--at", "free.magnet.damping=x"],
                            "at.free.magnet.damping: must be a number"),
                           (["--at", "free.magnet.damping=0.5"], "at.free.magnet.damping: 0.5 "
                            "lies outside the axis, which runs from 0.01 to 0.02")):
        res = CliRunner().invoke(main, base[:-1] + [str(tmp_path / "g.png")] + extra)
        assert res.exit_code == 2 and message in res.output
        assert len(res.output.strip().splitlines()) == 1 and not (tmp_path / "g.png").exists()


def test_seeds_beyond_32_bits_are_kept_in_netcdf_files(tmp_path):
    """netCDF-3 holds 32-bit integers only: a seed up to 2⁶³ is written as its decimal text
    (a run's and a map's file), not refused after the work is done; a noisy map records the
    seed and the step rule even when left to their defaults."""
    from click.testing import CliRunner

    from spincaloric.cli import main

    seed = str(2**62 + 5)
    run = CliRunner().invoke(main, ["run", str(PILLAR), "--ensemble", "8", "--temperature-noise",
                                    "--seed", seed, "--until", "0.2ns", "-o",
                                    str(tmp_path / "r.nc"), "--no-progress"])
    assert run.exit_code == 0, run.output
    assert xr.load_dataset(tmp_path / "r.nc").attrs["seed"] == seed
    args = ["map", str(PILLAR), "--vary", "drives.free.temperature.peak=20,60", "--until",
            "0.2ns", "--trajectories", "4", "--temperature-noise", "--no-progress"]
    big = CliRunner().invoke(main, args + ["--seed", seed, "-o", str(tmp_path / "m.nc")])
    assert big.exit_code == 0, big.output
    assert xr.load_dataset(tmp_path / "m.nc").attrs["seed"] == seed
    traj = Simulation(*_pillar_parts()).run(0.1e-9, n_save=3, ensemble=8,
                                             temperature_noise=True, seed=2**40)
    traj.to_netcdf(tmp_path / "api.nc")  # the API's writer too
    assert xr.load_dataset(tmp_path / "api.nc").attrs["seed"] == str(2**40)
    default = CliRunner().invoke(main, args + ["-o", str(tmp_path / "d.nc")])
    assert default.exit_code == 0, default.output
    default_map = xr.load_dataset(tmp_path / "d.nc")
    assert default_map.attrs["seed"] == 0 and "dt" not in default_map.attrs
    # the default step each point ran with, in seconds
    assert default_map["dt"].attrs["units"] == "s"
    np.testing.assert_array_equal(default_map["dt"].values, [1e-12, 1e-12])


def _pillar_parts():
    spec = load_spec(PILLAR)
    return spec.device.finalize(), spec.magnets, spec.drives


def test_axis_labels_name_the_node_of_a_full_key():
    """``nodes.free.magnetization.theta`` is labelled as ``free.magnetization.theta``: the
    node is free (not "nodes"), in the plot and in the map's long name."""
    from spincaloric.io.paths import describe_key
    from spincaloric.io.plotting import _quantity

    data = read_toml(PILLAR)
    for key in ("free.magnetization.theta", "nodes.free.magnetization.theta"):
        assert _quantity(key, {}) == "polar angle of free's magnetization"
        assert describe_key(data, key) == "polar angle of free's magnetization"
    assert describe_key(data, "temperature") == "device temperature T0"


@pytest.mark.parametrize("axis", ["free.magnet.anisotropy_field",  # one ensemble
                                  "contacts[0].area"])  # rebuilt per point
def test_a_step_too_large_for_one_grid_point_names_the_point(tmp_path, axis):
    """A fixed step fine at the file's anisotropy field but not at 30 T: the error names the
    grid point, whether the points run as one ensemble or one by one, and the map leaves
    nothing behind (the chunk computed before it included)."""
    from spincaloric.dynamics.simulation import DynamicsError
    from spincaloric.io.paths import set_path

    data = read_toml(PILLAR)
    values = np.array([1.68, 30.0]) if "anisotropy" in axis else np.array([1.26e-15, 2e-15])
    if "contacts" in axis:  # the stiff field at every point: the first one fails
        set_path(data, "free.magnet.anisotropy_field", 30.0)
    run = {"method": "heun", "dt": 1e-12, "n_save": 3}
    point = "30" if "anisotropy" in axis else "1.26e-15"
    with pytest.raises(DynamicsError, match=rf"at the grid point {re.escape(axis)} = "
                                            rf"{point}: 1e-12 s exceeds"):
        switching_map(data, [(axis, values)], 0.1e-9, tmp_path / "m.nc", run_kw=run, chunk=1)
    # the first point's chunk is not kept: the map cannot go on as described
    assert not (tmp_path / "m.nc").exists() and not (tmp_path / "m.nc.chunks").exists()


def test_a_map_without_noise_records_no_step_it_did_not_use(tmp_path):
    """The adaptive RK45 of a map without noise chooses its own steps: a dt in its settings
    is not recorded (nor a seed)."""
    ds = switching_map(read_toml(PILLAR), AXES[:1], 0.1e-9, tmp_path / "m.nc",
                       run_kw={"n_save": 3, "dt": 5e-13, "seed": 4})
    assert "dt" not in ds.attrs and "seed" not in ds.attrs and "dt" not in ds


def test_the_trajectory_writers_replace_a_file_only_when_asked(tmp_path):
    """Trajectory.to_netcdf and Trajectory.plot refuse an existing file before any work,
    leave it untouched, and replace it with overwrite=True."""
    traj = Simulation(*_pillar_parts()).run(0.05e-9, n_save=3)
    traj.to_netcdf(tmp_path / "api.nc")
    before = (tmp_path / "api.nc").read_bytes()
    with pytest.raises(FileExistsError, match=r"api\.nc exists: pass overwrite=True"):
        traj.to_netcdf(tmp_path / "api.nc", with_circuit=False)
    assert (tmp_path / "api.nc").read_bytes() == before
    traj.to_netcdf(tmp_path / "api.nc", with_circuit=False, overwrite=True)
    assert (tmp_path / "api.nc").read_bytes() != before
    traj.plot(tmp_path / "api.png")
    with pytest.raises(FileExistsError, match=r"api\.png exists"):
        traj.plot(tmp_path / "api.png")
    traj.plot(tmp_path / "api.png", overwrite=True)


def test_a_map_over_the_device_and_a_drive_builds_each_device_once(monkeypatch):
    """Interface conductance × peak ΔT with thermal noise, 8 trajectories a point: each
    conductance's device is finalized once and its points run as one ensemble, every point
    equal to its own run alone (trajectories p N + i of the seed; 8 lanes, so that both run
    in the lane kernel, whose round-off differs from the scalar kernel's)."""
    import copy

    from spincaloric.circuit.device import Device
    from spincaloric.io.devicefile import spec_from_dict
    from spincaloric.io.paths import set_path
    from spincaloric.studies.maps import evaluate_points

    data = read_toml(PILLAR)
    run = {"n_save": 21, "method": "heun", "dt": 2e-12, "temperature_noise": True, "seed": 5}
    keys = ["contacts[0].conductance_per_area", "drives.free.temperature.peak"]
    points = [(g, peak) for g in (0.8e15, 1.2e15) for peak in (30.0, 45.0, 60.0)]
    assert batched(data, keys, run)
    builds = []
    finalize = Device.finalize
    monkeypatch.setattr(Device, "finalize", lambda self: builds.append(1) or finalize(self))
    n = 8
    got = evaluate_points(data, keys, points, 4e-9, run, first=2, trajectories=n)
    assert len(builds) == 2  # one device per conductance
    monkeypatch.undo()
    for p, (g, peak) in enumerate(points):
        d = copy.deepcopy(data)
        set_path(d, keys[0], g)
        set_path(d, keys[1], peak)
        spec = spec_from_dict(d)
        sim, _ = spec.simulation_for(spec.device.finalize(), 4e-9)
        alone = sim.run(4e-9, first_trajectory=(2 + p) * n, ensemble=n, **run)
        np.testing.assert_allclose(got["final_m"][p], alone.m[:, -1].mean(axis=0), rtol=0,
                                   atol=1e-12)
        assert got["switched"][p, 0] == alone.switching()["free"].switched.sum()
    assert len(np.unique(np.round(got["final_m"][:, 0, 0], 6))) == len(points)


def test_the_trajectory_writers_name_a_bad_path_before_any_work(tmp_path):
    """An empty path, a missing or unwritable directory, a directory, a zarr name for the
    netCDF writer, a suffix no figure format has, a trajectory the run does not have: each
    a DynamicsError naming the argument, nothing written."""
    from spincaloric.dynamics.simulation import DynamicsError

    traj = Simulation(*_pillar_parts()).run(0.05e-9, n_save=3)
    cases = [(lambda: traj.to_netcdf(""), "path: empty path"),
             (lambda: traj.to_netcdf(tmp_path / "no" / "a.nc"), "path: directory .* does not"),
             (lambda: traj.to_netcdf(tmp_path, overwrite=True), "path: .* is a directory"),
             (lambda: traj.to_netcdf(tmp_path / "a.zarr"), "path: to_netcdf writes netCDF"),
             (lambda: traj.plot(tmp_path / "x.nc"), r"path: '\.nc' is no figure format"),
             (lambda: traj.plot(trajectory=5), "trajectory: must be a trajectory of the run")]
    for call, message in cases:
        with pytest.raises(DynamicsError, match=message):
            call()
    assert list(tmp_path.iterdir()) == []


def test_a_map_into_a_missing_directory_is_refused_and_creates_nothing(tmp_path):
    with pytest.raises(DeviceError, match=r"^output: directory .*nope does not exist"):
        switching_map(read_toml(PILLAR), AXES[:1], 1e-10, tmp_path / "nope" / "m.nc")
    assert not (tmp_path / "nope").exists()


def test_a_damaged_chunk_is_computed_again_on_resume(tmp_path):
    """A chunk file damaged after it was written (truncated) is dropped when the store is
    read (its points then count as missing and are computed again); whole chunks stay."""
    from spincaloric.studies.maps import _stored_chunks

    store = tmp_path / "m.nc.chunks"
    store.mkdir()
    np.savez(store / "chunk_00000000.npz", switched=np.zeros((2, 1)))
    (store / "chunk_00000002.npz").write_bytes(
        (store / "chunk_00000000.npz").read_bytes()[:40])
    assert _stored_chunks(store) == {0: 2}
    assert not (store / "chunk_00000002.npz").exists()


def test_a_map_into_a_zarr_store_is_read_again_replaced_and_named_by_its_suffix(tmp_path):
    """A finished zarr map, asked for again, is read (not refused as a directory); with
    --overwrite replaced; the API refuses a name that is neither netCDF nor zarr, as the
    command does."""
    pytest.importorskip("zarr")
    from click.testing import CliRunner

    from spincaloric.cli import main

    out = tmp_path / "m.zarr"
    args = ["map", str(PILLAR), "--vary", "drives.free.temperature.peak=20,40", "--until",
            "0.5ns", "-o", str(out)]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0 and "already holds this map (nothing computed)" in again.output
    replaced = CliRunner().invoke(main, args[:-2] + ["--until", "0.6ns", "-o", str(out),
                                                     "--overwrite"])
    assert replaced.exit_code == 0, replaced.output
    assert xr.open_zarr(out).attrs["until"] == pytest.approx(0.6e-9, abs=1e-18)
    with pytest.raises(DeviceError, match=r"^output: m\.txt: a result file is netCDF"):
        switching_map(PILLAR, AXES, 1e-9, tmp_path / "m.txt")
    assert not (tmp_path / "m.txt").exists()


def test_conflicting_or_unused_map_flags_are_named(tmp_path):
    """--workers beside --scheduler: refused naming --workers before anything runs; --dt with
    the deterministic (rk45) runs: a warning that it is not used."""
    from click.testing import CliRunner

    from spincaloric.cli import main

    base = ["map", str(PILLAR), "--vary", "drives.free.temperature.peak=20,40", "--until",
            "0.5ns"]
    both = CliRunner().invoke(main, base + ["--workers", "2", "--scheduler", "tcp://x:1",
                                            "-o", str(tmp_path / "a.nc")])
    assert both.exit_code == 2 and "--workers: starts a local cluster of 2" in both.output
    assert not (tmp_path / "a.nc").exists() and not (tmp_path / "a.nc.chunks").exists()
    dt = CliRunner().invoke(main, base + ["--dt", "1ps", "-o", str(tmp_path / "b.nc")])
    assert dt.exit_code == 0
    assert "--dt is the step of the fixed-step methods" in dt.output


def test_ctrl_c_before_any_chunk_says_nothing_is_kept(tmp_path, monkeypatch):
    """Interrupted before its first chunk, a map removes the chunk store it made; the
    command then says nothing is kept rather than pointing to the store."""
    from click.testing import CliRunner

    from spincaloric.cli import main
    from spincaloric.studies import maps

    def stop(*args, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(maps, "_run_chunks", stop)
    out = tmp_path / "m.nc"
    res = CliRunner().invoke(main, ["map", str(PILLAR), "--vary",
                                    "drives.free.temperature.peak=20,40", "--until", "0.5ns",
                                    "-o", str(out)])
    assert res.exit_code == 130  # as interrupted
    assert "interrupted before any chunk of the 2 points was finished (nothing kept)" in res.output
    assert not (tmp_path / "m.nc.chunks").exists() and not out.exists()


def test_plot_judges_the_variable_before_the_output_and_draws_a_magnetization_map(tmp_path):
    """A typo in --variable is named even where the figure exists (no --overwrite needed to
    learn of it); a colour map of final_m (|m| = 1 everywhere) draws the component that
    varies most, not the blank magnitude."""
    pytest.importorskip("matplotlib")
    from click.testing import CliRunner

    from spincaloric.cli import main
    from spincaloric.io.plotting import _varying_component

    out = tmp_path / "m.nc"
    made = CliRunner().invoke(main, ["map", str(PILLAR), "--vary",
                                     "drives.free.temperature.peak=20,60", "--vary",
                                     "free.magnet.damping=0.01,0.02", "--until", "1ns", "-o",
                                     str(out)])
    assert made.exit_code == 0, made.output
    (tmp_path / "m.png").write_bytes(b"old")
    typo = CliRunner().invoke(main, ["plot", str(out), "--variable", "switchd"])
    assert typo.exit_code == 2 and "variable: 'switchd': unknown variable" in typo.output
    assert (tmp_path / "m.png").read_bytes() == b"old"
    ds = xr.open_dataset(out)
    m = ds["final_m"].sel(magnet="free")
    spread = {c: float(np.ptp(m.sel(component=c).values)) for c in "xyz"}
    assert _varying_component(m) == max(spread, key=spread.get)
    assert _varying_component(2 * m) == "norm"  # not unit vectors: their magnitude
    drawn = CliRunner().invoke(main, ["plot", str(out), "--variable", "final_m", "-o",
                                      str(tmp_path / "f.png")])
    assert drawn.exit_code == 0 and (tmp_path / "f.png").stat().st_size > 0
