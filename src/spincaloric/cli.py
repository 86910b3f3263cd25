"""The ``spincaloric`` command: solve, check and run device files; list materials.

Bad input never shows a traceback: each failing file prints ``error: FILE: <field>: <reason>``
on stderr, the other files are still processed, and the exit status is 2. Ctrl-C stops a run
or map within a fraction of a second: ``error: interrupted``, exit status 130 (143 after
SIGTERM); a run writes the part it finished, a map keeps its finished chunks for
``--resume``.
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
import numpy as np

from . import __version__
from .constants import MAX_TEMPERATURE, MIN_TEMPERATURE, SEEBECK_BOUND
from .errors import FieldError, unknown
from .files import (
    OutputInUse,
    dataset_suffix_problem,
    output_lock,
    output_problem,
    write_together,
)
from .linear_response import LinearResponseWarning
from .validation import require

EXIT_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM, as batch systems report a job stopped by kill


class _Failed(Exception):
    """A file failed; the message is already printed."""


_OVERWRITE = click.option("--overwrite", is_flag=True,
                          help="replace existing output files (never an input of the command)")


#: The SI units of the dimensional numbers in ``run --json`` and ``wer --json`` (the others are
#: pure numbers: unit vectors, probabilities, counts).
RUN_UNITS = {"until": "s", "switching_time": "s", "median_switching_time": "s",
             "peak_temperature": "K", "dt": "s"}
WER_UNITS = {"until": "s", "temperature": "K", "dt": "s"}


def _with_units(obj: dict, table: dict) -> str:
    """``obj`` as one JSON line, with ``units``: the entries of ``table`` whose keys occur in
    it (at any depth), so that a key listed has a value."""
    found = set()

    def walk(o):
        if isinstance(o, dict):
            found.update(o)
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(obj)
    return json.dumps({**obj, "units": {k: u for k, u in table.items() if k in found}})


def _check_outputs(source, inputs=(), overwrite=False, figures=("plot",), **paths) -> None:
    """Report the first unusable output path before any work (one line, exit 2): a missing
    directory, an input of the command, an existing file without ``--overwrite``, two
    outputs that are one file, or a figure (the flags in ``figures``) whose suffix names no
    format we write."""
    given = [(flag, path) for flag, path in paths.items() if path is not None]
    for flag, path in given:
        problem = output_problem(path, inputs, overwrite)
        if problem is None and flag not in figures:
            problem = dataset_suffix_problem(path)
        if problem is None and Path(path).suffix == ".zarr":
            try:
                require("zarr", "zarr")
            except ValueError as err:
                problem = err.reason
        if problem is None and flag in figures:
            from .io.plotting import figure_format

            try:
                figure_format(path)
            except ValueError as err:
                problem = err.reason
        if problem:
            _report(source, f"--{flag.replace('_', '-')}: {problem}")
            sys.exit(EXIT_INPUT)
    names = [Path(path).resolve() for _, path in given]
    if len(set(names)) < len(names):
        _report(source, f"--{given[-1][0].replace('_', '-')}: the same file as another output")
        sys.exit(EXIT_INPUT)


@contextlib.contextmanager
def _locked(source, *paths):
    """Hold the output lock of every path (:func:`spincaloric.files.output_lock`) for the
    block; another command writing one of them is one line naming its PID, exit 2."""
    with contextlib.ExitStack() as stack:
        for path in paths:
            if path is None:
                continue
            try:
                stack.enter_context(output_lock(path))
            except OutputInUse as err:
                _report(source, f"--output: {err.strerror}")
                sys.exit(EXIT_INPUT)
            except OSError as err:  # a directory one cannot write in (read-only, immutable)
                _report(source, f"--output: cannot write {path}: {err.strerror or err}")
                sys.exit(EXIT_INPUT)
        yield


def _write_or_exit(source, outputs) -> None:
    """Write ``outputs`` ((path, writer, is_dir) triples) all or none
    (:func:`spincaloric.files.write_together`); an OS error is one line, exit 2, and every
    existing file keeps its content."""
    try:
        write_together(outputs)
    except OSError as err:
        where = f" ({err.filename})" if err.filename else ""
        _report(source, f"output: {err.strerror or err}{where}")
        sys.exit(EXIT_INPUT)


def _finite(value: float, name: str) -> float:
    """A click callback: refuse NaN (ranges let it through: every comparison with it is
    false)."""
    if value != value:
        raise click.BadParameter(f"{name} must be a number, got nan")
    return value


def _report(path, err) -> None:
    """``error: PATH: FIELD: reason`` on one line, whatever the source; an error of the file
    as a whole (unreadable, not TOML: the field ``<file>`` or ``<toml>``) without a field."""
    reason = " ".join(str(err).split())
    reason = re.sub(r"^<(file|toml)>: ", "", reason)
    click.echo(f"error: {path}: {reason}", err=True)


def _load(path):
    """The device file read and validated (:func:`~spincaloric.io.prepare`: every check that
    solve, run, sweep and map make before computing — all of them, and check, load files
    through here); prints the error and raises _Failed on bad input."""
    from .circuit.device import DeviceError
    from .io.devicefile import prepare

    try:
        return prepare(path)
    except OSError as err:
        _report(path, f"{err.strerror or err}")
    except (DeviceError, ValueError, tomllib.TOMLDecodeError) as err:
        _report(path, err)
    raise _Failed


@contextlib.contextmanager
def _physics_warnings_once():
    """Show the first :class:`LinearResponseWarning` of the command as one line on stderr,
    ``warning: beyond linear response: ...``; later ones (other sweep points, files) are
    not repeated. The package's other warnings (a precision warning, angles that look like
    radians) are one line each, ``warning: ...``, once per message; other libraries' warnings
    are shown as Python shows them."""
    shown, said = [], set()

    def show(message, category, filename, lineno, file=None, line=None):
        text = f"{_WARNING_SOURCE[-1]}: {message}" if _WARNING_SOURCE else str(message)
        if issubclass(category, LinearResponseWarning):
            if not shown:
                click.echo(f"warning: {text}", err=True)
            shown.append(message)
        elif category.__module__.startswith("spincaloric."):
            if text not in said:
                click.echo(f"warning: {text}", err=True)
            said.add(text)
        else:
            default(message, category, filename, lineno, file, line)

    with warnings.catch_warnings():
        warnings.simplefilter("always", LinearResponseWarning)
        default, warnings.showwarning = warnings.showwarning, show
        yield


#: the device file that a command given several works on (its warnings then name it)
_WARNING_SOURCE: list[str] = []


@contextlib.contextmanager
def _warnings_of(path, files):
    """Within the block the package's warnings name ``path``, when the command was given
    several ``files`` (with one, the file is the command's own)."""
    several = len(files) > 1
    if several:
        _WARNING_SOURCE.append(str(path))
    try:
        yield
    finally:
        if several:
            _WARNING_SOURCE.pop()


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM (``kill``, a batch system's time limit) stops a command as Ctrl-C does: the
    temporaries and output locks are cleaned up, a map keeps its finished chunks."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        _TERMINATED.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


#: The SIGTERM received by this command, if any: it exits with EXIT_TERMINATED.
_TERMINATED: list[int] = []


class _OneLineErrors(click.Group):
    """A click group whose usage errors (unknown flags, bad values, missing arguments) are one
    line, ``error: <what>``, exit status 2 — like every other input error of the CLI — instead
    of click's usage block."""

    #: names a physicist may reach for, and the command that does it
    ALIASES = {"resonance": "fmr"}

    def get_command(self, ctx, cmd_name):
        return super().get_command(ctx, self.ALIASES.get(cmd_name, cmd_name))

    def main(self, args=None, prog_name=None, **extra):
        extra["standalone_mode"] = False
        try:
            with _physics_warnings_once(), _terminate_as_interrupt():
                return super().main(args, prog_name, **extra)
        except click.ClickException as err:
            click.echo(f"error: {err.format_message()}", err=True)
            sys.exit(EXIT_INPUT)
        except click.Abort as err:
            if isinstance(err.__cause__, KeyboardInterrupt):  # Ctrl-C: outputs are atomic,
                click.echo("error: interrupted", err=True)  # so nothing is half-written
                sys.exit(EXIT_TERMINATED if _TERMINATED else EXIT_INTERRUPTED)
            click.echo("error: aborted", err=True)
            sys.exit(EXIT_INPUT)


@click.group(cls=_OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="spincaloric")
def main():
    """Thermoelectric spin transport, spin-transfer torques and thermal switching in
    magnetoelectronic circuits (Hatami, Bauer, Zhang & Kelly, PRL 99, 066603 (2007))."""


@main.command(short_help="Solve the steady state of device files.")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="one JSON object per file (JSON Lines)")
@click.option("--distributions", type=click.Path(dir_okay=False),
              help='regime "spectral": write the energy-resolved distributions (netCDF)')
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False),
              help='regime "spectral": PNG of the distributions of the internal nodes')
@click.option("--only", "only", multiple=True, metavar="PATTERN",
              help="print only the nodes, magnets and contacts (FROM->TO, or either end) whose "
                   "names match PATTERN (shell-style: 'channel_1??', 'injector*'); repeatable; "
                   "not --json")
@_OVERWRITE
def solve(files, as_json, distributions, plot_path, only, overwrite):
    """Solve the steady state of device FILES."""
    from .io.devicefile import solution_record

    if distributions or plot_path:
        _check_outputs("solve", files, overwrite, distributions=distributions, plot=plot_path)
    if (distributions or plot_path) and len(files) != 1:
        click.echo("error: --distributions/--plot: need exactly one device file", err=True)
        sys.exit(EXIT_INPUT)
    failed = False
    for path in files:
        try:
            with _warnings_of(path, files):
                p = _load(path)
                spec, circuit = p.spec, p.circuit
                sol = _steady(spec, circuit, path)
            if (distributions or plot_path) and sol.distributions is None:
                _report(path, "--distributions/--plot: only for regime = \"spectral\"")
                raise _Failed
        except _Failed:
            failed = True
            continue
        if distributions or plot_path:
            with _locked(path, distributions, plot_path):
                _write_distributions(path, sol.distributions, distributions, plot_path)
        if as_json:
            click.echo(json.dumps(solution_record(path, sol)))
            continue
        try:
            click.echo(_table(path, sol, only))
        except ValueError as err:
            _report(path, err)
            failed = True
    sys.exit(EXIT_INPUT if failed else 0)


@main.command(short_help="Validate device files as every command does.")
@click.argument("files", nargs=-1, required=True, type=click.Path())
def check(files):
    """Validate device FILES without solving them: every check that solve, run, sweep and map
    make before they compute (the device, spectral and run settings, drives, magnets and
    [sweep] keys)."""
    failed = False
    for path in files:
        try:
            with _warnings_of(path, files):
                p = _load(path)
        except _Failed:
            failed = True
            continue
        spec, c = p.spec, p.circuit
        k = len(spec.magnets)
        extra = f", {_count(k, 'dynamic magnet')}" if k else ""
        click.echo(f"ok: {path} ({_count(c.n_nodes, 'node')}, "
                   f"{_count(c.n_contacts, 'contact')}, "
                   f"{_count(c.n_unknowns, 'unknown')}{extra})")
        if spec.magnets and spec.drives:  # drives idle over the file's run
            try:
                _warn_time_slips(path, spec.simulation_for(c, spec.until)[0], spec.until)
            except ValueError as err:  # a field error the run would report
                _report(path, err)
                failed = True
    sys.exit(EXIT_INPUT if failed else 0)


@main.command(short_help="List the interface and bulk material databases.")
@click.option("--temperature", type=click.FloatRange(min=MIN_TEMPERATURE, max=MAX_TEMPERATURE),
              default=300.0,
              callback=lambda ctx, param, v: _finite(v, "--temperature"),
              show_default=True, help="temperature for S, S↑, S↓ (K)")
@click.option("--bulk", is_flag=True, help="list the bulk materials (layers) instead")
def materials(temperature, bulk):
    """List the interface database (Table I of Hatami et al., PRL 99, 066603 (2007)), or with
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
        given = click.get_current_context().get_parameter_source("temperature")
        if given is click.core.ParameterSource.COMMANDLINE:
            click.echo("warning: --temperature: the bulk values are listed as their sources "
                       "give them (each source's temperature in the lines below); it sets "
                       "the thermopowers of the interface table", err=True)
        rows = bulk_table()
        cols = ["name", "kind", "resistivity", "spin_asymmetry", "spin_flip_length", "seebeck",
                "spin_seebeck", "thermal_conductivity", "density_of_states",
                "electron_heat_capacity_coefficient", "lattice_heat_capacity",
                "electron_phonon_coupling"]
        labels = ["name", "kind", "rho (Ohm m)", "beta", "l_sf (m)", "S (V/K)", "S_s (V/K)",
                  "kappa (W/m/K)", "D (1/J/m^3)", "gamma_e (J/m^3/K^2)", "c_p (J/m^3/K)",
                  "g_ep (W/m^3/K)"]
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
    beyond = [r["name"] for r in rows if abs(r["S (uV/K)"]) * 1e-6 >= SEEBECK_BOUND]
    if beyond:
        click.echo(f"warning: at {temperature:g} K the linear-in-T thermopower S = (S/T) T of "
                   f"{', '.join(beyond)} reaches sqrt(L0) = {SEEBECK_BOUND * 1e6:.0f} uV/K, "
                   "beyond the Sommerfeld expansion (S^2 < L0), which devices refuse",
                   err=True)


_DURATION = re.compile(r"^\s*([0-9.eE+-]+)\s*(s|ms|us|µs|ns|ps|fs)?\s*$")


class Duration(click.ParamType):
    """A time such as ``20ns``, ``1.5e-9`` (s) or ``500ps``."""

    name = "duration"

    def convert(self, value, param, ctx):
        if isinstance(value, float):
            return value
        from .io.paths import si_value

        m = _DURATION.match(str(value))
        try:
            t = si_value(str(value), "s") if m else float("nan")
        except ValueError:
            t = float("nan")
        unit = re.match(r"^\s*[0-9.eE+-]+\s*([^\s0-9.+-]\S*)\s*$", str(value))
        if not m and unit:
            self.fail(f"{value!r}: unknown unit {unit.group(1)!r} (s, ms, us, µs, ns, ps, fs)",
                      param, ctx)
        if not (math.isfinite(t) and t > 0):
            self.fail(f"{value!r} is not a positive duration (e.g. 20ns, 1e-9)", param, ctx)
        if m.group(2) is None and t >= 1e-3:  # "8" meant 8 ns, not 8 s of picosecond steps
            self.fail(f"{value!r} would be {t:g} s of magnetization dynamics (picosecond "
                      f"steps): give the unit you mean, e.g. {m.group(1)}ns or "
                      f"{m.group(1)}s", param, ctx)
        return t


class WholeNumber(click.IntRange):
    """A count in [min, max], also written as a float of whole value (``1e4``, ``1e6``, as
    counts of trajectories often are)."""

    name = "whole number"

    def convert(self, value, param, ctx):
        text = str(value).strip()
        if isinstance(value, str) and not text.lstrip("+-").isdigit():
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if number.is_integer():  # 1e4, 1.5e3, 200.0: exact whole numbers
                value = int(number)
        return super().convert(value, param, ctx)


def _count(n: int, noun: str) -> str:
    """The count with its noun: "1 contact", "3 contacts"."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _compile_notice():
    """A context in which stderr says so when the integration kernels are compiled (tens of
    seconds, once after installation: numba caches them on disk); silent when they load from
    the cache."""
    from .dynamics.compilation import announce_compilation

    finished = []  # compilations this command finished (their kernels are cached)

    def compiled(seconds: float) -> None:  # said on stderr, left out of the progress's times
        from .progress import discount

        discount(seconds)
        finished.append(seconds)
        click.echo(f"compiling the integration kernels: done in {seconds:.0f} s; running",
                   err=True)

    def interrupted() -> None:
        click.echo("compiling the integration kernels: interrupted (" + (
            "those compiled before it are cached; the next run of this kind compiles the rest"
            if finished else "nothing computed or cached: the next run of this kind compiles "
            "again") + ")", err=True)

    return announce_compilation(
        lambda: click.echo("compiling the integration kernels this kind of run needs (once "
                           "after installation for each kind — deterministic, noisy, ensemble "
                           "—, one to a few minutes; cached afterwards) ...", err=True),
        compiled, interrupted)


def _load_dynamic(device):
    """The prepared device file ``device`` with at least one dynamic magnet; otherwise one
    line naming the field, exit status 2."""
    try:
        p = _load(device)
    except _Failed:
        sys.exit(EXIT_INPUT)
    if not p.spec.magnets:
        _report(device, "nodes: no dynamic magnet (add a [nodes.NAME.magnet] or "
                "[layers.NAME.magnet] table)")
        sys.exit(EXIT_INPUT)
    return p


@main.command(short_help="Integrate the LLGS dynamics of the dynamic magnets.")
@click.argument("device", type=click.Path(dir_okay=False))
@click.option("--until", type=Duration(), help="end time, e.g. 20ns [default: file or 10ns]")
@click.option("--ensemble", type=WholeNumber(min=1), help="number of trajectories")
@click.option("--temperature-noise", is_flag=True, default=None,
              help="Brown's thermal field (stochastic Heun)")
@click.option("--seed", type=WholeNumber(0, 2**63 - 1),
              help="random seed of the thermal field and starts, in [0, 2**63)")
@click.option("--thermal-start/--no-thermal-start", default=None,
              help="draw each trajectory's starting magnetizations from the magnets' thermal "
                   "equilibrium in their wells (Boltzmann, at the static circuit's "
                   "temperature) instead of the file's magnetization [default: the file's "
                   "[simulation] thermal_start, else off]")
@click.option("--n-save", type=WholeNumber(min=2), help="saved instants")
@click.option("--dt", type=Duration(),
              help="fixed step of the noisy (Heun) or RK4 runs, e.g. 0.5ps [default: the "
                   "file's [simulation] dt, else 1 ps or less where the precession needs]")
@click.option("--method", type=click.Choice(["rk45", "rk4", "heun"]),
              help="integrator: adaptive Dormand–Prince (rk45), fixed-step RK4 or stochastic "
                   "Heun [default: the file's [simulation] method, else heun with "
                   "--temperature-noise and rk45 without]")
@click.option("-o", "--output", type=click.Path(),
              help="trajectory file: netCDF, or (ending in .zarr) a zarr store")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False),
              help="figure of m(t), the drives and τ(t) (PNG, PDF or SVG, by its suffix)")
@_OVERWRITE
@click.option("--json", "as_json", is_flag=True, help="print a JSON summary")
@click.option("--progress/--no-progress", default=None,
              help="progress of long jobs on stderr: a bar on a terminal, otherwise a line "
                   "every few seconds [default: on]")
@click.option("--joule-heating/--no-joule-heating", default=None,
              help="add the Joule heat of the drives as heat in the nodes [default: file]")
@click.option("--pumping/--no-pumping", default=None,
              help="spin pumping by the moving magnets into the circuit (enhanced damping, "
                   "dynamic coupling, pumped currents); --no-pumping: torques of static "
                   "magnets only [default: the file's [simulation] pumping, else on]")
@click.option("--circuit/--no-circuit", "with_circuit", default=True,
              help="the torques and every contact's charge and heat currents in the output "
                   "and figure, solved at every saved instant; --no-circuit: only m, the "
                   "drives and the node temperatures (large ensembles: a smaller file, "
                   "written sooner) [default: on]")
def run(device, until, ensemble, temperature_noise, seed, thermal_start, n_save, dt, method,
        output, plot_path, overwrite, as_json, progress, joule_heating, pumping, with_circuit):
    """Integrate the LLGS dynamics of the dynamic magnets of DEVICE.

    A magnet has switched when its magnetization along the easy axis ends below −0.5 of its
    start's side (m·u·sign(m₀·u) < −0.5 at the end); an ensemble prints the fraction that
    did with its 95 % interval. (`wer` decides a write at the barrier's top instead.)"""
    from .errors import Interrupted

    p = _load_dynamic(device)
    _check_outputs(device, [device], overwrite, output=output, plot=plot_path)
    with _locked(device, output, plot_path):
        try:
            traj, end = _integrate(device, p, until, ensemble,
                                   dict(temperature_noise=temperature_noise, seed=seed,
                                        thermal_start=thermal_start, n_save=n_save, dt=dt,
                                        method=method),
                                   progress, joule_heating, pumping)
        except Interrupted as err:  # keep the part done, say where it stopped, then stop
            _keep_interrupted(device, err, output, plot_path, with_circuit,
                              progress is not False)
            raise KeyboardInterrupt from err
        stopped = _write_run(device, traj, output, plot_path, with_circuit,
                             progress is not False)
        for written in () if stopped else (output, plot_path):
            if written:
                click.echo(f"wrote {written}", err=True)
    _print_run(device, traj, end, as_json)  # the trajectories are whole even so
    if stopped:
        raise KeyboardInterrupt  # while solving the file's circuit quantities


@main.command(short_help="Write-error rate of a device's write pulse at finite temperature.")
@click.argument("device", type=click.Path(dir_okay=False))
@click.option("--trajectories", type=WholeNumber(1, 2**31),
              help="trajectories N of brute force or importance sampling [default: 10000]")
@click.option("--importance", is_flag=True,
              help="importance sampling of the starting state, sharpened by the cross-entropy "
                   "method; default: brute force")
@click.option("--sharpen", type=click.FloatRange(min=1.0),
              help="the starting-state proposal's sharpening s >= 1 (implies --importance; "
                   "default: found from pilot runs)")
@click.option("--splitting", is_flag=True,
              help="adaptive multilevel splitting: the writes that run latest against the "
                   "thermal diffusion are cloned and continued with fresh noise (rates of "
                   "1e-6 and below)")
@click.option("--particles", type=WholeNumber(2, 2**20),
              help="particles n of each splitting replica [default: 100]: relative error "
                   "about sqrt(|ln WER|/(n R)), cost about n R (1 + |ln WER|) trajectories")
@click.option("--replicas", type=WholeNumber(1, 10**4),
              help="independent splitting replicas R: their mean and its Student's t "
                   "interval [default: 8]")
@click.option("--pilot", type=WholeNumber(min=10),
              help="trajectories per cross-entropy level (not counted in N) [default: 1000]")
@click.option("--magnet", help="the dynamic magnet written [default: the only one]")
@click.option("--until", type=Duration(), help="end of each run, e.g. 5ns [default: file]")
@click.option("--seed", type=WholeNumber(0, 2**63 - 1), default=0, show_default=True,
              help="random seed of the starting states and the thermal field")
@click.option("--json", "as_json", is_flag=True, help="print a JSON summary")
@click.option("--progress/--no-progress", default=None,
              help="progress on stderr [default: on]")
@click.option("--dt", type=Duration(),
              help="fixed step of the noisy (Heun) or RK4 runs, e.g. 0.5ps [default: the "
                   "file's [simulation] dt, else 1 ps or less where the precession needs]")
@click.option("--pumping/--no-pumping", default=None,
              help="spin pumping by the moving magnet [default: the file's, else on]")
@click.option("--vary", "varies", multiple=True, metavar="KEY=VALUES",
              help="the rate at each value of a key of the file (START:STOP:N or V1,V2,..., "
                   "SI units or the key's unit with a prefix), e.g. "
                   "drives.free.voltage.amplitude=-0.4mV:-0.8mV:5; repeat for a grid (a pulse's "
                   "amplitude and duration: the cell's write-error map); every point with the "
                   "same seed")
@click.option("-o", "--output", type=click.Path(),
              help="with --vary: write the curve or map (netCDF, or zarr for a name ending in "
                   ".zarr)")
@_OVERWRITE
def wer(device, trajectories, importance, sharpen, splitting, particles, replicas, pilot,
        magnet, until, seed, as_json, progress, dt, pumping, varies, output, overwrite):
    """Write-error rate of DEVICE: the probability that its drives (the write pulse) leave a
    magnet unswitched (on its initial side of the barrier's top when the run ends: m·ref >= 0,
    or -B/B_K,eff with a field B along the easy axis), each trajectory starting in thermal equilibrium in the magnet's well
    and feeling the thermal field throughout (docs/dynamics.md, write-error rates): by brute
    force, importance sampling of the starting state, or adaptive multilevel splitting.
    Prints the rate with its 95 % interval."""
    from .circuit.device import DeviceError
    from .dynamics.simulation import DynamicsError
    from .errors import Interrupted
    from .progress import span
    from .studies.wer import write_error_rate

    if output and not varies:
        _report(device, "-o: a curve's file: give --vary (one rate is printed; --json for "
                "scripts)")
        sys.exit(EXIT_INPUT)
    if output:
        _check_outputs(device, [device], overwrite, output=output)
    p = _load_dynamic(device)
    spec = p.spec
    if pumping is not None:
        spec.simulation["pumping"] = pumping
    end = until or spec.until
    estimate = dict(trajectories=trajectories, magnet=magnet,
                    method="splitting" if splitting else None,
                    importance=importance or sharpen is not None, sharpen=sharpen, pilot=pilot,
                    particles=particles, replicas=replicas, seed=seed,
                    progress=progress is not False)
    if varies:
        _wer_grid(device, p, varies, until, pumping, dt, estimate, as_json, output)
        return
    try:
        sim, opts = spec.simulation_for(p.circuit, end)
        _warn_time_slips(device, sim, end)
        with _compile_notice():
            result = write_error_rate(sim, end, dt=dt or opts.get("dt"), **estimate)
    except (DynamicsError, DeviceError, ValueError) as err:
        _report(device, _named(err, spec, dt, until=until))
        sys.exit(EXIT_INPUT)
    except Interrupted as err:  # say what the finished part found, then stop as interrupted
        if not hasattr(err.partial, "summary"):  # a pilot run's own part: no estimate yet
            click.echo(f"{device}: interrupted during the cross-entropy search for the "
                       "sharpening: nothing estimated yet (its pilot trajectories are not "
                       "part of the estimate)", err=True)
            raise KeyboardInterrupt from err
        click.echo(f"{device}: interrupted after {err.done} of {err.total} {err.parts}; the "
                   f"finished ones give: {err.partial}", err=True)
        if as_json:  # the partial estimate for scripts too, marked as such
            click.echo(_with_units({"file": device, "until": end, "seed": seed,
                                    "pumping": sim.pumps, **err.partial.summary(),
                                    "interrupted": {err.parts: [err.done, err.total]}},
                                   WER_UNITS))
        raise KeyboardInterrupt from err
    for warning in result.warnings():
        click.echo(f"warning: {device}: {warning}", err=True)
    if as_json:
        click.echo(_with_units({"file": device, "until": end, "seed": seed,
                                "pumping": sim.pumps, **result.summary()}, WER_UNITS))
    else:
        click.echo(f"{result}, run to {span(end)}")


def _wer_grid(device, p, varies, until, pumping, dt, estimate, as_json, output):
    """``wer --vary``: the rate at each point of the grid of the varied keys, a line (or JSON
    line) each as it finishes, the curve or map into ``output`` once all are done (nothing
    written if stopped)."""
    from .circuit.device import DeviceError
    from .dynamics.simulation import DynamicsError
    from .io.devicefile import dataset_output
    from .io.paths import check_keys, parse_varies, unit_of
    from .studies.wer import write_error_rates

    def report(point, result):
        where = ", ".join(f"{k} = {v:g}" + (f" {unit_of(k)}" if unit_of(k) not in ("", "1")
                                             else "") for k, v in point.items())
        for warning in result.warnings():
            click.echo(f"warning: {device}: {where}: {warning}", err=True)
        if as_json:
            click.echo(_with_units({"file": device, **point, "seed": estimate["seed"],
                                    **result.summary()}, WER_UNITS))
        else:
            click.echo(f"{where}: {result}")
        done.append(point)

    done, total = [], 0
    try:
        axes = parse_varies(varies, p.data, p.circuit)
        if len({k for k, _ in axes}) != len(axes):
            raise DeviceError("vary", "each key may be varied once")
        check_keys(p.data, p.circuit, [k for k, _ in axes])
        total = math.prod(len(v) for _, v in axes)
        with _compile_notice():
            ds = write_error_rates(p.data, axes, until, pumping=pumping, dt=dt,
                                   on_result=report, **estimate)
    except (DynamicsError, DeviceError, ValueError) as err:
        _report(device, str(_named(err, p.spec, dt, until=until)))
        sys.exit(EXIT_INPUT)
    except KeyboardInterrupt:
        click.echo(f"{device}: interrupted after {len(done)} of {total} points"
                   + (f"; {output} not written" if output else ""), err=True)
        raise
    if output:
        with _locked(device, output):
            _write_or_exit(device, [dataset_output(ds, output)])
        click.echo(f"{device}: {total} points -> {output}", err=True)


def _integrate(device, p, until, ensemble, flags, progress, joule_heating, pumping):
    """(Trajectory, end time (s)) of ``spincaloric run`` with the run ``flags`` given on the
    command line (None: the file's); bad input is one line, exit 2."""
    from .circuit.device import DeviceError
    from .dynamics.simulation import DynamicsError

    spec, circuit = p.spec, p.circuit
    for key, flag in (("joule_heating", joule_heating), ("pumping", pumping)):
        if flag is not None:
            spec.simulation[key] = flag
    end = until or spec.until
    dt = flags["dt"]
    progress = progress is not False  # a bar on a terminal, plain lines in a log
    try:
        sim, opts = spec.simulation_for(circuit, end)
        for key, value in (("ensemble", ensemble), *flags.items()):
            if value is not None:
                opts[key] = value
        if opts.get("ensemble", 1) > 1 and not (opts.get("temperature_noise")
                                                or opts.get("thermal_start")):
            click.echo(f"warning: {device}: an ensemble without --temperature-noise or "
                       f"--thermal-start: its {opts['ensemble']} trajectories are identical",
                       err=True)
        method = opts.get("method", "heun" if opts.get("temperature_noise") else "rk45")
        if "dt" in opts and method == "rk45":
            click.echo(f"warning: {device}: {'--dt' if dt else 'simulation.dt'} is the step of "
                       "the fixed-step methods (--method rk4 or heun); rk45 chooses its own "
                       "steps (simulation.max_step)", err=True)
            opts.pop("dt")  # said here, in the file's and the flags' words
        _warn_time_slips(device, sim, end)
        with _compile_notice():
            traj = sim.run(end, progress=progress, **opts)
        _warn_repeated_saves(device, traj)
    except (DynamicsError, DeviceError, ValueError) as err:
        _report(device, _named(err, spec, dt, flags["method"], until,
                               flags["thermal_start"]))
        sys.exit(EXIT_INPUT)
    except MemoryError:
        _report(device, "out of memory: fewer trajectories (--ensemble) or saved instants "
                "(--n-save)")
        sys.exit(EXIT_INPUT)
    return traj, end


def _named(err, spec, dt, method=None, until=None, thermal_start=None):
    """A run's field error named as the user gave the setting: ``--dt`` (``--method``,
    ``--until``) when the flag set the step (the integrator, the end), else a
    ``[simulation]`` key of the file by that key
    (:func:`~spincaloric.io.devicefile.in_file`)."""
    from .errors import FieldError
    from .io.devicefile import in_file

    for field, flag in (("dt", dt), ("method", method), ("until", until),
                        ("thermal_start", thermal_start)):
        if flag is not None and isinstance(err, FieldError) and err.field == field:
            return type(err)(f"--{field.replace('_', '-')}", err.reason)
    return in_file(err, spec.simulation)


#: Radians of precession beyond which a run is said to be long (10⁸ turns: ~2 ms at
#: 86 GHz; a run of 600 µs is not warned of)
LONG_RUN_RADIANS = 1e9


def _warn_time_slips(device, sim, end: float) -> None:
    """Warnings for times read in another unit than meant: a run that follows more than
    :data:`LONG_RUN_RADIANS` of precession (``--until 8ms`` where 8ns was meant), a drive's
    duration beyond a thousand runs (:func:`_warn_long_drive_times`), and every drive that
    keeps one value over the whole run (its pulse starts after the end: a start in s where
    ns was meant, say). None for an end beyond the longest run: refused as such."""
    from .dynamics.simulation import MAX_TURNING, MAX_UNTIL
    from .progress import span

    if not end <= MAX_UNTIL:
        return

    name, fastest = max(((k, m.precession_rate) for k, m in sim.magnets.items()),
                        key=lambda kv: kv[1])
    turning = end * fastest
    if LONG_RUN_RADIANS < turning <= MAX_TURNING:  # beyond: refused, with the same figures
        click.echo(f"warning: {device}: until = {span(end)} follows up to {turning:.2g} rad of "
                   f"precession of {name} ({fastest / (2e9 * math.pi):.3g} GHz at most): a "
                   "long run (ns meant?)", err=True)
    _warn_long_drive_times(device, sim, end)
    for name in sim.idle_drives(end):
        click.echo(f"warning: {device}: {name} keeps its static value over the run "
                   f"(0 – {span(end)}): it acts nowhere in it (a zero amplitude, or a start in s "
                   "where ns was meant?)", err=True)


def _warn_long_drive_times(device, sim, end: float) -> None:
    """A warning for a drive's duration, rise, width or decay (s) beyond 10³ times the run
    (``duration = 2.5`` over a 3.1 ns run: s where ns was meant?); the instants (start, time,
    center) are :meth:`~spincaloric.dynamics.simulation.Simulation.idle_drives`' to judge."""
    import dataclasses

    from .io.paths import unit_of
    from .progress import span

    for (node, quantity), drive in sim.drives.items():
        fields = dataclasses.fields(drive) if dataclasses.is_dataclass(drive) else ()
        for f in fields:
            key, value = f"drives.{node}.{quantity}.{f.name}", getattr(drive, f.name)
            if f.name in ("start", "time", "center") or unit_of(key) != "s" or not isinstance(
                    value, (int, float)) or not abs(value) > 1e3 * end:
                continue
            click.echo(f"warning: {device}: {key} = {value:g} s is {abs(value) / end:.2g} times "
                       f"the run (0 – {span(end)}): s where ns was meant?", err=True)


def _warn_repeated_saves(device, traj) -> None:
    """A warning when a fixed-step run saved instants closer than its step: each holds the
    state of the nearest step, so consecutive saved states repeat."""
    dt = traj.settings.get("dt")
    if dt is None or len(traj.time) < 2:
        return
    spacing = float(traj.time[1] - traj.time[0])
    if spacing < dt * (1 - 1e-9):  # round-off of the instants apart
        click.echo(f"warning: {device}: the saved instants are {spacing:.3g} s apart, closer "
                   f"than the step dt = {dt:.3g} s: a saved state is the nearest step's, so "
                   f"consecutive ones repeat (--n-save at most {int(traj.time[-1] / dt) + 1})",
                   err=True)


def _write_run(device, traj, output, plot_path, with_circuit=True, progress=False,
               skipped=None) -> bool:
    """The trajectory file and its figure (the figure of ``spincaloric plot``), all or none;
    the circuit's quantities in them unless ``with_circuit`` is false or they are
    ``skipped`` (the reason, marked ``incomplete`` in the file), or Ctrl-C (SIGTERM) stops
    their solve: then without them, said in one line. With ``progress``, that solve (every
    saved instant of every trajectory: about a minute for 10⁴ trajectories) reports its
    progress. Returns whether it was interrupted so."""
    from .io.devicefile import dataset_output

    if not (output or plot_path):
        return False
    stopped, ds = False, None
    if with_circuit and skipped is None:
        try:
            ds = _with_circuit(traj, progress)
        except KeyboardInterrupt:
            stopped = True
            skipped = "terminated (SIGTERM)" if _TERMINATED else "interrupted"
            paths = [str(p) for p in (output, plot_path) if p]
            click.echo(f"{device}: {skipped} while solving the circuit's quantities: "
                       f"{' and '.join(paths)} {'hold' if len(paths) > 1 else 'holds'} m, the "
                       "drives and the temperatures only (as --no-circuit; marked "
                       "'incomplete')", err=True)
    if ds is None:
        ds = traj.to_xarray(with_circuit=False)
        if with_circuit:
            ds.attrs["incomplete"] = (f"the circuit's quantities (torques, currents) were not "
                                      f"solved: {skipped}; m, the drives and the temperatures "
                                      "are whole")
    outputs = [dataset_output(ds, output)] if output else []
    if plot_path:
        try:
            from .io.plotting import plot_trajectory, png_output

            outputs.append(png_output(plot_trajectory(ds), plot_path))
        except ImportError:
            _report(device, "plot: needs matplotlib (pip install 'spincaloric[plot]')")
            sys.exit(EXIT_INPUT)
    _write_or_exit(device, outputs)
    return stopped


def _with_circuit(traj, progress: bool):
    """``traj.to_xarray()`` with the circuit's quantities, their solve's progress reported
    (in trajectories) with ``progress``."""
    from .progress import Progress

    e, n_save = traj.m.shape[:2]
    if not progress:
        return traj.to_xarray(with_circuit=True)
    what = (f"the circuit's quantities at {n_save} instants of {e} trajectories (Ctrl-C: the "
            "file without them)")
    with Progress("run", e, what) as report:
        return traj.to_xarray(with_circuit=True, progress=report)


def _keep_interrupted(device, err, output, plot_path, with_circuit, progress=False) -> None:
    """A run stopped by Ctrl-C or SIGTERM: its finished part (``err.partial``, a Trajectory
    whose settings hold ``interrupted_at``) written to the outputs asked for, then one line
    on stderr saying what they hold (said once they do: a batch system's SIGKILL may follow).
    After SIGTERM the part is written at once, without the circuit's quantities (their
    solve can take minutes; a batch system's grace period is shorter), marked
    ``incomplete``."""
    from .progress import span

    part = err.partial
    what = f"{err.done} of {err.total} {err.parts}, 0 – {span(part.time[-1])}"
    if err.parts != "trajectories":
        what += f", {part.m.shape[0]} {'trajectory' if part.m.shape[0] == 1 else 'trajectories'}"
    kept = [str(p) for p in (output, plot_path) if p]
    how = "terminated (SIGTERM)" if _TERMINATED else "interrupted"
    if not kept:
        click.echo(f"{device}: {how}; {what} done (nothing written: no --output)", err=True)
        return
    skipped = "terminated (SIGTERM)" if _TERMINATED else None
    stopped = _write_run(device, part, output, plot_path, with_circuit, progress, skipped)
    note = (" (m, the drives and the temperatures: the circuit's quantities were not solved)"
            if with_circuit and (stopped or skipped) else "")
    click.echo(f"{device}: {how}; {what} kept in {' and '.join(kept)}{note}", err=True)


def _print_run(device, traj, end, as_json) -> None:
    """The run's summary on stdout: a line per magnet, or one JSON object; on stderr a
    warning of the trajectories the run's end leaves undecided."""
    summary = _printed(traj.summary())
    peaks = traj.peak_temperatures()
    _warn_unsettled(device, traj)
    if as_json:
        drawn = {k: traj.settings[k] for k in ("temperature_noise", "thermal_start", "seed",
                                               "dt") if k in traj.settings}
        click.echo(_with_units({"file": device, "until": end, **drawn, "magnets": summary,
                                **({"peak_temperature": peaks} if peaks else {})}, RUN_UNITS))
        return
    if peaks:
        click.echo("peak temperatures: " + ", ".join(f"{node} {t:.2f} K"
                                                     for node, t in peaks.items()))
    randomness = ", ".join(what for key, what in (("temperature_noise", "thermal noise"),
                                                  ("thermal_start", "thermal starts"))
                           if traj.settings.get(key))
    for name, s in summary.items():
        t = s["switching_time"]
        when = f"switched at {t * 1e9:.3f} ns" if s["switched"] else "did not switch"
        m = ", ".join(f"{x:+.3f}" for x in s["final_magnetization"])
        if "switching_probability" not in s:
            click.echo(f"{name}: {when}; final m = ({m})")
            continue
        median = s["median_switching_time"]
        mean = ", ".join(f"{x:+.3f}" for x in s["mean_final_magnetization"])
        low, high = s["switching_probability_interval_95"]
        spread = ("identical: no thermal noise" if s.get("identical_trajectories")
                  else f"95 % interval {_share(low)} – {_share(high)}")
        click.echo(f"{name}: switching probability {_share(s['switching_probability'])} "
                   f"({spread}) over {s['ensemble']} trajectories"
                   + f" ({randomness + '; ' if randomness else ''}switched: m along the easy "
                   "axis ended below −0.5 of its start's side)"
                   + (f", median switching time {median * 1e9:.3f} ns" if median else "")
                   + f"; mean final m = ({mean}); trajectory 0 {when}, final m = ({m})")


def _warn_unsettled(device, traj) -> None:
    """A line on stderr per magnet whose trajectories end between −0.5 and 0.5 of the easy
    axis (:meth:`~spincaloric.dynamics.trajectory.Trajectory.unsettled`)."""
    for name, open_ in traj.unsettled().items():
        count, total = int(open_.sum()), len(open_)
        if count:
            which = (f"{count} of {total} trajectories end" if total > 1
                     else "the trajectory ends")
            click.echo(f"warning: {device}: {name}: {which} with m·u between −0.5 and 0.5 of "
                       "the easy axis (still reversing, or held near the equator): counted as "
                       "not switched, though they may still switch: a longer --until settles "
                       "them (wer decides at the barrier's top)", err=True)


def _share(p: float) -> str:
    """A probability as printed: three decimals, two significant digits of p or 1 − p
    within 0.005 of 0 or 1 (0.00018 of 0 switched in 20 000, 0.99969, 0.9985)."""
    if 0 < p < 5e-3:
        return f"{p:.2g}"
    if 1 - 5e-3 < p < 1:
        return f"{p:.{1 - math.floor(math.log10(1 - p))}f}"
    return f"{p:.3f}"


_VARY = ("KEY=VALUE, KEY=START:STOP:N (N evenly spaced values) or KEY=V1,V2,..., numbers in "
         "SI units (V, K, A, S, m, s, T; angles in degrees), or with the key's own unit and an "
         "SI prefix (1nm:5nm:9, 0.5ns). KEY is the "
         "value's path in the device file: nodes.NAME.field or NAME.field (a node, or a layer "
         "with the layers. left out), layers.NAME.field, contacts[i].field, "
         "drives.NODE.QUANTITY.field, temperature; field[i] is a vector component; "
         "magnetization.theta/.phi the angles of a magnetization. Only values the file writes "
         "(and a reservoir's voltage and temperature). Repeat for more axes "
         "[default: vary = [...] of the file's [sweep] table].")


@main.command(short_help="Steady state over a grid of parameter values.")
@click.argument("device", type=click.Path(dir_okay=False))
@click.option("--vary", "varies", multiple=True, metavar="KEY=VALUES",
              help=_VARY + " Batched: a reservoir's voltage, temperature, current and a "
              "magnet's angles (right.temperature=300:310:11, free.magnetization.phi=0:180:19); "
              "any other value rebuilds the circuit (contacts[1].conductance=1e-3,2e-3).")
@click.option("-o", "--output", type=click.Path(), required=True,
              help="result file, netCDF or (ending in .zarr) a zarr store; written atomically")
@click.option("--zip", "zipped", is_flag=True,
              help="pair the --vary lists point by point (a list of points, not a grid)")
@_OVERWRITE
@click.option("--progress/--no-progress", default=None,
              help="progress of a large grid (solved in blocks of 2e5 points) on stderr: a bar "
                   "on a terminal, otherwise a line every few seconds [default: on]")
def sweep(device, varies, output, zipped, overwrite, progress):
    """Solve DEVICE over a grid (or, with --zip, a list) of parameter values; reservoir drives
    and magnetization angles in one batched call, any other numeric value written in the
    file (e.g. contacts[1].conductance of a contact in the paper form, nodes.spacer.spin_flip
    once the file gives one) by rebuilding; labelled netCDF/zarr."""
    try:
        p = _load(device)
    except _Failed:
        sys.exit(EXIT_INPUT)
    _check_outputs(device, [device], overwrite, output=output)
    with _locked(device, output):
        ds, axes = _sweep(device, p, varies, zipped, progress is not False)
        from .io.devicefile import dataset_output

        _write_or_exit(device, [dataset_output(ds, output)])
    shape = str(len(axes[0][1])) if zipped else " x ".join(str(len(v)) for _, v in axes)
    plural = "point" if shape == "1" else "points"
    click.echo(f"{device}: {shape} {plural} -> {output}")


def _sweep(device, p, varies, zipped, progress=False):
    """(Dataset, axes) of ``spincaloric sweep``; bad input is one line, exit 2."""
    from .circuit.device import DeviceError
    from .io.paths import parse_varies
    from .studies.sweep import sweep_file

    try:
        varies = varies or p.spec.sweep
        if not varies:
            raise DeviceError("vary", "give --vary or a [sweep] table with vary = [...]")
        axes = parse_varies(varies, p.data, p.circuit)
        _warn_own_temperatures(device, p.data, [key for key, _ in axes])
        ds = sweep_file(p.data, axes, zipped, progress=progress)
    except (DeviceError, ValueError) as err:
        _report(device, err)
        sys.exit(EXIT_INPUT)
    except MemoryError:
        _report(device, "vary: out of memory: a smaller grid")
        sys.exit(EXIT_INPUT)
    return ds, axes


def _warn_own_temperatures(device, data: dict, keys) -> None:
    """A warning when ``temperature`` (the device's T0) is varied and reservoirs have a
    temperature of their own: they keep it (ΔT = 210 K at T0 = 100 K, say)."""
    if "temperature" not in keys:
        return
    own = [name for name, node in (data.get("nodes") or {}).items()
           if isinstance(node, dict) and "temperature" in node
           and f"{name}.temperature" not in keys and f"nodes.{name}.temperature" not in keys]
    if own:
        click.echo(f"warning: {device}: temperature varies the device's T0; "
                   f"{', '.join(own)} keep{'s' if len(own) == 1 else ''} the temperature the "
                   "file gives (vary NODE.temperature too, with --zip, to move it along)",
                   err=True)


@main.command(name="map", short_help="Switching map: dynamics over a grid of parameters.")
@click.argument("device", type=click.Path(dir_okay=False))
@click.option("--vary", "varies", multiple=True, metavar="KEY=VALUES",
              help=_VARY + " E.g. drives.free.temperature.peak=10:60:6, "
              "free.magnet.damping=0.01,0.02, layers.free.magnetization.theta=0:30:4.")
@click.option("--until", type=Duration(), help="end time of each run [default: file or 10ns]")
@click.option("-o", "--output", type=click.Path(), required=True,
              help="result: netCDF, or (ending in .zarr) a zarr store; chunks are kept in "
                   "OUTPUT.chunks/ until it is complete")
@click.option("--chunk", type=WholeNumber(min=1),
              help="points per task [default: at most 16 trajectories' worth (1024 when only "
                   "drives and magnets vary: the points of a task then run as one ensemble), "
                   "about four tasks per worker and progress every 5 %]")
@click.option("--workers", type=WholeNumber(min=1), help="local dask cluster of N processes")
@click.option("--scheduler", help="address of a running dask.distributed scheduler")
@click.option("--resume", is_flag=True, help="continue an interrupted map")
@click.option("--temperature-noise", is_flag=True, default=None,
              help="Brown's thermal field (stochastic Heun) [default: the file's]")
@click.option("--seed", type=WholeNumber(0, 2**63 - 1),
              help="random seed of the thermal field and starts, in [0, 2**63): trajectory i of grid "
                   "point p (row-major) draws stream p N + i of it")
@click.option("--thermal-start/--no-thermal-start", default=None,
              help="draw each trajectory's starting magnetizations from the magnets' thermal "
                   "equilibrium in their wells [default: the file's [simulation] "
                   "thermal_start, else off]")
@click.option("--trajectories", type=WholeNumber(min=1),
              help="N trajectories per point (with thermal noise or thermal starts): the map holds "
                   "switching probabilities with their 95 % intervals [default: the file's "
                   "[simulation] ensemble, else 1]")
@click.option("--dt", type=Duration(),
              help="fixed step of the noisy (Heun) or RK4 runs, e.g. 0.5ps [default: the "
                   "file's [simulation] dt, else 1 ps or less where the precession needs]")
@click.option("--progress/--no-progress", default=None,
              help="progress of long jobs on stderr: a bar on a terminal, otherwise a line "
                   "every few seconds [default: on]")
@click.option("--overwrite", is_flag=True,
              help="replace an OUTPUT that holds another map (or another file) and the chunks "
                   "another map left beside it [default: an OUTPUT holding this map is read, "
                   "anything else refused]")
def switching_map_command(device, varies, until, output, chunk, workers, scheduler, resume,
                          temperature_noise, seed, thermal_start, trajectories, dt, progress,
                          overwrite):
    """Switching map of DEVICE: its dynamics at every point of a parameter grid."""
    from .circuit.device import DeviceError
    from .errors import Interrupted
    from .io.paths import parse_varies
    from .studies.maps import switching_map

    try:
        p = _load(device)
        data, spec = p.data, p.spec
        opts = spec.run_options()
        opts.update({k: v for k, v in (("temperature_noise", temperature_noise),
                                       ("seed", seed), ("thermal_start", thermal_start),
                                       ("dt", dt)) if v is not None})
        if dt is not None and opts.get("method", "heun" if opts.get("temperature_noise")
                                       else "rk45") == "rk45":
            click.echo(f"warning: {device}: --dt is the step of the fixed-step methods (noisy "
                       "runs: --temperature-noise, or simulation.method = \"rk4\"); the map's "
                       "rk45 runs choose their own steps (simulation.max_step)", err=True)
        end = until or spec.until
        varies = varies or spec.sweep
        if not varies:
            raise DeviceError("vary", "give --vary or a [sweep] table with vary = [...]")
        axes = parse_varies(varies, p.data, p.circuit)
        _check_outputs(device, [device], True, output=output)  # the map decides on reuse
        # the same map, finished: read, not run again
        done_before = Path(output).exists() and not overwrite  # a file, or a zarr store
        with _locked(device, output), _compile_notice():
            ds = switching_map(data, axes, end, output, chunk=chunk, workers=workers,
                               scheduler=scheduler, resume=resume,
                               progress=progress is not False,
                               run_kw=opts, trajectories=trajectories, overwrite=overwrite)
    except _Failed:
        sys.exit(EXIT_INPUT)
    except Interrupted as err:  # say what is kept and how to go on, then stop as interrupted
        if Path(err.partial).exists():
            click.echo(f"{device}: interrupted after {err.done} of {err.total} {err.parts}; "
                       f"their chunks stay in {err.partial}: the same command with --resume "
                       "continues", err=True)
        else:  # stopped before its first chunk: the store it made is gone
            click.echo(f"{device}: interrupted before any chunk of the {err.total} "
                       f"{err.parts} was finished (nothing kept)", err=True)
        raise KeyboardInterrupt from err
    except (TimeoutError, ConnectionError) as err:
        where = f"--scheduler {scheduler}" if scheduler else "--workers"
        _report(device, f"{where}: cannot reach the dask cluster ({err})")
        sys.exit(EXIT_INPUT)
    except OSError as err:
        _report(device, f"{err.strerror or err}")
        sys.exit(EXIT_INPUT)
    except (DeviceError, ValueError) as err:
        if isinstance(err, DeviceError) and err.field in ("output", "workers"):  # as flags
            err = DeviceError(f"--{err.field}", err.reason.replace("overwrite=True",
                                                                    "--overwrite"))
        _report(device, _named(err, spec, dt))
        sys.exit(EXIT_INPUT)
    if done_before:
        click.echo(f"{device}: {output} already holds this map (nothing computed)")
    if "unsettled_trajectories" in ds and int(ds["unsettled_trajectories"].sum()):
        count = ds["unsettled_trajectories"]
        click.echo(f"warning: {device}: {int(count.sum())} trajectories at "
                   f"{int((count.sum('magnet') > 0).sum())} of {count.sum('magnet').size} "
                   "points end with m·u between −0.5 and 0.5 of the easy axis (still "
                   "reversing, or held near the equator): counted as not switched, though they "
                   "may still switch (variable unsettled_trajectories; 'unsettled' in the "
                   "points' lines): a longer --until settles them", err=True)
    _print_map_points(ds)
    if "switching_probability" in ds:
        frac = float(ds["switching_probability"].mean())
        size = ds["switching_probability"].size
        click.echo(f"{device}: {size} point{'s' if size > 1 else ''} x "
                   f"{ds.attrs['trajectories']} trajectories, {frac:.0%} switched -> {output}")
    else:
        frac = float(ds["switched"].mean())
        click.echo(f"{device}: {ds['switched'].size} runs, {frac:.0%} switched -> {output}")


#: A map of at most this many points and magnets prints a line for each.
MAP_LINES = 64


def _print_map_points(ds) -> None:
    """A line per grid point and magnet of a small map (:data:`MAP_LINES`): its values with
    their units, whether (how many of its trajectories) switched and when."""
    keys = [d for d in ds["switching_time"].dims if d != "magnet"]
    if ds["switching_time"].size > MAP_LINES:
        return
    many = "switching_probability" in ds
    for index in np.ndindex(*(ds.sizes[k] for k in keys)):
        point = ds.isel(dict(zip(keys, index)))
        where = ", ".join(f"{k} = {point[k].item():g}" + (
            f" {point[k].attrs['units']}" if point[k].attrs.get("units", "1") not in ("", "1")
            else "") for k in keys)
        for magnet in ds["magnet"].values:
            at = point.sel(magnet=magnet)
            if many:
                low, high = at["switching_probability_interval"].values
                text = (f"{int(at['switched_trajectories'])} of {ds.attrs['trajectories']} "
                        f"switched (95 % interval {_share(low)} – {_share(high)})")
            else:
                text = "switched" if int(at["switched"]) else "did not switch"
            t = float(at["switching_time"])
            if np.isfinite(t):
                text += (f", median switching time {t * 1e9:.3f} ns" if many
                         else f" at {t * 1e9:.3f} ns")
            if "unsettled_trajectories" in at and int(at["unsettled_trajectories"]):
                text += f"; {int(at['unsettled_trajectories'])} unsettled at the end"
            click.echo(f"{where}: {magnet}: {text}")


@main.command(short_help="Ferromagnetic resonance of a dynamic magnet: frequency and damping.")
@click.argument("device", type=click.Path(dir_okay=False))
@click.option("--magnet", default=None,
              help="the dynamic magnet (a node or layer with a magnet table) [default: the "
                   "device's only one]")
@click.option("--vary", "varies", multiple=True, metavar="KEY=VALUES",
              help="KEY=START:STOP:N or KEY=V1,V2,...: the resonance at every point of the "
                   "grid (SI units; keys as in sweep), e.g. nodes.free.magnet.thickness="
                   "1e-9:5e-9:9 for the damping against thickness; repeat for more axes")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="netCDF result (frequency, decay rate, damping, g, equilibrium)")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False),
              help="with --vary: figure of f and α_eff against the parameter (PNG, PDF or SVG)")
@click.option("--json", "as_json", is_flag=True, help="print one JSON object")
@click.option("--ring-down", is_flag=True,
              help="also integrate the ring-down from a small tilt and fit a damped sinusoid "
                   "(a check of the eigenproblem; not with --vary)")
@_OVERWRITE
def fmr(device, magnet, varies, output, plot_path, as_json, ring_down, overwrite):
    """Ferromagnetic resonance of MAGNET in DEVICE: the small-angle mode about its
    equilibrium (the LLGS equation linearised, with the circuit's torque at the static
    drives): frequency f, decay rate Γ (linewidth 2Γ), effective damping α_eff and g-factor."""
    try:
        p = _load(device)
    except _Failed:
        sys.exit(EXIT_INPUT)
    names = list(p.spec.magnets)
    if magnet is None and len(names) == 1:
        magnet = names[0]
    problem = (("nodes", "no dynamic magnet (add a [nodes.NAME.magnet] table)") if not names
               else ("--magnet", f"which one: {', '.join(names)}") if magnet is None
               else ("--magnet", f"{magnet!r}: " + unknown("dynamic magnet", magnet, names))
               if magnet not in names
               else ("--plot", "needs --vary: f and α_eff are drawn against a parameter")
               if plot_path and not varies
               else ("--ring-down", "checks one device: not with --vary")
               if ring_down and varies else None)
    if problem:
        _report(device, f"{problem[0]}: {problem[1]}")
        sys.exit(EXIT_INPUT)
    _check_outputs(device, [device], overwrite, output=output, plot=plot_path)
    with _locked(device, output, plot_path):
        ds, axes, check = _resonances(device, p, magnet, varies, ring_down)
        _write_resonance(device, ds, output, plot_path)
    _print_resonance(device, ds, axes, check, as_json)


def _resonances(device, p, magnet, varies, ring_down):
    """(Dataset, axes, RingDown or None) of ``spincaloric fmr``; bad input one line, exit 2."""
    from .circuit.device import DeviceError
    from .io.paths import parse_varies
    from .studies.resonance import resonance_sweep

    try:
        axes = parse_varies(varies, p.data, p.circuit)
        ds = resonance_sweep(p.data, magnet, axes)
        check = None
        if ring_down:
            from .dynamics.resonance import ring_down as integrate_ring_down
            from .dynamics.simulation import Simulation

            with _compile_notice():
                check = integrate_ring_down(Simulation(p.circuit, p.spec.magnets,
                                                        pumping=p.spec.pumping), magnet)
    except (DeviceError, ValueError) as err:
        _report(device, err)
        sys.exit(EXIT_INPUT)
    return ds, axes, check


def _write_resonance(device, ds, output, plot_path) -> None:
    """The result file and its figure, all or none."""
    from .io.devicefile import dataset_output

    outputs = [dataset_output(ds, output)] if output else []
    if plot_path:
        try:
            from .io.plotting import plot_resonance, png_output

            outputs.append(png_output(plot_resonance(ds), plot_path))
        except ImportError:
            _report(device, "plot: needs matplotlib (pip install 'spincaloric[plot]')")
            sys.exit(EXIT_INPUT)
    if outputs:
        _write_or_exit(device, outputs)


def _print_resonance(device, ds, axes, check, as_json) -> None:
    """A line per point (or one JSON object) on stdout."""
    from .studies.resonance import RESULTS

    keys = [k for k, _ in axes]
    points = []
    for index in np.ndindex(ds["frequency"].shape):
        at = dict(zip(keys, index))
        point = {k: float(ds[k].values[i]) for k, i in at.items()}
        why = str(ds["no_resonance"].isel(at).values) if "no_resonance" in ds else ""
        if why:  # no resonance here (NaN in the file): null in JSON, the reason kept
            point.update({name: None for name, *_ in RESULTS}, equilibrium=None,
                         no_resonance=why)
        else:
            point.update({name: float(ds[name].isel(at)) for name, *_ in RESULTS})
            point["equilibrium"] = ds["equilibrium"].isel(at).values.tolist()
        points.append(point)
    magnet = ds.attrs["magnet"]
    if as_json:
        record = {"file": device, "magnet": magnet,
                  "units": {name: unit for name, _, unit, _ in RESULTS}}
        record.update({"vary": keys, "points": points} if keys else points[0])
        if check is not None:
            record["ring_down"] = {"frequency": check.frequency, "decay_rate": check.decay_rate}
        click.echo(json.dumps(record))
        return
    for point in points:
        where = "".join(f"{k} = {point[k]:g}, " for k in keys)
        if point.get("no_resonance"):
            click.echo(f"{device}: {magnet}: {where}no resonance: {point['no_resonance']}")
            continue
        m0 = ", ".join(f"{round(x, 12) + 0.0:+.4f}" for x in point["equilibrium"])
        click.echo(f"{device}: {magnet}: {where}f = {point['frequency'] / 1e9:.6g} GHz, "
                   f"Γ = {point['decay_rate'] / 1e9:.6g} 1/ns, α_eff = {point['damping']:.6g}, "
                   f"g = {point['g_factor']:.6g}, m0 = ({m0})")
    if check is not None:
        p = points[0]
        click.echo(f"{device}: {magnet}: ring-down f = {check.frequency / 1e9:.6g} GHz "
                   f"({check.frequency / p['frequency'] - 1:+.1e}), Γ = "
                   f"{check.decay_rate / 1e9:.6g} 1/ns "
                   f"({check.decay_rate / p['decay_rate'] - 1:+.1e} relative)")


@main.command(short_help="Draw a sweep, switching map or trajectory file (PNG, PDF, SVG).")
@click.argument("result", type=click.Path())
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="figure file: PNG, PDF or SVG, by its suffix [default: RESULT with the "
                   "suffix .png, e.g. sweep.nc -> sweep.png]")
@click.option("--variable", help="variable to draw, or one owner's quantity of a sweep "
              "(detector.voltage, free.torque) [default: a sweep's torque on the magnet "
              "whose magnetization it turns, else on the dynamic magnet; a map's switching "
              "probability, or time with one trajectory per point; a trajectory's m, drives "
              "and torque], or the difference of two of one unit ('detector.voltage - "
              "right.voltage': a lateral valve's non-local voltage); quote names with '->', "
              "e.g. --variable 'left->spacer.charge_current'")
@_OVERWRITE
@click.option("--component", type=click.Choice(["x", "y", "z", "norm"]),
              help="of a vector variable [default: all and |v| for 1-D sweeps; for maps the "
                   "signed projection τ·û when every vector lies along one direction û, else "
                   "the norm; the norm of a trajectory's torque]")
@click.option("--at", "at", multiple=True, metavar="AXIS=VALUE",
              help="draw a sweep or map of three or more axes at the value of AXIS nearest "
                   "VALUE (named in the title), e.g. --at free.magnet.damping=0.02")
def plot(result, output, variable, component, at, overwrite):
    """Draw a result file RESULT (netCDF or zarr) as a PNG, PDF or SVG figure: a sweep
    (spincaloric sweep: a line over one axis, a colour map over two; axes of one value are
    named in the title), a switching map (spincaloric map) or a trajectory file (spincaloric
    run -o: magnetization, drives and torque against time). Axes carry quantity, symbol and unit, in engineering
    units (ns, mV, µA)."""
    from .circuit.device import DeviceError
    from .io.plotting import plot_dataset, png_output

    if not Path(result).exists():  # said first: before the figure's name is judged
        chunks = Path(result).with_name(Path(result).name + ".chunks")
        unfinished = (f" — {chunks} holds an unfinished map's chunks: run the same "
                      "`spincaloric map ... -o` command with --resume to finish it"
                      if chunks.is_dir() else "")
        _report(result, ("no such zarr store" if Path(result).suffix == ".zarr" else
                         "No such file or directory") + unfinished)
        sys.exit(EXIT_INPUT)
    if output is None:  # beside the result file (a zarr store's too)
        output = str(Path(result.rstrip("/")).with_suffix(".png"))
    if Path(result).suffix.lower() in (".toml", ".json", ".yaml", ".yml"):
        _report(result, "a device file; plot draws result files (netCDF .nc or zarr "
                "stores) of spincaloric sweep, map or run -o")
        sys.exit(EXIT_INPUT)
    ds = _read_result(result)
    try:
        for choice in at:
            ds = _at(ds, choice)
        # what to draw is judged first (a typo in --variable is the likelier mistake, and
        # drawing costs little), then where: nothing is written before both pass
        fig = plot_dataset(ds, variable, component)
        _check_outputs(result, [result], overwrite, figures=("output",), output=output)
    except ImportError as err:
        _report(result, f"plot: needs {err.name or 'matplotlib'} (pip install 'spincaloric[plot]')")
        sys.exit(EXIT_INPUT)
    except OSError as err:
        _report(result, f"{err.strerror or err}")
        sys.exit(EXIT_INPUT)
    except (DeviceError, ValueError) as err:
        _report(result, err)
        sys.exit(EXIT_INPUT)
    with _locked(result, output):
        _write_or_exit(result, [png_output(fig, output)])
    click.echo(f"wrote {output}")


def _read_result(result: str):
    """The dataset of a result file (:func:`~spincaloric.io.devicefile.load_dataset`); a file
    that cannot be read — missing, corrupt, of another kind, a zarr store without the zarr
    package — is one line, exit 2."""
    from .io.devicefile import load_dataset

    if Path(result).suffix == ".zarr" and not Path(result).exists():
        _report(result, "no such zarr store")
        sys.exit(EXIT_INPUT)
    try:
        return load_dataset(result)
    except ImportError as err:
        name = err.name or "zarr"
        _report(result, f"reading it needs {name} (pip install "
                f"'spincaloric[{'plot' if name == 'matplotlib' else 'parallel'}]')")
    except OSError as err:
        _report(result, f"{err.strerror or err}")
    except ValueError as err:  # a FieldError naming the problem
        if not isinstance(err, FieldError):
            err = f"not a readable result file ({' '.join(str(err).split())})"
        _report(result, err)
    except Exception as err:  # noqa: BLE001 - a corrupt file: the readers' own errors
        _report(result, f"not a readable result file, corrupt or of another "
                f"program ({type(err).__name__}: {' '.join(str(err).split())})")
    sys.exit(EXIT_INPUT)


def _at(ds, choice: str):
    """``ds`` at the value of one of its axes nearest ``choice`` = "AXIS=VALUE" (within the
    axis: half a step beyond its ends at most), kept as an axis of one value (a condition,
    named in the title); a DeviceError names what is wrong."""
    from .circuit.device import DeviceError
    from .errors import unknown
    from .io.results import VALUE_DIMS

    axis, equals, value = choice.partition("=")
    if not equals:
        raise DeviceError("at", f"expected AXIS=VALUE, got {choice!r}")
    if axis not in ds.dims or axis not in ds.coords or axis in VALUE_DIMS:
        raise DeviceError("at", unknown("axis", axis, [str(d) for d in ds.coords if d in ds.dims
                                                      and d not in VALUE_DIMS]))
    try:
        number = float(value)
    except ValueError:
        raise DeviceError(f"at.{axis}", f"must be a number, got {value!r}") from None
    grid = np.sort(np.asarray(ds[axis].values, float))
    half = 0.5 * float(np.diff(grid).max(initial=0.0))  # nearest: within half the widest step
    if not grid[0] - half <= number <= grid[-1] + half:
        raise DeviceError(f"at.{axis}", f"{number:g} lies outside the axis, which runs from "
                          f"{grid[0]:g} to {grid[-1]:g}")
    return ds.sel({axis: [number]}, method="nearest")


def _steady(spec, circuit, path):
    """The Solution by the file's solver back end (:meth:`DeviceSpec.steady`); bad input is
    one line and :class:`_Failed`."""
    try:
        return spec.steady(circuit)
    except ValueError as err:  # FieldError, or a spectral table that misses the biases, …
        _report(path, err)
        raise _Failed from None


def _write_distributions(path, spectral, netcdf, png) -> None:
    """Write the distributions of a spectral solve (netCDF and/or PNG), all or none."""
    from .io.devicefile import dataset_output
    from .io.plotting import png_output

    outputs = [dataset_output(spectral.to_xarray(), netcdf)] if netcdf else []
    if png:
        try:
            from .io.plotting import plot_distributions

            outputs.append(png_output(plot_distributions(spectral), png))
        except ImportError as err:
            _report(path, f"--plot: needs {err.name or 'matplotlib'} "
                    "(pip install 'spincaloric[plot]')")
            sys.exit(EXIT_INPUT)
    _write_or_exit(path, outputs)
    for written in (netcdf, png):
        if written:
            click.echo(f"wrote {written}", err=True)


def _printed(summary: dict) -> dict:
    """A run summary with its magnetizations as printed: round-off as 0, each kind over all
    magnets (:func:`~spincaloric.circuit.solution.without_roundoff`)."""
    from .circuit.solution import without_roundoff

    for key in ("final_magnetization", "mean_final_magnetization"):
        names = [n for n, s in summary.items() if key in s]
        for name, m in zip(names, without_roundoff([summary[n][key] for n in names])):
            summary[name][key] = m.tolist()
    return summary


_SECTIONS = {"nodes": "internal node", "reservoirs": "reservoir", "contacts": "contact",
             "torques": "magnet"}


def _table(path, sol, only=()) -> str:
    """A readable summary of a solution, with units (boundary conventions): every quantity of
    :meth:`~spincaloric.circuit.solution.Solution.reported`, one row per node, contact and magnet
    (with ``only``, those whose names match one of its shell-style patterns: a ValueError
    naming a pattern that matches nothing)."""
    import fnmatch

    c = sol.circuit
    rows = {}  # section -> {label: [Reported]}
    reported = sol.reported(printed=True)

    def matches(label, pattern):  # a contact FROM->TO by its label or either end
        return any(fnmatch.fnmatchcase(name, pattern) for name in (label, *label.split("->")))

    for pattern in only:
        if not any(matches(q.label, pattern) for q in reported if q.label):
            hint = unknown("node", pattern, list(c.names)).removeprefix("unknown node")
            raise ValueError(f"--only: {pattern!r} matches no node, contact or magnet{hint}")
    for q in reported:
        if only and q.label and not any(matches(q.label, p) for p in only):
            continue
        rows.setdefault(q.section, {}).setdefault(q.label, []).append(q)

    def number(x, digits):  # an exact zero (round-off included) is 0
        return f"{x:+.{digits}e}" if x else "0".rjust(digits + 7)

    def cell(q):
        if q.vector:
            return "[" + " ".join(number(x, 3) for x in np.asarray(q.value)) + "]"
        return f"{float(q.value):.6f}" if q.name == "temperature" else number(float(q.value), 5)

    lines = [f"{path}: {c.title or '(untitled)'} — {c.regime}, T = {c.temperature:g} K"]
    for section, what in _SECTIONS.items():
        if not rows.get(section):
            continue
        first = next(iter(rows[section].values()))
        table = [[label, *map(cell, qs)] for label, qs in rows[section].items()]
        heads = [what] + [f"{q.name.replace('_', ' ')} ({q.units})" for q in first]
        widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(heads)]
        for t in [heads, *table]:
            lines.append(("  " + "  ".join(x.ljust(w) for x, w in zip(t, widths))).rstrip())
    for q in rows.get("", {}).get("", []):
        lines.append(f"  {q.name.replace('_', ' ')} {cell(q)} {q.units}")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    main()
