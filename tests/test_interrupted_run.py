"""A run stopped by Ctrl-C keeps the part it finished: the trajectories complete, or the saved
instants every trajectory reached, equal to those of the run left alone."""

from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner

from spincaloric.cli import main
from spincaloric.dynamics import simulation as simulation_module
from spincaloric.errors import Interrupted
from spincaloric.io import load_spec
from spincaloric.progress import Progress

PILLAR = Path(__file__).parent.parent / "examples" / "devices" / "thermal_switching_pillar.toml"


class StopAfter:
    """A progress report that raises KeyboardInterrupt at its ``calls``-th update (Ctrl-C
    between two kernel calls)."""

    def __init__(self, calls):
        self.left = calls

    def update(self, _):
        self.left -= 1
        if self.left == 0:
            raise KeyboardInterrupt


def pillar(until=2e-9):
    spec = load_spec(PILLAR)
    sim, _ = spec.simulation_for(spec.device.finalize(), until)
    return sim


@pytest.mark.parametrize("block", [None, 4])
def test_an_interrupted_run_keeps_what_it_finished(monkeypatch, block):
    """One block (the saved instants all trajectories reached; a kernel call integrates at
    most 256 of them) and several blocks of 4 (the trajectories finished): m, switching and
    settings as in the run left alone."""
    if block:
        monkeypatch.setattr(simulation_module, "BLOCK", block)
    sim = pillar()
    kw = dict(n_save=1001, ensemble=10, temperature_noise=True, dt=1e-12, seed=3)
    whole = sim.run(2e-9, **kw)
    with pytest.raises(Interrupted) as caught:
        sim.run(2e-9, progress=StopAfter(10 if block else 2), **kw)
    err = caught.value
    part = err.partial
    if block:  # blocks of 4 trajectories: the first two were finished
        assert (err.done, err.total, err.parts) == (8, 10, "trajectories")
        assert part.m.shape == (8,) + whole.m.shape[1:]
        assert part.settings["interrupted_at"] == whole.time[-1]
    else:
        assert err.parts == "saved instants" and 1 < err.done < 1001 and err.total == 1001
        assert part.m.shape == (10, err.done) + whole.m.shape[2:]
        assert part.settings["interrupted_at"] == part.time[-1] == whole.time[err.done - 1]
    rows, cols = part.m.shape[:2]
    np.testing.assert_array_equal(part.m, whole.m[:rows, :cols])
    np.testing.assert_array_equal(part.time, whole.time[:cols])
    assert part.settings["ensemble"] == rows and part.settings["seed"] == 3
    assert part.settings["ensemble_asked"] == 10
    if block:  # the figure says which part it shows
        pytest.importorskip("matplotlib")
        from spincaloric.io.plotting import plot_trajectory

        fig = plot_trajectory(part.to_xarray(with_circuit=False))
        assert "the 8 of 10 trajectories that finished" in fig.axes[0].get_title()
    ended = whole.crossing[:rows] <= part.time[-1]
    np.testing.assert_array_equal(part.crossing[ended], whole.crossing[:rows][ended])
    assert np.all(np.isnan(part.crossing[~ended]))


def test_nothing_done_is_a_plain_interrupt(monkeypatch):
    """Ctrl-C inside the first kernel call: nothing past the start to keep."""
    def segment(*args, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(simulation_module._FixedStep, "segment", segment)
    with pytest.raises(KeyboardInterrupt) as caught:
        pillar().run(2e-9, n_save=1001, ensemble=10, temperature_noise=True, dt=1e-12)
    assert not isinstance(caught.value, Interrupted)


def test_the_cli_writes_the_finished_part_and_says_so(tmp_path, monkeypatch):
    """``run -o``: Ctrl-C after a few kernel calls writes the saved instants done, with
    ``interrupted_at`` in its attributes, says so in one line, and exits as interrupted."""
    out = tmp_path / "part.nc"
    res = _run_stopped_in_its_integration(monkeypatch, out)
    assert res.exit_code == 130, res.output
    line = [x for x in res.stderr.splitlines() if "interrupted;" in x]
    assert len(line) == 1 and "saved instants" in line[0] and str(out) in line[0]
    with xr.open_dataset(out) as ds:
        assert 1 < ds.sizes["time"] < 1001 and ds.sizes["ensemble"] == 8
        assert ds.attrs["interrupted_at"] == pytest.approx(float(ds["time"][-1]), rel=1e-12, abs=0)
        assert "torque" in ds
    assert sorted(p.name for p in tmp_path.iterdir()) == ["part.nc"]


def test_sigterm_writes_the_finished_part_at_once(tmp_path, monkeypatch):
    """SIGTERM (a batch system's time limit, SIGKILL after a grace period) in the
    integration: the finished part is written at once, without the circuit's quantities
    (their solve takes minutes for large ensembles), marked incomplete, said — after it is
    written — in one line; exit status 143."""
    out = tmp_path / "part.nc"
    res = _run_stopped_in_its_integration(monkeypatch, out, sigterm=True)
    assert res.exit_code == 143, res.output
    line = [x for x in res.stderr.splitlines() if "terminated (SIGTERM);" in x]
    assert len(line) == 1 and f"kept in {out}" in line[0] and "not solved" in line[0]
    assert "Ctrl-C again" not in res.stderr
    with xr.open_dataset(out) as ds:
        assert "torque" not in ds and "m" in ds and 1 < ds.sizes["time"] < 1001
        assert "SIGTERM" in ds.attrs["incomplete"]


def test_the_files_circuit_solve_reports_its_progress(monkeypatch):
    """Trajectory.to_xarray(progress=...) counts the trajectories whose circuit quantities
    are solved, part by part, up to the ensemble."""
    from spincaloric.dynamics import trajectory

    traj = pillar(0.1e-9).run(0.1e-9, n_save=3, ensemble=5, temperature_noise=True,
                                dt=1e-12, seed=1)
    counts = []

    class Count:
        def update(self, n):
            counts.append(n)

    monkeypatch.setattr(trajectory, "CIRCUIT_POINTS", 6)  # two trajectories of 3 instants
    ds = traj.to_xarray(progress=Count())
    assert counts == [2, 2, 1] and "torque" in ds


def _run_stopped_in_its_integration(monkeypatch, out, sigterm=False):
    """`run -o out` of 8 noisy trajectories of the pillar, stopped at the second kernel call
    by Ctrl-C (``sigterm``: as the SIGTERM handler stops it)."""
    from spincaloric import cli

    calls = {"n": 0}

    def update(self, amount):
        calls["n"] += 1
        if calls["n"] == 2:
            if sigterm:
                cli._TERMINATED.append(15)
            raise KeyboardInterrupt

    monkeypatch.setattr(Progress, "update", update)
    monkeypatch.setattr(cli, "_TERMINATED", [])
    return CliRunner().invoke(main, ["run", str(PILLAR), "--until", "2ns", "--n-save", "1001",
                                     "--ensemble", "8", "--temperature-noise", "--dt", "1ps",
                                     "-o", str(out)])


def _run_stopped_in_its_circuit_solve(monkeypatch, out):
    """`run -o out` of the pillar with Ctrl-C once its integration is done, while the file's
    circuit quantities are solved."""
    from spincaloric.dynamics.trajectory import Trajectory

    def stop(self, *args):
        raise KeyboardInterrupt

    monkeypatch.setattr(Trajectory, "_circuit_columns", stop)
    return CliRunner().invoke(main, ["run", str(PILLAR), "--until", "0.2ns", "--n-save", "5",
                                     "-o", str(out)])


def test_ctrl_c_while_the_file_is_solved_keeps_the_finished_run(tmp_path, monkeypatch):
    """Ctrl-C after the integration, while the file's circuit quantities are solved: the file
    is written without them (m, drives), said in one line, exit status 130."""
    out = tmp_path / "whole.nc"
    res = _run_stopped_in_its_circuit_solve(monkeypatch, out)
    assert res.exit_code == 130, res.output
    assert "interrupted while solving the circuit's quantities" in res.stderr
    with xr.open_dataset(out) as ds:
        assert ds.sizes["time"] == 5 and "torque" not in ds and "interrupted_at" not in ds.attrs
    assert sorted(p.name for p in tmp_path.iterdir()) == ["whole.nc"]



def test_a_file_whose_circuit_solve_was_interrupted_says_so_and_the_summary_is_printed(
        tmp_path, monkeypatch):
    """The same Ctrl-C: the file carries an 'incomplete' attribute naming what is missing
    (it differs from a deliberate --no-circuit file), and the finished run's summary is on
    stdout before the exit status 130."""
    out = tmp_path / "whole.nc"
    res = _run_stopped_in_its_circuit_solve(monkeypatch, out)
    assert res.exit_code == 130, res.output
    assert "holds m" in res.stderr and "free: did not switch" in res.stdout
    with xr.open_dataset(out) as ds:
        assert "not solved" in ds.attrs["incomplete"]
    whole = tmp_path / "deliberate.nc"
    monkeypatch.undo()
    res = CliRunner().invoke(main, ["run", str(PILLAR), "--until", "0.2ns", "--n-save", "5",
                                    "--no-circuit", "-o", str(whole)])
    assert res.exit_code == 0, res.output
    with xr.open_dataset(whole) as ds:
        assert "incomplete" not in ds.attrs

@pytest.mark.parametrize("method", [None, "splitting"])
def test_a_study_interrupted_before_its_first_part_is_a_plain_interrupt(monkeypatch, method):
    """wer stopped inside its first run, which offers its own partial trajectory: nothing of
    the estimate is done, a plain KeyboardInterrupt — not the run's partial trajectory passed
    off as the estimate's."""
    from spincaloric.studies.wer import write_error_rate

    def run(self, *args, **kw):
        raise Interrupted(object(), 2, 3, "saved instants")

    sim = pillar(8e-9)
    monkeypatch.setattr(simulation_module.Simulation, "run", run)
    extra = dict(particles=8, replicas=2) if method else {}
    with pytest.raises(KeyboardInterrupt) as caught:
        write_error_rate(sim, 8e-9, None if method else 64, method=method, seed=1,
                         dt=1e-12, progress=False, **extra)
    assert not isinstance(caught.value, Interrupted)
