"""benchmarks/compare_trees.py: equal results pass, round-off zeros pass, real differences fail;
the figures of a benchmark's tables are read back."""

import copy
import importlib.util
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).parent.parent / "benchmarks" / "compare_trees.py"
_SPEC = importlib.util.spec_from_file_location("compare_trees", _PATH)
ct = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(ct)

SOLVED = {"file": "examples/devices/v.toml", "regime": "thermalized",
          "nodes": {"spacer": {"voltage": -2.0e-6, "spin_accumulation": [2e-7, 2.5e-9, 0.0]}},
          "contacts": [{"between": ["left", "spacer"], "charge_current": 0.0,
                        "spin_current": [-8e-10, 9e-12, 1e-9]}],
          "torques": {"left": [2.7e-25, -3e-27, 0.0], "right": [0.0, 0.0, 0.0]}}


def changed(path, value):
    out = copy.deepcopy(SOLVED)
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


def test_identical_json_is_equal():
    worst, problems = ct.compare_json(SOLVED, copy.deepcopy(SOLVED), 1e-10)
    assert (worst, problems) == (0.0, [])


@pytest.mark.parametrize("path, value", [
    (("torques", "right", 2), 1e-40),              # a torque zero by symmetry, at round-off
    (("torques", "left", 2), -1e-39),
    (("contacts", 0, "charge_current"), 1e-24),    # open circuit: judged against spin currents
    (("nodes", "spacer", "voltage"), -2.0e-6 * (1 + 1e-13)),
])
def test_round_off_passes(path, value):
    worst, problems = ct.compare_json(SOLVED, changed(path, value), 1e-10)
    assert problems == [], problems


@pytest.mark.parametrize("path, value", [
    (("nodes", "spacer", "voltage"), -2.0e-6 * (1 + 1e-8)),
    (("torques", "left", 1), -3e-27 * (1 + 1e-6)),   # a small but physical component
    (("contacts", 0, "charge_current"), 1e-15),
    (("torques", "right", 0), 1e-30),
    (("regime",), "noninteracting"),
])
def test_real_differences_fail(path, value):
    worst, problems = ct.compare_json(SOLVED, changed(path, value), 1e-10)
    assert len(problems) == 1 and problems[0].startswith(".".join(map(str, path)))


def test_missing_key_fails():
    new = copy.deepcopy(SOLVED)
    del new["torques"]["right"]
    _, problems = ct.compare_json(SOLVED, new, 1e-10)
    assert problems and all("only in old" in p for p in problems)


def _trajectory(path, dm=0.0, dt_switch=0.0):
    import xarray as xr

    t = np.linspace(0, 8e-9, 50)
    m = np.stack([np.sin(t / 4e-9), 0 * t, np.cos(t / 4e-9)], -1)[None, :, None, :]
    ds = xr.Dataset({"m": (("ensemble", "time", "magnet", "component"), m + dm),
                     "switching_time": (("ensemble", "magnet"), [[3.3e-9 * (1 + dt_switch)]]),
                     "switched": (("ensemble", "magnet"), [[True]])},
                    coords={"time": t, "magnet": ["free"]}, attrs={"method": "rk45"})
    ds.to_netcdf(path)
    return path


@pytest.mark.parametrize("dm, dt_switch, equal", [
    (0.0, 0.0, True), (1e-12, 1e-8, True), (1e-6, 0.0, False), (0.0, 1e-5, False)])
def test_trajectories(tmp_path, dm, dt_switch, equal):
    old = _trajectory(tmp_path / "old.nc")
    new = _trajectory(tmp_path / "new.nc", dm, dt_switch)
    _, problems = ct.compare_nc(old, new)
    assert (problems == []) == equal, problems


def test_a_file_in_one_tree_only_is_a_difference(capsys):
    assert not ct.check_results({"a.toml": SOLVED}, {"a.toml": SOLVED, "b.toml": SOLVED})
    assert "| b.toml | – | only in the new tree |" in capsys.readouterr().out
    assert ct.check_results({"a.toml": SOLVED}, {"a.toml": copy.deepcopy(SOLVED)})


def test_benchmark_figures_are_read_back():
    text = ("# throughput (x86_64)\n\nbaseline solve: 0.619 ms\n\n"
            "| code, torque | trajectories | steps/s |\n|---|---|---|\n"
            "| cmtj | — | not installed |\n"
            "| ours | 1 | 4e+06 |\n| ours | 1000 | 3.08e+07 |\n\n"
            "| cells | solve | speed-up |\n|---|---|---|\n| 1,000 | 0.04 | 353× |\n"
            "growth exponents 1,000 -> 3,000 cells: 1.05, 0.98\n")
    assert ct.figures("b", text) == {
        "b: baseline solve (ms)": 0.619,
        "b: code, torque ours, trajectories 1 · trajectories": 1.0,
        "b: code, torque ours, trajectories 1 · steps/s": 4e6,
        "b: code, torque ours, trajectories 1000 · trajectories": 1000.0,
        "b: code, torque ours, trajectories 1000 · steps/s": 3.08e7,
        "b: cells 1,000 · solve": 0.04, "b: cells 1,000 · speed-up": 353.0}


def test_a_device_failing_alike_in_both_trees_is_no_difference(capsys):
    error = "failed (exit 2): error: x.toml: regime: unknown"
    assert ct.check_results({"x.toml": error}, {"x.toml": error})
    assert not ct.check_results({"x.toml": error}, {"x.toml": SOLVED})
    assert "old: " + error + "; new: ok" in capsys.readouterr().out


def test_a_script_the_old_tree_cannot_run_gives_way_to_the_old_copy(tmp_path, capsys):
    trees = {side: tmp_path / side for side in ("old", "new")}
    for side, module in (("old", "flat"), ("new", "sub")):
        (trees[side] / "src").mkdir(parents=True)
        (trees[side] / "src" / f"{module}.py").write_text("RATE = 2.0\n")
        (trees[side] / "benchmarks").mkdir()
        (trees[side] / "benchmarks" / "bench_x.py").write_text(
            f"from {module} import RATE\nprint('| case | rate (1/s) |')\nprint('|---|---|')\n"
            f"print(f'| a | {{RATE * {1 + (side == 'new')}}} |')\n")
    (trees["new"] / "src" / "flat.py").write_text("RATE = 3.0\n")  # the old module path kept
    caches = {side: tmp_path / f"cache-{side}" for side in trees}
    ct.bench(trees, caches, ["bench_x.py"], quick=False, repeat=1)
    out = capsys.readouterr().out
    assert "bench_x.py of the old tree" in out
    assert "| bench_x: case a · rate (1/s) | 2 / 2 / 2 | 3 / 3 / 3 | 1.50 |" in out
