"""The ``spincaloric`` command: solve, check and run device files; list materials.

Bad input never shows a traceback: each failing file prints ``error: FILE: <field>: <reason>``
on stderr, the other files are still processed, and the exit status is 2.
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import sys
import tomllib
import warnings
from pathlib import Path

import click

from . import __version__
from .linear_response import LinearResponseWarning

EXIT_INPUT = 2


class _Failed(Exception):
    """A file failed; the message is already printed."""


def _output_problem(path) -> str | None:
    """Why ``path`` cannot take an output file (checked before the work, so that a bad path
    costs nothing and leaves nothing), or None."""
    p = Path(path)
    if not str(path):
        return "empty path"
    if p.is_dir():
        return f"{path} is a directory"
    if not p.parent.exists():
        return f"directory {p.parent} does not exist"
    return None


def _check_outputs(device, **paths) -> None:
    """Report the first unusable output path (one line, exit 2)."""
    for flag, path in paths.items():
        if path is not None and (problem := _output_problem(path)):
            _report(device, f"--{flag.replace('_', '-')}: {problem}")
            sys.exit(EXIT_INPUT)


def _write_or_exit(source, output, write) -> None:
    """Run ``write()`` (an atomic writer); an OS error is one line naming ``output``, exit 2."""
    try:
        write()
    except OSError as err:
        _report(source, f"--output: {err.strerror or err} ({output})")
        sys.exit(EXIT_INPUT)


def _finite(value: float, name: str) -> float:
    """A click callback: refuse NaN (ranges let it through: every comparison with it is
    false)."""
    if value != value:
        raise click.BadParameter(f"{name} must be a number, got nan")
    return value


def _report(path, err) -> None:
    reason = " ".join(str(err).split())  # one line, whatever the source
    click.echo(f"error: {path}: {reason}", err=True)


def _load(path):
    """(spec, circuit) of a device file; prints the error and raises _Failed on bad input."""
    from .device import DeviceError
    from .io import load_spec

    try:
        spec = load_spec(path)
        return spec, spec.device.finalize()
    except OSError as err:
        _report(path, f"<file>: {err.strerror or err}")
    except (DeviceError, ValueError, tomllib.TOMLDecodeError) as err:
        _report(path, err)
    raise _Failed


@contextlib.contextmanager
def _physics_warnings_once():
    """Show the first :class:`LinearResponseWarning` of the command as one line on stderr,
    ``warning: beyond linear response: ...``; later ones (other sweep points, files) are
    not repeated. Other warnings are shown as Python shows them."""
    shown = []

    def show(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, LinearResponseWarning):
            if not shown:
                click.echo(f"warning: {message}", err=True)
            shown.append(message)
        else:
            default(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.simplefilter("always", LinearResponseWarning)
        default, warnings.showwarning = warnings.showwarning, show
        yield


class _OneLineErrors(click.Group):
    """A click group whose usage errors (unknown flags, bad values, missing arguments) are one
    line, ``error: <what>``, exit status 2 — like every other input error of the CLI — instead
    of click's usage block."""

    def main(self, args=None, prog_name=None, **extra):
        extra["standalone_mode"] = False
        try:
            with _physics_warnings_once():
                return super().main(args, prog_name, **extra)
        except click.ClickException as err:
            click.echo(f"error: {err.format_message()}", err=True)
            sys.exit(EXIT_INPUT)
        except click.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(EXIT_INPUT)


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="spincaloric")
def main():
    """Thermoelectric spin transport, spin-transfer torques and thermal switching in
    magnetoelectronic circuits (Hatami, Bauer, Zhang & Kelly, PRL 99, 066603 (2007))."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="one JSON object per file (JSON Lines)")
@click.option("--distributions", type=click.Path(dir_okay=False),
              help='regime "spectral": write the energy-resolved distributions (netCDF)')
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False),
              help='regime "spectral": PNG of the distributions of the internal nodes')
def solve(files, as_json, distributions, plot_path):
    """Solve the steady state of device FILES."""
    from .io import solution_record

    for flag, path in (("--distributions", distributions), ("--plot", plot_path)):
        if path is not None and (problem := _output_problem(path)):
            click.echo(f"error: {flag}: {problem}", err=True)
            sys.exit(EXIT_INPUT)
    if (distributions or plot_path) and len(files) != 1:
        click.echo("error: --distributions/--plot: need exactly one device file", err=True)
        sys.exit(EXIT_INPUT)
    failed = False
    for path in files:
        try:
            spec, circuit = _load(path)
            if (distributions or plot_path) and circuit.regime != "spectral":
                _report(path, "--distributions/--plot: only for regime = \"spectral\"")
                raise _Failed
            sol, spectral = _steady(spec, circuit, path)
        except _Failed:
            failed = True
            continue
        if distributions or plot_path:
            _write_distributions(path, spectral, distributions, plot_path)
        if as_json:
            click.echo(json.dumps(solution_record(path, sol)))
        else:
            click.echo(_table(path, sol))
    sys.exit(EXIT_INPUT if failed else 0)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check(files):
    """Validate device FILES without solving them."""
    failed = False
    for path in files:
        try:
            spec, c = _load(path)
        except _Failed:
            failed = True
            continue
        k = len(spec.magnets)
        extra = f", {k} dynamic magnet{'s' if k != 1 else ''}" if k else ""
        click.echo(f"ok: {path} ({c.n_nodes} nodes, {c.n_contacts} contacts, "
                   f"{c.n_unknowns} unknowns{extra})")
    sys.exit(EXIT_INPUT if failed else 0)


@main.command()
@click.option("--temperature", type=click.FloatRange(min=0, min_open=True, max=1e6), default=300.0,
              callback=lambda ctx, param, v: _finite(v, "--temperature"),
              show_default=True, help="temperature for S, S↑, S↓ (K)")
@click.option("--bulk", is_flag=True, help="list the bulk materials (layers) instead")
def materials(temperature, bulk):
    """List the interface database (Table I of Hatami et al. 2007, signs restored), or with
    --bulk the bulk materials of diffusive layers (SI units, cited per value)."""
    from .materials import bulk_table, get_bulk, materials_table

    def fmt(v):
        return "—" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))

    def print_table(rows, cols, labels):
        table = [[fmt(r[c]) for c in cols] for r in rows]
        widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(labels)]
        click.echo("  ".join(h.rjust(w) for h, w in zip(labels, widths)))
        for t in table:
            click.echo("  ".join(x.rjust(w) for x, w in zip(t, widths)))

    if bulk:
        rows = bulk_table()
        cols = ["name", "kind", "resistivity", "spin_asymmetry", "spin_flip_length", "seebeck",
                "spin_seebeck", "thermal_conductivity", "density_of_states"]
        labels = ["name", "kind", "rho (Ohm m)", "beta", "l_sf (m)", "S (V/K)", "S_s (V/K)",
                  "kappa (W/m/K)", "D (1/J/m^3)"]
        print_table(rows, cols, labels)
        click.echo("\nSources (— : no verified source; give the value yourself):")
        for r in rows:
            for key, q in get_bulk(r["name"]).quantities.items():
                click.echo(f"  {r['name']}.{key} ({q.temperature:g} K): {q.citation}")
        return
    rows = materials_table(temperature)
    cols = ["name", "S/T (nV/K^2)", "S (uV/K)", "P'", "P_S", "P", "eta", "eta'",
            "S_up (uV/K)", "S_down (uV/K)", "G/A (1e15 S/m^2)"]
    print_table(rows, cols, cols)
    click.echo(f"\nS at T = {temperature:g} K. Source: {rows[0]['citation']}; "
               "conductances per area with their own citations (see the data file).")


_DURATION = re.compile(r"^\s*([0-9.eE+-]+)\s*(s|ms|us|µs|ns|ps|fs)?\s*$")
_UNITS = {None: 1.0, "s": 1.0, "ms": 1e-3, "us": 1e-6, "µs": 1e-6, "ns": 1e-9, "ps": 1e-12,
          "fs": 1e-15}


class Duration(click.ParamType):
    """A time such as ``20ns``, ``1.5e-9`` (s) or ``500ps``."""

    name = "duration"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        m = _DURATION.match(str(value))
        try:
            t = float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")
        except ValueError:
            t = float("nan")
        if not (math.isfinite(t) and t > 0):
            self.fail(f"{value!r} is not a positive duration (e.g. 20ns, 1e-9)", param, ctx)
        if m.group(2) is None and t >= 1e-3:  # "8" meant 8 ns, not 8 s of picosecond steps
            self.fail(f"{value!r} would be {t:g} s of magnetization dynamics (picosecond "
                      f"steps): give a unit, e.g. {m.group(1)}ns", param, ctx)
        return t


def _compile_notice() -> None:
    """Say so on stderr when the integration kernels must first be compiled (tens of seconds,
    once after installation: numba caches them on disk)."""
    from .dynamics import kernels
    from .dynamics.ensemble import integrate_ensemble

    if not kernels.compiled_on_disk(kernels.integrate_rk45, kernels.integrate_fixed,
                                    integrate_ensemble):
        click.echo("compiling the integration kernels (once after installation, up to a "
                   "minute; cached afterwards) ...", err=True)


@main.command()
@click.argument("device", type=click.Path(dir_okay=False))
@click.option("--until", type=Duration(), help="end time, e.g. 20ns [default: file or 10ns]")
@click.option("--ensemble", type=click.IntRange(min=1), help="number of trajectories")
@click.option("--temperature-noise", is_flag=True, default=None,
              help="Brown's thermal field (stochastic Heun)")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1),
              help="random seed of the thermal field, in [0, 2**63)")
@click.option("--n-save", type=click.IntRange(min=2), help="saved instants")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="netCDF trajectory file")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), help="PNG of m(t), τ(t)")
@click.option("--json", "as_json", is_flag=True, help="print a JSON summary")
@click.option("--progress/--no-progress", default=None, help="progress bar on stderr")
@click.option("--joule-heating/--no-joule-heating", default=None,
              help="add the Joule heat of the drives as heat in the nodes [default: file]")
def run(device, until, ensemble, temperature_noise, seed, n_save, output, plot_path, as_json,
        progress, joule_heating):
    """Integrate the LLGS dynamics of the dynamic magnets of DEVICE."""
    from .device import DeviceError
    from .dynamics.simulation import DynamicsError

    try:
        spec, circuit = _load(device)
    except _Failed:
        sys.exit(EXIT_INPUT)
    if not spec.magnets:
        _report(device, "nodes: no dynamic magnet (add a [nodes.NAME.magnet] table)")
        sys.exit(EXIT_INPUT)
    _check_outputs(device, output=output, plot=plot_path)
    if joule_heating is not None:
        spec.simulation["joule_heating"] = joule_heating
    end = until or spec.simulation.get("until", 10e-9)
    if progress is None:
        progress = sys.stderr.isatty()
    try:
        sim, opts = spec.simulation_for(circuit, end)
        for key, value in (("ensemble", ensemble), ("seed", seed),
                           ("temperature_noise", temperature_noise), ("n_save", n_save)):
            if value is not None:
                opts[key] = value
        _compile_notice()
        traj = sim.run(end, progress=progress, **opts)
    except (DynamicsError, DeviceError, ValueError) as err:
        _report(device, err)
        sys.exit(EXIT_INPUT)
    except MemoryError:
        _report(device, "out of memory: fewer trajectories (--ensemble) or saved instants "
                "(--n-save)")
        sys.exit(EXIT_INPUT)
    from .io import atomic_write
    from .plotting import save_png

    fig = None
    if plot_path:
        try:
            fig = traj.plot()
        except ImportError:
            _report(device, "plot: needs matplotlib (pip install 'spincaloric[plot]')")
            sys.exit(EXIT_INPUT)
    written = []
    try:
        if output:
            atomic_write(output, lambda tmp: traj.to_xarray().to_netcdf(tmp))
            written.append(Path(output))
        if fig is not None:
            save_png(fig, plot_path)
    except OSError as err:
        for path in written:  # all outputs or none
            path.unlink(missing_ok=True)
        _report(device, f"output: {err.strerror or err}")
        sys.exit(EXIT_INPUT)
    summary = traj.summary()
    if as_json:
        click.echo(json.dumps({"file": device, "until": end, "magnets": summary}))
    else:
        for name, s in summary.items():
            t = s["switching_time"]
            when = f"switched at {t * 1e9:.3f} ns" if s["switched"] else "did not switch"
            m = ", ".join(f"{x:+.3f}" for x in s["final_magnetization"])
            if "switching_probability" not in s:
                click.echo(f"{name}: {when}; final m = ({m})")
                continue
            median = s["median_switching_time"]
            mean = ", ".join(f"{x:+.3f}" for x in s["mean_final_magnetization"])
            click.echo(f"{name}: switching probability {s['switching_probability']:.3f} over "
                       f"{s['ensemble']} trajectories"
                       + (f", median switching time {median * 1e9:.3f} ns" if median else "")
                       + f"; mean final m = ({mean}); trajectory 0 {when}, final m = ({m})")


@main.command()
@click.argument("device", type=click.Path(dir_okay=False))
@click.option("--vary", "varies", multiple=True,
              help="KEY=start:stop:count or KEY=v1,v2 (e.g. right.magnetization.theta=0:180:181;"
                   " keys NODE.voltage, NODE.temperature, NODE.current, NODE.magnetization.theta"
                   "/.phi in V, K, A, degrees)")
@click.option("-o", "--output", type=click.Path(), required=True,
              help="result file, netCDF or (ending in .zarr) a zarr store; written atomically")
@click.option("--zip", "zipped", is_flag=True,
              help="pair the --vary lists point by point (a list of points, not a grid)")
def sweep(device, varies, output, zipped):
    """Solve DEVICE over a grid (or, with --zip, a list) of parameter values; reservoir drives
    and magnetization angles in one batched call, any other numeric value written in the
    file (e.g. contacts[1].conductance of a contact in the paper form, nodes.spacer.spin_flip
    once the file gives one) by rebuilding; labelled netCDF/zarr."""
    from .device import DeviceError
    from .io import read_toml, with_absolute_files
    from .sweep import parse_vary, sweep_file

    try:
        spec, circuit = _load(device)
    except _Failed:
        sys.exit(EXIT_INPUT)
    _check_outputs(device, output=output)
    try:
        varies = varies or spec.sweep
        if not varies:
            raise DeviceError("vary", "give --vary or a [sweep] table with vary = [...]")
        axes = [parse_vary(v) for v in varies]
        ds = sweep_file(with_absolute_files(read_toml(device), Path(device).parent), axes,
                        zipped)
    except (DeviceError, ValueError) as err:
        _report(device, err)
        sys.exit(EXIT_INPUT)
    except MemoryError:
        _report(device, "vary: out of memory: a smaller grid")
        sys.exit(EXIT_INPUT)
    from .io import save_dataset

    _write_or_exit(device, output, lambda: save_dataset(ds, output))
    shape = str(len(axes[0][1])) if zipped else " x ".join(str(len(v)) for _, v in axes)
    click.echo(f"{device}: {shape} points -> {output}")


@main.command(name="map")
@click.argument("device", type=click.Path(dir_okay=False))
@click.option("--vary", "varies", multiple=True,
              help="PATH=start:stop:count or PATH=v1,v2 with a device-file path, e.g. "
                   "drives.free.temperature.peak=10:60:6 or nodes.free.magnet.damping=0.01,0.02")
@click.option("--until", type=Duration(), help="end time of each run [default: file or 10ns]")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="netCDF result (chunks are kept in OUTPUT.chunks/ until it is complete)")
@click.option("--chunk", type=click.IntRange(min=1), default=16, show_default=True,
              help="points per task")
@click.option("--workers", type=click.IntRange(min=1), help="local dask cluster of N processes")
@click.option("--scheduler", help="address of a running dask.distributed scheduler")
@click.option("--resume", is_flag=True, help="continue an interrupted map")
@click.option("--progress/--no-progress", default=None, help="progress bar on stderr")
def switching_map_command(device, varies, until, output, chunk, workers, scheduler, resume,
                          progress):
    """Switching map of DEVICE: its dynamics at every point of a parameter grid."""
    from .device import DeviceError
    from .io import read_toml, with_absolute_files
    from .maps import switching_map
    from .sweep import parse_vary

    try:
        data = with_absolute_files(read_toml(device), Path(device).parent)
        spec, _ = _load(device)
        opts = {k: v for k, v in spec.simulation.items() if k not in ("until", "joule_heating")}
        end = until or spec.simulation.get("until", 10e-9)
        varies = varies or spec.sweep
        if not varies:
            raise DeviceError("vary", "give --vary or a [sweep] table with vary = [...]")
        axes = [parse_vary(v) for v in varies]
        _compile_notice()
        ds = switching_map(data, axes, end, output, chunk=chunk, workers=workers,
                           scheduler=scheduler, resume=resume,
                           progress=sys.stderr.isatty() if progress is None else progress,
                           run_kw=opts)
    except _Failed:
        sys.exit(EXIT_INPUT)
    except (TimeoutError, ConnectionError) as err:
        where = f"--scheduler {scheduler}" if scheduler else "--workers"
        _report(device, f"{where}: cannot reach the dask cluster ({err})")
        sys.exit(EXIT_INPUT)
    except OSError as err:
        _report(device, f"<file>: {err.strerror or err}")
        sys.exit(EXIT_INPUT)
    except (DeviceError, ValueError) as err:
        _report(device, err)
        sys.exit(EXIT_INPUT)
    frac = float(ds["switched"].mean())
    click.echo(f"{device}: {ds['switched'].size} runs, {frac:.0%} switched -> {output}")


@main.command()
@click.argument("result", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="figure file (PNG)")
@click.option("--variable", help="variable to draw (default: the torque on the first magnet); "
              "quote names with '->', e.g. --variable 'left->spacer.charge_current'")
@click.option("--component", type=click.Choice(["x", "y", "z", "norm"]),
              help="of a vector variable [default: all and |v| for 1-D sweeps, norm for maps]")
def plot(result, output, variable, component):
    """Draw a sweep RESULT (netCDF): a line for 1-D, a map for 2-D, with units."""
    from .device import DeviceError
    from .plotting import save_png
    from .sweep import plot_dataset

    try:
        from .io import load_dataset

        ds = load_dataset(result)
        if variable is not None and variable not in ds:
            hint = (" (a name with '->' must be quoted in the shell)"
                    if any(str(v).startswith(variable) and "->" in str(v) for v in ds.data_vars)
                    else "")
            raise DeviceError("variable", f"{variable!r} is not in the file{hint}; it has "
                              f"{', '.join(map(str, ds.data_vars))}")
        fig = plot_dataset(ds, variable, component)
    except ImportError as err:
        _report(result, f"plot: needs {err.name or 'matplotlib'} (pip install 'spincaloric[plot]')")
        sys.exit(EXIT_INPUT)
    except OSError as err:
        _report(result, f"<file>: {err.strerror or err}")
        sys.exit(EXIT_INPUT)
    except (DeviceError, ValueError) as err:
        _report(result, err)
        sys.exit(EXIT_INPUT)
    _write_or_exit(result, output, lambda: save_png(fig, output))
    click.echo(f"wrote {output}")


def _steady(spec, circuit, path):
    """(Solution, SpectralSolution or None): the linear solver, or the energy-resolved one for
    regime "spectral"."""
    if circuit.regime != "spectral":
        from .errors import FieldError

        try:
            return circuit.solve(), None
        except FieldError as err:  # a drive that takes the solution out of range
            _report(path, err)
            raise _Failed from None
    from .spectral import as_solution, solve_relaxed

    opts = spec.spectral or {}
    try:
        sol, _ = solve_relaxed(circuit, opts.get("relaxation", {}), phonons=opts.get("phonons"),
                               points=opts.get("points", 2001), window=opts.get("window", 40.0),
                               tol=opts.get("tol", 1e-6), max_iter=opts.get("max_iter", 30))
    except ValueError as err:  # a table that does not cover the biases, no convergence, …
        field = getattr(err, "field", "")
        _report(path, f"spectral.{err}" if field in ("max_iter", "tol", "points", "window")
                else err)
        raise _Failed from None
    return as_solution(sol), sol


def _write_distributions(path, spectral, netcdf, png) -> None:
    """Write the distributions of a spectral solve (netCDF and/or PNG), atomically."""
    from .io import save_dataset
    from .plotting import save_png

    try:
        if netcdf:
            save_dataset(spectral.to_xarray(), netcdf)
            click.echo(f"wrote {netcdf}", err=True)
        if png:
            from .plotting import plot_distributions

            fig = plot_distributions(spectral)
            save_png(fig, png)
            click.echo(f"wrote {png}", err=True)
    except ImportError as err:
        _report(path, f"--plot: needs {err.name or 'matplotlib'} (pip install 'spincaloric[plot]')")
        sys.exit(EXIT_INPUT)
    except OSError as err:
        _report(path, f"--distributions/--plot: {err.filename or ''}: {err.strerror or err}")
        sys.exit(EXIT_INPUT)


def _table(path, sol) -> str:
    """A readable summary of a solution, with units (boundary conventions)."""
    c = sol.circuit
    lines = [f"{path}: {c.title or '(untitled)'} — {c.regime}, T = {c.temperature:g} K"]
    lines.append("  node            voltage (V)   spin accumulation (V)                    "
                 "temperature (K)  spin temperature (K)")
    for name, s in {**sol.nodes, **{k: v for k, v in sol.reservoirs.items()
                                     if c.current_biased[c.index[k]]}}.items():
        vec = " ".join(f"{x:+.4e}" for x in s.spin_accumulation)
        tvec = " ".join(f"{x:+.3e}" for x in s.spin_temperature)
        lines.append(f"  {name:<14} {float(s.voltage):+.5e}  [{vec}]  {float(s.temperature):.6f}"
                     f"  [{tvec}]")
    lines.append("  contact             charge (A)    heat (W)      spin current (A)")
    for r in sol.contacts:
        vec = " ".join(f"{x:+.3e}" for x in r.spin_current)
        lines.append(f"  {r.between[0] + '->' + r.between[1]:<18} {float(r.charge_current):+.4e}"
                     f"  {float(r.heat_current):+.4e}  [{vec}]")
    lines.append("  torque (N m), on each magnet (a layer's vertices summed)")
    shown = set()
    for name in sol.torques:
        group = c.magnet_nodes(name)
        if group[0] in shown:
            continue
        shown.add(group[0])
        label = name if len(group) == 1 else f"{group[0]}…{group[-1]}"
        tau = sol.magnet_torque(name)
        lines.append(f"  {label:<18} [" + " ".join(f"{x:+.4e}" for x in tau) + "]")
    lines.append(f"  entropy production {float(sol.entropy_production):.4e} W/K")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    main()
