"""Device files, the JSON contract and one-line errors of the command-line interface."""

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from spincaloric.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples" / "devices"
VALVE = (EXAMPLES / "valve_thermal.toml").read_text()

SIMPLE = """
title = "simple valve"
temperature = 300.0
[nodes.left]
type = "ferromagnet"
reservoir = true
magnetization = [0, 0, 1]
[nodes.spacer]
type = "normal"
[nodes.right]
type = "ferromagnet"
reservoir = true
voltage = -1.0e-6
magnetization = {theta = 90, phi = 0}
[[contacts]]
between = ["left", "spacer"]
conductance = 1.0e-2
polarization = 0.5
mixing = 0.6
seebeck = -4.5e-6
polarization_derivative = 0.77
mixing_derivative = 0.13
[[contacts]]
between = ["right", "spacer"]
conductance = 1.0e-2
polarization = 0.5
mixing = 0.6
seebeck = -4.5e-6
polarization_derivative = 0.77
mixing_derivative = 0.13
"""


def write(tmp_path, text, name="dev.toml"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_solve_json_follows_the_contract(tmp_path):
    res = run("solve", "--json", str(EXAMPLES / "valve_thermal.toml"))
    assert res.exit_code == 0, res.output
    lines = res.output.strip().splitlines()
    assert len(lines) == 1
    doc = json.loads(lines[0])
    for key in ("file", "title", "regime", "temperature", "nodes", "contacts", "torques"):
        assert key in doc
    assert list(doc)[0] == "file"
    node = doc["nodes"]["spacer"]
    assert set(node) == {"voltage", "spin_accumulation", "temperature", "spin_temperature"}
    assert len(node["spin_accumulation"]) == 3 and len(node["spin_temperature"]) == 3
    assert [c["between"] for c in doc["contacts"]] == [["left", "spacer"], ["right", "spacer"]]
    for c in doc["contacts"]:
        assert set(c) == {"between", "charge_current", "spin_current", "heat_current",
                          "spin_heat_current"}
    assert set(doc["torques"]) == {"left", "right"}
    assert doc["nodes"]["spacer"]["spin_temperature"] == [0.0, 0.0, 0.0]  # thermalized


def test_boundary_conventions(tmp_path):
    """Left at 0 V, right at −1 µV (electric potentials), no temperature bias: conventional
    current flows from left to right, and the spacer potential lies between the two."""
    res = run("solve", "--json", write(tmp_path, SIMPLE))
    doc = json.loads(res.output)
    i_left = doc["contacts"][0]["charge_current"]  # left -> spacer
    i_right = doc["contacts"][1]["charge_current"]  # right -> spacer
    assert i_left > 0 and i_right == pytest.approx(-i_left, rel=1e-6, abs=0)
    assert -1e-6 < doc["nodes"]["spacer"]["voltage"] < 0
    assert i_left == pytest.approx(1e-6 / (2 / 1e-2), rel=0.2, abs=0)  # two contacts in series


def test_several_files_in_order_and_a_bad_one_does_not_stop_the_others(tmp_path):
    good = write(tmp_path, SIMPLE, "a.toml")
    bad = write(tmp_path, "temperature = [", "b.toml")
    res = CliRunner().invoke(main, ["solve", "--json", good, bad, good])
    assert res.exit_code == 2
    out = [json.loads(x) for x in res.stdout.strip().splitlines()]
    assert [d["file"] for d in out] == [good, good]
    errors = res.stderr.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith(f"error: {bad}: Invalid value (at ")


BAD = {
    "unknown key": (SIMPLE.replace('type = "normal"', 'type = "normal"\nmagnetizaton = [0,0,1]'),
                    "nodes.spacer.magnetizaton: unknown key"),
    "missing temperature": (SIMPLE.replace("temperature = 300.0\n", "", 1), "temperature: required"),
    "missing type": (SIMPLE.replace('type = "normal"\n', ""), "nodes.spacer.type: required"),
    "no reservoir": (SIMPLE.replace("reservoir = true", "reservoir = false")
                     .replace("voltage = -1.0e-6\n", ""), "reservoir"),
    "floating node": (SIMPLE + '\n[nodes.island]\ntype = "normal"\n',
                      "nodes.island: floating node"),
    "two ferromagnets": (SIMPLE.replace('between = ["right", "spacer"]', 'between = ["right", "left"]'),
                         "contacts[1].between: two ferromagnets cannot be joined"),
    "|P| > 1": (SIMPLE.replace("polarization = 0.5", "polarization = 1.2", 1),
                "contacts[0].polarization: |P| must be <= 1"),
    "negative conductance": (SIMPLE.replace("conductance = 1.0e-2", "conductance = -1.0e-2", 1),
                             "contacts[0].conductance: must be positive"),
    "zero magnetization": (SIMPLE.replace("magnetization = [0, 0, 1]", "magnetization = [0, 0, 0]"),
                           "nodes.left.magnetization: must be a non-zero vector"),
    "entropy bound": (SIMPLE.replace("seebeck = -4.5e-6", "seebeck = -1.0e-4", 1)
                      .replace("polarization_derivative = 0.77", "polarization_derivative = 3", 1),
                      "contacts[0].seebeck: spin-up thermopower"),
    "two forms": (SIMPLE.replace("conductance = 1.0e-2", "conductance = 1.0e-2\ng_up = 1e-3", 1),
                  "contacts[0]: give exactly one contact form"),
    "unknown interface": (SIMPLE.replace('between = ["left", "spacer"]\nconductance = 1.0e-2\n'
                                         'polarization = 0.5\nmixing = 0.6\nseebeck = -4.5e-6\n'
                                         'polarization_derivative = 0.77\nmixing_derivative = 0.13',
                                         'between = ["left", "spacer"]\ninterface = "Cu/Co(11)"\n'
                                         'area = 1e-16'),
                          "contacts[0].interface: unknown interface 'Cu/Co(11)'"),
    "unknown node": (SIMPLE.replace('between = ["left", "spacer"]', 'between = ["left", "spacr"]'),
                     "contacts[0].between: unknown node 'spacr'"),
    "malformed toml": ("temperature = 300\n[nodes\n", ": Expected ']' at the end of a table "
                       "declaration (at line 2, column 7)"),
    "bad regime": (SIMPLE.replace("temperature = 300.0\n", 'temperature = 300.0\nregime = "hot"\n', 1),
                   "regime:"),
    "negative temperature": (SIMPLE.replace("temperature = 300.0\n", "temperature = -3.0\n", 1),
                             "temperature: must be at least 0.001 K"),
    # used to underflow e L0 T to zero and end in a ZeroDivisionError traceback
    "vanishing temperature": (SIMPLE.replace("temperature = 300.0\n", "temperature = 1e-300\n",
                                             1), "temperature: must be at least 0.001 K"),
    "huge energy grid": (SIMPLE + "\n[spectral]\npoints = 1000000000000\n",
                         "spectral.points: must be <= 1000000, got 1000000000000"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_naming_the_field(tmp_path, case):
    text, expected = BAD[case]
    path = write(tmp_path, text)
    for command in ("solve", "check"):
        res = CliRunner().invoke(main, [command, path])
        assert res.exit_code == 2, (case, res.output)
        assert res.stdout == ""
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"error: {path}: ")
        assert expected in lines[0], lines[0]
        assert "Traceback" not in res.output


def test_plot_and_materials_bad_input_is_one_line(tmp_path):
    """A missing output directory, a file with nothing to plot, a NaN temperature: one line,
    exit 2, nothing written."""
    xr = pytest.importorskip("xarray")
    empty = tmp_path / "empty.nc"
    xr.Dataset().to_netcdf(empty)
    res = CliRunner().invoke(main, ["plot", str(empty), "-o", str(tmp_path / "e.png")])
    assert res.exit_code == 2 and res.stderr.strip() == (f"error: {empty}: the file has no "
                                                         "variables to plot")
    ds = xr.Dataset({"x": ("v", [1.0, 2.0])}, coords={"v": [0.0, 1.0]})
    ds.to_netcdf(tmp_path / "one.nc")
    target = tmp_path / "missing" / "x.png"
    res = CliRunner().invoke(main, ["plot", str(tmp_path / "one.nc"), "-o", str(target)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1 and "output: " in res.stderr
    assert not (tmp_path / "missing").exists()
    res = CliRunner().invoke(main, ["materials", "--temperature", "nan"])
    assert res.exit_code == 2 and "must be a number" in res.stderr


def test_plot_without_output_writes_a_png_beside_the_result(tmp_path):
    """`plot RESULT` draws RESULT's stem .png beside it; an existing one is kept unless
    --overwrite (one line naming --output, exit 2)."""
    pytest.importorskip("matplotlib")
    xr = pytest.importorskip("xarray")
    xr.Dataset({"x": ("v", [1.0, 2.0])}, coords={"v": [0.0, 1.0]}).to_netcdf(tmp_path / "a.nc")
    res = CliRunner().invoke(main, ["plot", str(tmp_path / "a.nc")])
    assert res.exit_code == 0 and res.output.strip() == f"wrote {tmp_path / 'a.png'}"
    before = (tmp_path / "a.png").read_bytes()
    assert before.startswith(b"\x89PNG")
    res = CliRunner().invoke(main, ["plot", str(tmp_path / "a.nc")])
    assert res.exit_code == 2 and "--output: " in res.stderr and "--overwrite" in res.stderr
    assert (tmp_path / "a.png").read_bytes() == before
    res = CliRunner().invoke(main, ["plot", str(tmp_path / "a.nc"), "--overwrite"])
    assert res.exit_code == 0


def test_a_drive_idle_over_the_whole_run_is_warned_of(tmp_path):
    """A pulse that starts after the run ends (0.1 s for 0.1 ns): `check` and `run` warn,
    naming the drive and the run's span; the file's own pulse is not warned of."""
    pulse = EXAMPLES / "pillar_write_pulse.toml"
    late = tmp_path / "late.toml"
    late.write_text(pulse.read_text().replace("start = 0.1e-9 ", "start = 0.1 "))
    warning = ("drives.free.voltage keeps its static value over the run (0 – 5 ns): it acts "
               "nowhere in it")
    for args in (["check", str(late)], ["run", str(late), "--until", "5ns", "--no-progress"]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 0 and warning in res.stderr, res.output
    res = CliRunner().invoke(main, ["check", str(pulse)])
    assert res.exit_code == 0 and "warning" not in res.stderr
    assert "(3 nodes, 2 contacts, 5 unknowns, 1 dynamic magnet)" in res.stdout
    # a constant drive at another value than the static one acts: no warning
    steady = tmp_path / "steady.toml"
    text = pulse.read_text()
    start = text.index("[drives.free.voltage]")
    end = text.index("\n\n", start)
    steady.write_text(text[:start] + '[drives.free.voltage]\nshape = "constant"\n'
                      'value = -0.6e-3\n' + text[end:])
    res = CliRunner().invoke(main, ["run", str(steady), "--until", "0.1ns", "--no-progress"])
    assert res.exit_code == 0 and "warning" not in res.stderr, res.output


def test_a_value_with_a_unit_suffix_and_plots_of_what_is_not_a_result(tmp_path):
    """'1 mV' for a voltage: the field, that numbers are SI without suffix, and what was
    given; `plot` of a device file or of a file no reader knows, and a figure name without a
    suffix: one line each, exit 2, nothing written."""
    bad = tmp_path / "bad.toml"
    bad.write_text('temperature = 300\n[nodes.a]\ntype = "normal"\nreservoir = true\n'
                   'voltage = "1 mV"\n')
    res = CliRunner().invoke(main, ["check", str(bad)])
    assert res.exit_code == 2 and res.stderr.strip() == (
        f"error: {bad}: nodes.a.voltage: must be a number in SI units, without a unit suffix "
        "(V, K, A, S, m, s, T), got '1 mV'")
    text = tmp_path / "notes.txt"
    text.write_text("not a result\n")
    for source, reason in ((EXAMPLES / "valve_thermal.toml", "a device file; plot draws "
                            "result files"), (text, "not a result file (netCDF .nc or a zarr")):
        res = CliRunner().invoke(main, ["plot", str(source), "-o", str(tmp_path / "f.png")])
        assert res.exit_code == 2 and f"{source.name}: {reason}" in res.stderr, res.output
        assert len(res.stderr.strip().splitlines()) == 1 and not (tmp_path / "f.png").exists()
    xr = pytest.importorskip("xarray")
    xr.Dataset({"x": ("v", [1.0, 2.0])}, coords={"v": [0.0, 1.0]}).to_netcdf(tmp_path / "a.nc")
    res = CliRunner().invoke(main, ["plot", str(tmp_path / "a.nc"), "-o", str(tmp_path / "fig")])
    assert res.exit_code == 2 and "--output: " in res.stderr and "fig has no suffix" in res.stderr
    assert not (tmp_path / "fig").exists()


def test_circuits_solutions_and_trajectories_print_as_one_line_summaries():
    """print() of a circuit, a solution or a trajectory: what it is, its size and where to
    look — not every array."""
    from spincaloric.io import load_spec

    spec = load_spec(EXAMPLES / "pillar_write_pulse.toml")
    c = spec.device.finalize()
    texts = [repr(c), repr(c.solve()),
             repr(spec.simulation_for(c, 1e-10)[0].run(1e-10, n_save=3))]
    assert texts[0].startswith("<Circuit 'Co|Cu|Co nanopillar") and "3 nodes, 2 contacts" in texts[0]
    assert texts[1].startswith("<Solution of 'Co|Cu|Co nanopillar") and ".torques" in texts[1]
    assert texts[2].startswith("<Trajectory: 1 trajectory of free, 3 saved instants over 0 ps – "
                               "100 ps (rk45)")
    for t in texts:
        assert len(t) < 300 and "\n" not in t and not re.search(r"\barray\(", t), t


def test_run_takes_the_integrator_from_the_command_line():
    """--method rk4 with --dt runs fixed steps (the file's method otherwise); rk45 with
    thermal noise is refused naming --method."""
    pulse = str(EXAMPLES / "pillar_write_pulse.toml")
    res = CliRunner().invoke(main, ["run", pulse, "--method", "rk4", "--dt", "0.5ps", "--until",
                                    "0.2ns", "--n-save", "101", "--no-progress", "--json"])
    assert res.exit_code == 0 and "warning" not in res.stderr, res.output
    res = CliRunner().invoke(main, ["run", pulse, "--method", "rk45", "--temperature-noise",
                                    "--no-progress"])
    assert res.exit_code == 2 and res.stderr.startswith(f"error: {pulse}: --method: thermal "
                                                        "noise needs the stochastic 'heun'")


def test_missing_file_and_bad_flags(tmp_path):
    res = CliRunner().invoke(main, ["solve", str(tmp_path / "nope.toml")])
    assert res.exit_code == 2 and res.stderr.strip() == (
        f"error: {tmp_path / 'nope.toml'}: No such file or directory")
    res = CliRunner().invoke(main, ["solve", "--jsn", str(EXAMPLES / "valve_thermal.toml")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    # flag errors are one line too, like every input error (not click's usage block)
    pillar = str(EXAMPLES / "thermal_switching_pillar.toml")
    for args, expected in ((["--bogus"], "No such option '--bogus'"),
                           (["nosuch"], "No such command 'nosuch'"),
                           (["run"], "Missing argument 'DEVICE'"),
                           (["run", pillar, "--until", "5parsecs"],
                            "'5parsecs': unknown unit 'parsecs' (s, ms, us, µs, ns, ps, fs)"),
                           (["run", pillar, "--until", "-5ns"], "'-5ns' is not a positive"),
                           (["run", pillar, "--until", "8"], "'8' would be 8 s of magnetization"),
                           (["run", pillar, "--ensemble", "0"], "--ensemble"),
                           (["solve", "--jsn", pillar], "No such option '--jsn'")):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 2, args
        assert res.stderr.strip().splitlines() == [res.stderr.strip()], res.stderr
        assert res.stderr.startswith("error: ") and expected in res.stderr, res.stderr
    res = CliRunner().invoke(main, ["--help"])
    assert res.exit_code == 0 and "Usage:" in res.stdout


def test_check_and_materials():
    res = run("check", *sorted(str(p) for p in EXAMPLES.glob("*.toml")))
    assert res.exit_code == 0, res.output
    assert all(line.startswith("ok: ") for line in res.output.strip().splitlines())
    res = run("materials")
    assert res.exit_code == 0
    body = res.output.strip().splitlines()
    names = [line.split()[0] for line in body if line.strip()]
    assert sum(1 for n in names if n.startswith(("Cu/", "Cr/"))) == 12
    assert "warning" not in res.output
    # S = (S/T) T beyond sqrt(L0) = 156 µV/K for some interfaces of Table I at 1e4 K: said
    hot = CliRunner().invoke(main, ["materials", "--temperature", "1e4"])
    assert hot.exit_code == 0 and "warning: at 10000 K" in hot.stderr and "Cu/Co(001)" in \
        hot.stderr.split("thermopower", 1)[1]


def test_every_example_device_solves():
    for path in sorted(EXAMPLES.glob("*.toml")):
        res = run("solve", "--json", str(path))
        assert res.exit_code == 0, (path, res.output)
        doc = json.loads(res.output)
        assert all(np.isfinite(c["charge_current"]) for c in doc["contacts"])


def test_solve_only_prints_the_matching_rows():
    """--only keeps the nodes, contacts and magnets whose names match a shell pattern (a
    diffusive channel's 400 vertices left out); a pattern matching nothing is one line naming
    the close match, exit 2."""
    path = str(EXAMPLES / "lateral_valve_hanle.toml")
    full = run("solve", path).output
    res = run("solve", path, "--only", "detector*", "--only", "left")
    assert res.exit_code == 0, res.output
    rows = [line.split()[0] for line in res.output.splitlines()[1:]]
    assert "channel_190" in full and not any(r.startswith("channel") for r in rows)
    assert {"left", "detector", "detector->channel_210", "left->channel_1"} <= set(rows)
    assert "injector" not in rows and "entropy" in rows  # the circuit's total stays
    # every printed row holds the full table's values (the columns narrower)
    rows_of_full = [line.split() for line in full.splitlines()[1:]]
    assert all(line.split() in rows_of_full for line in res.output.splitlines()[1:])
    bad = run("solve", path, "--only", "detecter")
    assert bad.exit_code == 2
    assert bad.output.strip().endswith("--only: 'detecter' matches no node, contact or magnet; "
                                       "did you mean detector?")


def test_python_api_matches_the_json(tmp_path):
    import spincaloric as sc

    path = write(tmp_path, SIMPLE)
    sol = sc.load_device(path).finalize().solve()
    doc = json.loads(run("solve", "--json", path).output)
    assert float(sol.contacts[0].charge_current) == pytest.approx(
        doc["contacts"][0]["charge_current"], rel=1e-14, abs=0)
    np.testing.assert_allclose(sol.torques["right"], doc["torques"]["right"], rtol=1e-14)


def test_module_entry_point_runs_as_a_subprocess():
    out = subprocess.run([sys.executable, "-m", "spincaloric", "solve", "--json",
                          str(EXAMPLES / "valve_thermal.toml")], capture_output=True, text=True,
                         check=True)
    assert json.loads(out.stdout)["title"].startswith("Co|Cu|Co")


def test_contract_database_form_with_area_only(tmp_path):
    """The contract's form 3 (interface = "Cu/Co(111)*", area = 1e-16) works as written:
    G = G/A × area with the cited database conductance, P, η, S, P', η' from Table I."""
    import spincaloric as sc
    from spincaloric.materials import get_interface

    text = SIMPLE.replace('conductance = 1.0e-2\npolarization = 0.5\nmixing = 0.6\n'
                          'seebeck = -4.5e-6\npolarization_derivative = 0.77\n'
                          'mixing_derivative = 0.13', 'interface = "Cu/Co(111)*"\narea = 1.0e-16')
    dev = sc.load_device(write(tmp_path, text)).finalize()
    c = dev.contact_parameters(0)
    data = get_interface("Cu/Co(111)*")
    assert c.conductance == pytest.approx(data.conductance_per_area * 1e-16, rel=1e-6, abs=0)
    assert c.polarization == pytest.approx(data.polarization, rel=1e-6, abs=0)
    assert c.seebeck(300.0) == pytest.approx(data.seebeck(300.0), rel=1e-6, abs=0)
    assert c.mixing == pytest.approx(0.64, rel=1e-6, abs=0)


def test_materials_bulk_lists_values_and_their_sources():
    from click.testing import CliRunner

    from spincaloric.cli import main

    res = CliRunner().invoke(main, ["materials", "--bulk"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    py = next(line for line in lines if line.split()[:1] == ["Py"])
    assert "0.73" in py and "5.5e-09" in py and "-4.5e-06" in py
    assert any(line.startswith("  Py.spin_flip_length (4.2 K): S. D. Steenwyk") for line in lines)
    pt = next(line for line in lines if line.split()[:1] == ["Pt"])
    assert pt.split()[4] == "—"  # no sourced spin-flip length: not invented
    # the heat columns: γ_e, c_p and (where sourced) g_ep
    cu = next(line for line in lines if line.split()[:1] == ["Cu"]).split()
    assert cu[-3:] == ["97.4", "3.45e+06", "1.15e+17"]
    assert next(line for line in lines if line.split()[:1] == ["Co"]).split()[-1] == "—"


def test_atomic_write_gives_ordinary_file_permissions(tmp_path):
    """Output files get the permissions of any new file (umask), not the 0600 of a temp file."""
    import os

    from spincaloric.files import atomic_write

    path = tmp_path / "out.txt"
    atomic_write(path, lambda tmp: open(tmp, "w").write("x"))
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def test_values_of_the_wrong_type_are_refused_not_coerced(tmp_path):
    """Strict device files: "300" is not a temperature, "yes" not a boolean, 0 S/m² not a
    conductance per area (it used to fall back to the database value)."""
    for old, new, field in (("temperature = 300.0", 'temperature = "300"', "temperature"),
                            ("reservoir = true", 'reservoir = "yes"', "nodes.left.reservoir")):
        res = CliRunner().invoke(main, ["check", write(tmp_path, SIMPLE.replace(old, new, 1))])
        assert res.exit_code == 2 and f": {field}: " in res.stderr, res.stderr
    text = SIMPLE.replace('between = ["left", "spacer"]\nconductance = 1.0e-2\n'
                          'polarization = 0.5\nmixing = 0.6\nseebeck = -4.5e-6\n'
                          'polarization_derivative = 0.77\nmixing_derivative = 0.13',
                          'between = ["left", "spacer"]\ninterface = "Cu/Co(111)*"\n'
                          'area = 1e-16\nconductance_per_area = 0.0')
    res = CliRunner().invoke(main, ["check", write(tmp_path, text)])
    assert res.exit_code == 2 and "contacts[0].conductance_per_area: must be positive" in res.stderr


def test_unusable_output_paths_cost_nothing_and_leave_nothing(tmp_path):
    pillar = str(EXAMPLES / "thermal_switching_pillar.toml")
    for args, flag in ((["run", pillar, "--until", "0.01ns", "-o", str(tmp_path / "no" / "t.nc")],
                        "--output"),
                       (["run", pillar, "--until", "0.01ns", "-o", str(tmp_path / "t.nc"),
                         "--plot", str(tmp_path / "no" / "t.png")], "--plot"),
                       (["sweep", str(EXAMPLES / "valve_thermal.toml"), "-o", str(tmp_path),
                         "--vary", "right.temperature=300,301"], "--output")):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 2 and "Traceback" not in res.output
        assert len(res.stderr.strip().splitlines()) == 1 and f": {flag}: " in res.stderr
        assert list(tmp_path.iterdir()) == []


def test_run_without_the_circuit_writes_m_and_drives_only(tmp_path):
    """``run --no-circuit``: the file holds m, the drives and no torques or currents, m equal
    to the full file's; the default file has the circuit's quantities."""
    import xarray as xr

    pillar = str(EXAMPLES / "thermal_switching_pillar.toml")
    full, bare = tmp_path / "full.nc", tmp_path / "bare.nc"
    for out, extra in ((full, []), (bare, ["--no-circuit"])):
        res = CliRunner().invoke(main, ["run", pillar, "--until", "0.2ns", "--n-save", "5",
                                        "--no-progress", "-o", str(out), *extra])
        assert res.exit_code == 0, res.output
    with xr.open_dataset(full) as a, xr.open_dataset(bare) as b:
        assert {"torque", "charge_current", "heat_current"} <= set(a.data_vars)
        assert not {"torque", "charge_current", "heat_current"} & set(b.data_vars)
        assert "drive_free_temperature" in b
        np.testing.assert_array_equal(a["m"].values, b["m"].values)


def test_contact_heat_conductance_in_device_files(tmp_path):
    """``heat_conductance`` (W/K) on a contact: the heat between two leads 1 K apart grows by
    exactly that much (the electrons' part unchanged); a negative one is a one-line error."""
    text = """title = "two leads"
temperature = 300.0
[nodes.a]
type = "normal"
reservoir = true
temperature = 301.0
[nodes.b]
type = "normal"
reservoir = true
[[contacts]]
between = ["a", "b"]
conductance = 1e-2
seebeck = 0.0
"""
    from spincaloric.io import load_device

    path = tmp_path / "d.toml"
    path.write_text(text)
    bare = abs(float(load_device(path).finalize().solve().contacts[0].heat_current))
    path.write_text(text + "heat_conductance = 2e-7\n")
    more = abs(float(load_device(path).finalize().solve().contacts[0].heat_current))
    assert more - bare == pytest.approx(2e-7, rel=1e-9, abs=0)
    path.write_text(text + "heat_conductance = -2e-7\n")
    res = CliRunner().invoke(main, ["solve", str(path)])
    assert res.exit_code == 2
    assert "contacts[0].heat_conductance: must be a finite conductance ≥ 0 (W/K)" in res.stderr


def test_a_layer_magnet_is_reported_under_the_layer_name(tmp_path):
    """A diffusive ferromagnetic layer is one magnet: solve --json, the solve table and sweep
    files give its torque (all vertices summed) under the layer's name; node quantities keep
    the vertices' names; the Python API takes either name."""
    import spincaloric as sc
    from spincaloric.io import load_dataset

    path = EXAMPLES / "pillar_thick_layers.toml"
    res = run("solve", "--json", str(path))
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert set(doc["torques"]) == {"fixed", "free"}
    assert "free_0" in doc["nodes"] and "free" not in doc["nodes"]
    circuit = sc.load_device(path).finalize()
    sol = circuit.solve()
    np.testing.assert_allclose(doc["torques"]["free"], sol.magnet_torque("free_3"), rtol=1e-14)
    np.testing.assert_array_equal(sol.magnet_torque("free"), sol.magnet_torque("free_3"))
    assert circuit.magnet_name("free_3") == "free" and circuit.magnet_nodes("free")[0] == "free_0"
    table = run("solve", str(path)).stdout
    magnets = table[table.index("  magnet"):].splitlines()[1:3]
    assert [line.split()[0] for line in magnets] == ["fixed", "free"]
    out = tmp_path / "s.nc"
    res = run("sweep", str(path), "--vary", "top.voltage=0,1e-6", "-o", str(out))
    assert res.exit_code == 0, res.output
    ds = load_dataset(out)
    assert list(ds["magnet"].values) == ["fixed", "free"] and "free_0" in ds.indexes["node"]


PILLAR = (EXAMPLES / "thermal_switching_pillar.toml").read_text()
THICK = (EXAMPLES / "pillar_thick_layers.toml").read_text()
MTJ = (EXAMPLES / "mtj_magneto_seebeck.toml").read_text()
SPECTRAL = (EXAMPLES / "valve_spectral.toml").read_text()
MISSPELT = {  # a misspelt key anywhere in a file: (text, the error after "error: FILE: ")
    "required magnet key": (PILLAR.replace("saturation_magnetization =",
                                           "saturation_magnetisation ="),
                            "nodes.free.magnet.saturation_magnetisation: unknown key; did you "
                            "mean saturation_magnetization?"),
    "damping": (PILLAR.replace("damping =", "dampng ="),
                "nodes.free.magnet.dampng: unknown key; did you mean damping?"),
    "top level": (SIMPLE.replace("temperature = 300.0\n", "temprature = 300.0\n", 1),
                  "temprature: unknown key; did you mean temperature?"),
    "table name": (THICK.replace("[layers.free]", "[layer.free]"),
                   "layer: unknown key; did you mean layers?"),
    "node type": (SIMPLE.replace('type = "normal"', 'typ = "normal"'),
                  "nodes.spacer.typ: unknown key; did you mean type?"),
    "contact": (SIMPLE.replace("polarization = 0.5", "polarisation = 0.5", 1),
                "contacts[0].polarisation: unknown key; did you mean polarization?"),
    "angles": (SIMPLE.replace("{theta = 90, phi = 0}", "{theta = 90, phii = 0}"),
               "nodes.right.magnetization.phii: unknown key; did you mean phi?"),
    "junction": (MTJ.replace("tmr = 1.0", "tmrr = 1.0"),
                 "contacts[0].junction.tmrr: unknown key; did you mean tmr?"),
    "layer": (THICK.replace("length = 3e-9", "lenght = 3e-9"),
              "layers.free.lenght: unknown key; did you mean length?"),
    "drive": (PILLAR.replace("peak = 40.0", "peek = 40.0"),
              "drives.free.temperature.peek: unknown key for shape 'laser'; did you mean peak?"),
    "drive node": (PILLAR.replace("[drives.free.temperature]", "[drives.fre.temperature]"),
                   "drives.fre: unknown node 'fre'; did you mean free?"),
    "simulation": (PILLAR.replace("n_save = 801", "nsave = 801"),
                   "simulation.nsave: unknown key; did you mean n_save?"),
    "spectral": (SPECTRAL.replace("points = ", "point = "),
                 "spectral.point: unknown key; did you mean points?"),
    "between": (SIMPLE.replace('between = ["left", "spacer"]', 'between = ["left", "spacr"]'),
                "contacts[0].between: unknown node 'spacr'; did you mean spacer?"),
}


@pytest.mark.parametrize("case", sorted(MISSPELT))
def test_a_misspelt_key_is_named_with_its_close_match(tmp_path, case):
    """An unknown key is reported as such, with the key it resembles — also when it stands
    for a required key (which is then missing too)."""
    text, expected = MISSPELT[case]
    path = write(tmp_path, text)
    for command in ("check", "solve"):
        res = run(command, path)
        assert res.exit_code == 2, (case, res.output)
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in res.output, res.output
        assert lines[0] == f"error: {path}: {expected}"


def _with_simulation(extra: str) -> str:
    return PILLAR.replace("n_save = 801", f"n_save = 801\n{extra}")


REFUSED = {  # files that solve/run refuse: check must refuse them with the same line
    "laser below 0 K": (PILLAR.replace("peak = 40.0 ", "peak = -400.0 "), "run",
                        "drives.free.temperature: the temperature must stay positive (K)"),
    "one saved instant": (PILLAR.replace("n_save = 801", "n_save = 1"), "run",
                          "simulation.n_save: must be a whole number ≥ 2, got 1"),
    "negative step": (_with_simulation("dt = -1e-12"), "run",
                      "simulation.dt: must be a positive time step (s), got -1e-12"),
    "empty ensemble": (_with_simulation("ensemble = 0"), "run",
                       "simulation.ensemble: must be a whole number ≥ 1, got 0"),
    "negative until": (PILLAR.replace("until = 8.0e-9", "until = -1.0"), "run",
                       "simulation.until: must be a positive time of at most 1 s (10¹² picosecond steps), "
                       "got -1.0"),
    "noise without heun": (_with_simulation('temperature_noise = true\nmethod = "rk45"'), "run",
                           "simulation.method: thermal noise needs the stochastic 'heun' method, "
                           "got 'rk45' (leave the method out: with noise heun is the default)"),
    "heat drive on a reservoir": (PILLAR.replace("[drives.free.temperature]",
                                                 "[drives.free.heat]"), "run",
                                  "drives.free.heat: heat (W) drives internal nodes; voltage, "
                                  "temperature and current drive reservoirs"),
    "voltage drive on a current bias": (
        (EXAMPLES / "open_circuit_thermopower.toml").read_text()
        + '\n[drives.right.voltage]\nshape = "constant"\nvalue = 1e-6\n', "solve",
        "drives.right.voltage: the reservoir is current-biased: drive its current"),
    "spectral settings, linear regime": (SIMPLE + "\n[spectral]\nrelaxation = { spacer = 1.0 }\n",
                                         "solve", 'spectral: only for regime = "spectral" (this '
                                         'file is "thermalized")'),
    "spectral heat without relaxation": (
        SPECTRAL.replace("relaxation = { spacer = 1.0 }\n", "").replace(
            '[nodes.spacer]\ntype = "normal"', '[nodes.spacer]\ntype = "normal"\nheat = 1e-12'),
        "solve",
        "nodes.spacer.heat: deposited heat needs electron–electron relaxation in the node "
        "(spectral relaxation) to thermalize it"),
    "sweep key": (SIMPLE + '\n[sweep]\nvary = ["right.temprature=300,301"]\n', "solve",
                  "vary.right.temprature: unknown key 'temprature' in [nodes.right]; did you "
                  "mean temperature?"),
    "sweep key with a list index after a dot": (
        SIMPLE + '\n[sweep]\nvary = ["contacts.0.conductance=1e-2,2e-2"]\n', "solve",
        "vary.contacts.0.conductance: contacts is a list: write its element as contacts[0]"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_check_refuses_what_solve_and_run_refuse(tmp_path, case):
    """One validation path: `check` runs what solve/run/sweep/map run before they compute, so
    a file that one of them refuses is refused by all, with the same line."""
    text, command, expected = REFUSED[case]
    path = write(tmp_path, text)
    lines = {}
    for cmd in {"check", "solve", command}:
        args = [cmd, path] + (["--until", "1ps"] if cmd == "run" else [])
        res = run(*args)
        assert res.exit_code == 2, (cmd, res.output)
        assert res.stdout == "" and "Traceback" not in res.output, (cmd, res.output)
        lines[cmd] = res.stderr.strip().splitlines()
        assert lines[cmd] == [f"error: {path}: {expected}"], (cmd, lines[cmd])


def test_round_off_prints_as_zero():
    """−0.0 and values below 1e-12 of the largest of their kind (same units: potentials,
    currents, heat currents, torques) in the same solution print as 0 in JSON and tables;
    every other value is printed as solved."""
    import re

    import spincaloric as sc

    for path in sorted(EXAMPLES.glob("*.toml")):
        text = run("solve", "--json", str(path)).stdout
        assert not re.search(r"-0\.0[,\]}]", text), path
        table = run("solve", str(path)).stdout
        assert not re.search(r"-0\.0+(e[+-]00)?\b", table), (path, table)
    doc = json.loads(run("solve", "--json", str(EXAMPLES / "valve_thermal.toml")).stdout)
    raw = sc.load_device(EXAMPLES / "valve_thermal.toml").finalize().solve()
    tau = raw.torques["right"]  # x is along m of `right`: a parallel remainder of ~1e-41 N m
    assert 0 < abs(tau[0]) < 1e-12 * np.abs(tau).max()
    assert doc["torques"]["right"] == [0.0, float(tau[1]), float(tau[2])]
    assert doc["torques"]["left"] == raw.torques["left"].tolist()
    assert "e-41" not in run("solve", str(EXAMPLES / "valve_thermal.toml")).stdout
    # an open circuit: no charge current flows; what the solve leaves is round-off of the
    # currents (A) of the same contacts
    doc = json.loads(run("solve", "--json", str(EXAMPLES / "open_circuit_thermopower.toml")).stdout)
    assert [c["charge_current"] for c in doc["contacts"]] == [0.0, 0.0]
    assert all(abs(c["spin_current"][0]) > 1e-10 for c in doc["contacts"])


def test_help_texts_are_complete():
    """The top-level summaries are whole phrases (click cuts a docstring at ~45 characters);
    --vary says how to write values and keys, layers included, for sweep and map."""
    res = run("--help")
    assert res.exit_code == 0
    commands = res.stdout[res.stdout.index("Commands:"):].splitlines()[1:]
    summaries = {line.split()[0]: line.split(None, 1)[1] for line in commands if line.strip()}
    for name in ("check", "map", "materials", "plot", "run", "solve", "sweep"):
        assert not summaries[name].endswith("..."), summaries[name]
        assert main.commands[name].short_help == summaries[name]
    for command in ("sweep", "map"):
        text = " ".join(run(command, "--help").stdout.split())
        for form in ("KEY=VALUE", "KEY=START:STOP:N", "KEY=V1,V2,...", "nodes.NAME.field",
                     "NAME.field", "layers.NAME.field", "contacts[i].field", "field[i]",
                     "degrees"):
            assert form in text, (command, form)


def test_two_ferromagnets_name_the_file_key_not_a_class(tmp_path):
    """A device file's errors speak of its keys: a direct F|F contact points to `junction`,
    a junction to a normal node to the ordinary forms — no Python class names."""
    text = SIMPLE.replace('between = ["right", "spacer"]', 'between = ["right", "left"]')
    res = run("check", write(tmp_path, text))
    assert res.exit_code == 2
    assert res.stderr.strip().endswith("contacts[1].between: two ferromagnets cannot be joined "
                                       "directly: put a normal node between them, or make the "
                                       "contact a tunnel junction (junction = {...})")
    junction = MTJ.replace('between = ["fixed", "free"]', 'between = ["fixed", "mid"]') + \
        '\n[nodes.mid]\ntype = "normal"\n'
    res = run("check", write(tmp_path, junction))
    assert res.exit_code == 2 and "Parameters" not in res.stderr and "Barrier" not in res.stderr
    assert "contacts[0].between: a tunnel junction joins two ferromagnets" in res.stderr


@given(digits=st.integers(1, 10**12), exponent=st.integers(-6, 6),
       unit=st.sampled_from(["s", "ms", "us", "µs", "ns", "ps", "fs"]))
@settings(max_examples=300, deadline=None)
def test_durations_are_the_nearest_double_to_the_written_decimal(digits, exponent, unit):
    """``6ns`` is 6e-09 (not 6 × 1e-9 = 6.000000000000001e-09): the time as written, rounded
    once, as Python reads the same number written in seconds."""
    from spincaloric.cli import Duration

    power = {"s": 0, "ms": -3, "us": -6, "µs": -6, "ns": -9, "ps": -12, "fs": -15}[unit]
    seconds = float(f"{digits}e{exponent + power}")
    assert Duration().convert(f"{digits}e{exponent}{unit}", None, None) == seconds
    assert Duration().convert("6ns", None, None) == 6e-9


def test_a_missing_optional_dependency_is_one_line_before_the_work(monkeypatch, tmp_path):
    """A zarr output or dask workers without the `parallel` extra: one line naming what to
    install, exit 2, before anything is computed (a traceback ended the work)."""
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in (
        "zarr", "distributed") else real(name, *a))
    valve = str(EXAMPLES / "valve_thermal.toml")
    res = run("sweep", valve, "--vary", "right.magnetization.theta=0:180:3", "-o",
              str(tmp_path / "s.zarr"))
    assert res.exit_code == 2
    assert res.output.strip().splitlines()[-1].endswith(
        "--output: needs zarr: pip install 'spincaloric[parallel]'"), res.output
    res = run("map", str(EXAMPLES / "thermal_switching_pillar.toml"), "--vary",
              "drives.free.temperature.peak=20:40:2", "--workers", "2", "-o",
              str(tmp_path / "m.nc"))
    assert res.exit_code == 2
    assert res.output.strip().splitlines()[-1].endswith(
        "workers: needs distributed: pip install 'spincaloric[parallel]'"), res.output
    assert list(tmp_path.iterdir()) == []


def test_check_refuses_a_drive_that_run_refuses(tmp_path):
    """Contacts of 1963 m² (an area given in the wrong unit) make the laser drive turn the
    free layer faster than any integrator resolves: `check` names it with run's line (it
    said ok)."""
    pillar = (EXAMPLES / "thermal_switching_pillar.toml").read_text()
    lines = pillar.splitlines()
    lines = [("area = 1963.0" if line.startswith("area = 1.26e-15") and i > 40 else line)
             for i, line in enumerate(lines)]
    path = tmp_path / "unit.toml"
    path.write_text("\n".join(lines) + "\n")
    checked = run("check", str(path))
    ran = run("run", str(path), "--until", "1ns")
    assert checked.exit_code == ran.exit_code == 2, (checked.output, ran.output)
    last = checked.output.strip().splitlines()[-1]
    assert "drives.free.temperature" in last and last == ran.output.strip().splitlines()[-1]


@pytest.mark.parametrize("key, value, field", [
    ("area = 1.26e-15                    # m², a 40 nm disc", "area = 1963.0",
     "nodes.free.magnet.area: 1963 m² is no macrospin"),
    ("thickness = 1.5e-9", "thickness = 1.5", "nodes.free.magnet.thickness: 1.5 m is no macrospin"),
])
def test_a_magnet_size_in_the_wrong_unit_is_named(tmp_path, key, value, field):
    """A free layer of 1963 m² (nm² meant) ran and 'did not switch'; now check names it."""
    pillar = (EXAMPLES / "thermal_switching_pillar.toml").read_text()
    assert key in pillar
    path = tmp_path / "unit.toml"
    path.write_text(pillar.replace(key, value, 1))
    res = run("check", str(path))
    assert res.exit_code == 2 and field in res.output.strip().splitlines()[-1], res.output


def test_fmr_takes_the_only_dynamic_magnet_and_an_ensemble_without_noise_is_named():
    pillar = str(EXAMPLES / "thermal_switching_pillar.toml")
    res = run("fmr", pillar)
    assert res.exit_code == 0 and ": free: f = " in res.output, res.output
    res = run("sweep", pillar, "--vary", "free.magnetization.theta=0:180", "-o", "x.nc")
    assert res.exit_code == 2 and "give START:STOP:N" in res.output
    res = run("run", pillar, "--until", "0.2ns", "--ensemble", "2", "--no-progress")
    assert res.exit_code == 0
    assert "its 2 trajectories are identical" in res.output, res.output
    # copies of one trajectory: a probability of 0 or 1, no binomial interval around it
    assert "switching probability 0.000 (identical: no thermal noise) over 2" in res.stdout
    res = run("run", pillar, "--until", "0.2ns", "--ensemble", "2", "--no-progress", "--json")
    free = json.loads(res.stdout)["magnets"]["free"]
    assert free["identical_trajectories"] is True
    assert free["switching_probability_interval_95"] == [0.0, 0.0]


def test_a_result_file_named_as_something_else_is_refused(tmp_path):
    """`run -o x.txt` wrote netCDF under a text file's name."""
    res = run("run", str(EXAMPLES / "thermal_switching_pillar.toml"), "--until", "0.1ns", "-o",
              str(tmp_path / "x.txt"))
    assert res.exit_code == 2
    assert "--output: x.txt: a result file is netCDF (.nc) or a zarr store" in res.output
    assert list(tmp_path.iterdir()) == []


def test_a_step_the_adaptive_method_does_not_use_is_named(tmp_path):
    """[simulation] dt with the default rk45 (no noise) is said to be unused, on stderr;
    with --temperature-noise (heun) it is the step, and nothing is said."""
    device = tmp_path / "dev.toml"
    device.write_text(_with_simulation("dt = 0.5e-12"))
    quiet = ["--until", "0.05ns", "--no-progress"]
    unused = CliRunner().invoke(main, ["run", str(device), *quiet])
    assert unused.exit_code == 0, unused.output
    assert "simulation.dt is the step of the fixed-step methods" in unused.stderr
    used = CliRunner().invoke(main, ["run", str(device), "--temperature-noise", "--ensemble",
                                     "2", *quiet])
    assert used.exit_code == 0, used.output
    assert "simulation.dt" not in used.stderr


def test_saved_instants_closer_than_the_step_are_said_to_repeat(tmp_path):
    """A fixed-step run saves the nearest step's state: --n-save finer than dt = 0.5 ps
    repeats states, which the command says (naming the largest n_save that does not); one
    instant per step or fewer says nothing."""
    device = tmp_path / "dev.toml"
    device.write_text(_with_simulation("dt = 0.5e-12"))
    base = ["run", str(device), "--temperature-noise", "--ensemble", "2", "--until", "0.05ns",
            "--no-progress"]
    fine = CliRunner().invoke(main, [*base, "--n-save", "201"])
    assert fine.exit_code == 0, fine.output
    assert "closer than the step dt = 5e-13 s" in fine.stderr
    assert "--n-save at most 101" in fine.stderr
    coarse = CliRunner().invoke(main, [*base, "--n-save", "101"])
    assert coarse.exit_code == 0, coarse.output
    assert "closer than the step" not in coarse.stderr


def test_the_dt_flag_sets_the_step_and_is_named_in_its_errors(tmp_path):
    """--dt on run, wer and map: the step of the noisy run (over the file's dt), recorded in
    the trajectory file; a step the precession refuses is named --dt."""
    import xarray as xr

    device = tmp_path / "dev.toml"
    device.write_text(_with_simulation("dt = 0.5e-12"))
    out = tmp_path / "r.nc"
    base = ["--temperature-noise", "--until", "0.02ns", "--no-progress"]
    res = CliRunner().invoke(main, ["run", str(device), *base, "--ensemble", "2", "--dt",
                                    "0.25ps", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert xr.load_dataset(out).attrs["dt"] == 2.5e-13
    for cmd in (["run", str(device), *base, "--dt", "5ps"],
                ["wer", str(device), "--trajectories", "2", "--until", "0.02ns", "--dt", "5ps",
                 "--no-progress"],
                ["map", str(device), "--vary", "free.magnet.damping=0.02,0.03", *base,
                 "--dt", "5ps", "-o", str(tmp_path / "m.nc")]):
        res = CliRunner().invoke(main, cmd)
        assert res.exit_code == 2, (cmd, res.output)
        assert f"error: {device}: --dt: " in res.stderr and "5e-12 s exceeds" in res.stderr


def test_an_end_beyond_a_second_is_named_as_the_flag_that_gave_it():
    """``run --until 10s``: the refusal names --until (not the file's simulation.until),
    without first warning of the long run it refuses."""
    device = str(EXAMPLES / "thermal_switching_pillar.toml")
    res = CliRunner().invoke(main, ["run", device, "--until", "10s"])
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [
        f"error: {device}: --until: must be a positive time of at most 1 s (10¹² "
        "picosecond steps), got 10.0"], res.stderr


def test_a_step_the_precession_refuses_is_named_by_its_key_in_the_file(tmp_path):
    device = tmp_path / "dev.toml"
    device.write_text(_with_simulation("dt = 5e-12"))
    res = CliRunner().invoke(main, ["run", str(device), "--temperature-noise", "--until",
                                    "0.05ns", "--no-progress"])
    assert res.exit_code == 2
    # (the laser pulse of the file starts after 0.05 ns: a warning of it comes first)
    assert res.stderr.strip().splitlines()[-1].startswith(
        f"error: {device}: simulation.dt: 5e-12 s exceeds")


def test_every_json_output_names_the_units_of_its_quantities():
    """solve, run and wer --json carry ``units``: every dimensional key they print has its
    SI unit there (a script needs no table), and the units are those of the docs."""
    runner = CliRunner()
    out = runner.invoke(main, ["solve", str(EXAMPLES / "pillar_thick_layers.toml"), "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    units = doc["units"]
    names = {q for section in ("nodes", "reservoirs") for quantities in doc[section].values()
             for q in quantities}
    names |= {q for c in doc["contacts"] for q in c if q != "between"}
    assert names | {"torques", "entropy_production", "temperature"} == set(units)
    assert (units["voltage"], units["charge_current"], units["heat_current"],
            units["torques"], units["entropy_production"]) == ("V", "A", "W", "N m", "W/K")
    run = runner.invoke(main, ["run", str(EXAMPLES / "pillar_write_pulse.toml"), "--until",
                               "0.2ns", "--json", "--no-progress"])
    assert run.exit_code == 0, run.output
    record = json.loads(run.output.splitlines()[-1])
    assert record["units"]["until"] == "s" and record["units"]["switching_time"] == "s"
    line = run.output.splitlines()[-1]  # a key listed in units occurs in the record too
    assert all(line.count(f'"{k}"') == 2 for k in record["units"]), record["units"]
    wer = runner.invoke(main, ["wer", str(EXAMPLES / "pillar_write_pulse.toml"),
                               "--trajectories", "16", "--until", "0.2ns", "--json",
                               "--no-progress"])
    assert wer.exit_code == 0, wer.output
    record = json.loads(wer.output.splitlines()[-1])
    assert {k: record["units"][k] for k in ("until", "dt", "temperature")} == {
        "until": "s", "dt": "s", "temperature": "K"}
    assert set(record["units"]) <= set(record)


def test_an_output_directory_one_cannot_write_in_is_one_line(tmp_path, monkeypatch):
    """A directory without write permission is refused before the work; one the lock file
    cannot be made in (a read-only or immutable one, as root sees it) is one line too."""
    import spincaloric.cli as cli
    import spincaloric.files as files

    device = tmp_path / "v.toml"
    device.write_text(VALVE)
    monkeypatch.setattr(files.os, "access", lambda path, mode: not mode & files.os.W_OK)
    out = CliRunner().invoke(main, ["sweep", str(device), "--vary", "right.voltage=0:1e-6:3",
                                    "-o", str(tmp_path / "s.nc")])
    assert out.exit_code == 2 and out.output.count("\n") == 1
    assert f"directory {tmp_path} is not writable" in out.output
    monkeypatch.undo()

    def read_only(path):
        raise PermissionError(13, "Read-only file system")

    monkeypatch.setattr(cli, "output_lock", read_only)
    out = CliRunner().invoke(main, ["sweep", str(device), "--vary", "right.voltage=0:1e-6:3",
                                    "-o", str(tmp_path / "s.nc")])
    assert out.exit_code == 2 and out.output.count("\n") == 1, out.output
    assert "--output: cannot write" in out.output and "Read-only file system" in out.output
    assert not (tmp_path / "s.nc").exists()


def test_plot_of_a_damaged_or_missing_result_is_one_line(tmp_path):
    good = tmp_path / "tr.nc"
    run = CliRunner().invoke(main, ["run", str(EXAMPLES / "pillar_write_pulse.toml"),
                                    "--until", "0.1ns", "-o", str(good), "--no-progress"])
    assert run.exit_code == 0, run.output
    bad = tmp_path / "cut.nc"
    bad.write_bytes(good.read_bytes()[:100])
    for path, message in ((bad, "not a readable result file"),
                          (tmp_path / "none.zarr", "no such zarr store")):
        out = CliRunner().invoke(main, ["plot", str(path), "-o", str(tmp_path / "f.png")])
        assert out.exit_code == 2 and out.output.count("\n") == 1, out.output
        assert message in out.output and "Traceback" not in out.output
    assert not (tmp_path / "f.png").exists()


def test_a_run_to_milliseconds_is_warned_of(capsys):
    """--until 8ms where 8ns was meant (a device file refuses such an until itself): `run`
    and `wer` say, before they start, how much precession that follows — a long run; the
    file's own 8 ns is not warned of."""
    from spincaloric.cli import _warn_time_slips
    from spincaloric.io.devicefile import prepare

    p = prepare(EXAMPLES / "thermal_switching_pillar.toml")
    sim, _ = p.spec.simulation_for(p.circuit, 8e-3)
    _warn_time_slips("pillar", sim, 8e-3)
    err = capsys.readouterr().err
    assert "until = 8 ms follows up to 4.3e+09 rad of precession of free" in err
    assert "a long run (ns meant?)" in err
    _warn_time_slips("pillar", sim, 8e-9)
    assert "long run" not in capsys.readouterr().err



def test_a_pulse_longer_than_a_thousand_runs_is_warned_of(tmp_path):
    """duration = 2.5 (s) over a run of 5 ns: `check` asks whether s was written for ns;
    the file's own 2.5e-9 is not questioned."""
    pulse = EXAMPLES / "pillar_write_pulse.toml"
    slip = tmp_path / "slip.toml"
    slip.write_text(pulse.read_text().replace("duration = 2.5e-9 ", "duration = 2.5 "))
    res = CliRunner().invoke(main, ["check", str(slip)])
    assert res.exit_code == 0 and "drives.free.voltage.duration = 2.5 s is 5e+08 times the " \
        "run (0 – 5 ns): s where ns was meant?" in res.stderr, res.output
    res = CliRunner().invoke(main, ["check", str(pulse)])
    assert res.exit_code == 0 and "warning" not in res.stderr, res.output


def test_varying_t0_says_which_reservoirs_keep_their_own_temperature(tmp_path):
    """`--vary temperature=...` moves the device's T0; a reservoir the file gives its own
    temperature keeps it, and the sweep says so (not when that temperature is varied too)."""
    mtj = EXAMPLES / "mtj_magneto_seebeck.toml"
    res = CliRunner().invoke(main, ["sweep", str(mtj), "--vary", "temperature=290,300", "-o",
                                    str(tmp_path / "a.nc")])
    assert res.exit_code == 0 and "temperature varies the device's T0; free keeps the " \
        "temperature the file gives" in res.stderr, res.output
    res = CliRunner().invoke(main, ["sweep", str(mtj), "--zip", "--vary", "temperature=290,300",
                                    "--vary", "free.temperature=300,310", "-o",
                                    str(tmp_path / "b.nc")])
    assert res.exit_code == 0 and "keeps the temperature" not in res.stderr, res.output


def test_messages_name_what_the_user_typed(tmp_path):
    """A missing result is said before its figure's name is judged; --at without '=' asks
    for AXIS=VALUE; a boolean where a number belongs is quoted as a boolean; wer of a
    device whose nodes store heat says why in a sentence."""
    def one_line(args):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 2 and len(res.stderr.strip().splitlines()) == 1, res.stderr
        return res.stderr.strip()

    assert one_line(["plot", "none.toml", "-o", "x.nc"]).endswith(
        "none.toml: No such file or directory")
    (tmp_path / "cut.nc.chunks").mkdir()  # an interrupted map's store: says how to finish
    assert one_line(["plot", str(tmp_path / "cut.nc")]).endswith(
        "cut.nc: No such file or directory — " + str(tmp_path / "cut.nc.chunks")
        + " holds an unfinished map's chunks: run the same `spincaloric map ... -o` command "
        "with --resume to finish it")
    sweep = tmp_path / "s.nc"
    res = CliRunner().invoke(main, ["sweep", str(EXAMPLES / "valve_thermal.toml"), "--vary",
                                    "right.voltage=0:1e-6:3", "-o", str(sweep)])
    assert res.exit_code == 0, res.output
    assert one_line(["plot", str(sweep), "--at", "foo", "-o", str(tmp_path / "f.png")]
                    ).endswith("at: expected AXIS=VALUE, got 'foo'")
    device = tmp_path / "bool.toml"
    text = (EXAMPLES / "valve_thermal.toml").read_text()
    assert "\npolarization = 0.69" in text
    device.write_text(text.replace("\npolarization = 0.69", "\npolarization = true", 1))
    assert one_line(["check", str(device)]).endswith(
        "polarization: must be a number, got a boolean (true)")
    assert "and runs whose nodes store heat (or with time-resolved Joule heat) have none" in \
        one_line(["wer", str(EXAMPLES / "laser_heated_pillar.toml"), "--trajectories", "2"])


@pytest.mark.parametrize("command", ["run", "wer"])
def test_an_until_beyond_what_a_run_follows_is_one_error_naming_the_flag(command):
    """--until 1e9ns (s where ns was meant) is refused in one line naming --until, with no
    'long run' warning before it about the same end."""
    res = CliRunner().invoke(main, [command, str(EXAMPLES / "pillar_write_pulse.toml"),
                                    "--until", "1e9ns", "--no-progress"])
    assert res.exit_code == 2
    assert res.stderr.strip().splitlines() == [
        f"error: {EXAMPLES / 'pillar_write_pulse.toml'}: --until: 1 s of precession at up to "
        "5.39e+11 rad/s (magnet free): more than 1e+10 rad to follow"]


def test_counts_may_be_written_as_whole_floats():
    """--ensemble 4e0, --trajectories 1e4: a count written as a float of whole value is
    taken (physicists write 1e6); 2.5 is refused in one line."""
    pulse = str(EXAMPLES / "pillar_write_pulse.toml")
    res = CliRunner().invoke(main, ["run", pulse, "--until", "0.05ns", "--ensemble", "4e0",
                                    "--temperature-noise", "--n-save", "2", "--no-progress",
                                    "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["magnets"]["free"]["ensemble"] == 4
    res = CliRunner().invoke(main, ["run", pulse, "--ensemble", "2.5", "--no-progress"])
    assert res.exit_code == 2
    assert res.stderr.strip() == ("error: Invalid value for '--ensemble': '2.5' is not a valid "
                                  "whole number.")


def test_resonance_is_the_fmr_command():
    """`spincaloric resonance` (the module's and the docs' word) runs `fmr`."""
    same = [CliRunner().invoke(main, [name, "--help"]).output.splitlines()[2:]
            for name in ("fmr", "resonance")]
    assert same[0] == same[1] and any("magnet" in line for line in same[0])


def test_warnings_name_their_file_when_several_are_solved(tmp_path):
    """`solve A B` and `check A B`: each warning names the file it is about (with one file
    the line is as before); the same warning of two files is said for each."""
    hanle = Path(__file__).parent.parent / "examples" / "devices" / "lateral_valve_hanle.toml"
    text = hanle.read_text().replace("hanle_field = [0, 0, 0.1]", "hanle_field = [0, 0, 500]")
    assert "hanle_field = [0, 0, 500]" in text
    for name in ("a.toml", "b.toml"):
        (tmp_path / name).write_text(text)
    files = [str(tmp_path / "a.toml"), str(tmp_path / "b.toml")]
    for command in ("solve", "check"):
        res = CliRunner().invoke(main, [command, *files])
        assert res.exit_code == 0
        for f in files:
            assert f"warning: {f}: layers.channel.hanle_field = 500 T is beyond" in res.output
    one = CliRunner().invoke(main, ["check", files[0]])
    assert "warning: layers.channel.hanle_field = 500 T is beyond" in one.output


def test_a_half_metallic_contact_with_a_slope_names_its_polarization(tmp_path):
    """P = 1 closes the spin-down channel; with P' ≠ P its G↓(ε) would turn negative beside
    the Fermi level: refused naming the polarization (it was an infinite spin-down
    thermopower blamed on `seebeck`)."""
    text = VALVE.replace("polarization = 0.69", "polarization = 1.0", 1)
    assert "polarization = 1.0" in text
    (tmp_path / "p1.toml").write_text(text)
    res = CliRunner().invoke(main, ["check", str(tmp_path / "p1.toml")])
    assert res.exit_code == 2 and "inf" not in res.output
    assert re.search(r"contacts\[\d\]\.polarization: closes the spin-down channel", res.output)


def test_materials_says_the_bulk_list_takes_no_temperature():
    given = CliRunner().invoke(main, ["materials", "--bulk", "--temperature", "10"])
    assert given.exit_code == 0 and "warning: --temperature: the bulk values" in given.output
    plain = CliRunner().invoke(main, ["materials", "--bulk"])
    assert plain.exit_code == 0 and "warning" not in plain.output


def test_materials_temperature_keeps_to_the_documented_range():
    """[1 mK, 10⁶ K], as every absolute temperature (docs/device-format.md)."""
    low = CliRunner().invoke(main, ["materials", "--temperature", "1e-9"])
    assert low.exit_code == 2 and "0.001<=x<=1000000.0" in low.output
    assert CliRunner().invoke(main, ["materials", "--temperature", "0.001"]).exit_code == 0


@pytest.mark.parametrize("command", ["map", "sweep", "wer"])
def test_a_misspelt_vary_key_is_named_whatever_its_values_unit(tmp_path, command):
    """`amplitud=-0.4mV`: the unit suffix cannot be read for an unknown key; the key is what
    is wrong, and the message says so as it does for `amplitud=-0.0004`."""
    device = str(EXAMPLES / "pillar_write_pulse.toml")
    out = ["-o", str(tmp_path / "x.nc")] if command != "wer" else []
    for value in ("-0.4mV", "-0.0004"):
        res = run(command, device, "--vary", f"drives.free.voltage.amplitud={value}", *out)
        assert res.exit_code == 2
        assert res.output.strip().splitlines()[-1] == (
            f"error: {device}: vary.drives.free.voltage.amplitud: unknown key 'amplitud' in "
            "[drives.free.voltage]; did you mean amplitude?")
    assert list(tmp_path.iterdir()) == []
