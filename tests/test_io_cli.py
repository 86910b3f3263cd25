"""Device files, the JSON contract and one-line errors of the command-line interface."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

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
    assert len(errors) == 1 and errors[0].startswith(f"error: {bad}: <toml>:")


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
    "malformed toml": ("temperature = 300\n[nodes\n", "<toml>:"),
    "bad regime": (SIMPLE.replace("temperature = 300.0\n", 'temperature = 300.0\nregime = "hot"\n', 1),
                   "regime:"),
    "negative temperature": (SIMPLE.replace("temperature = 300.0\n", "temperature = -3.0\n", 1),
                             "temperature: must be at least 0.001 K"),
    # used to underflow e L0 T to zero and end in a ZeroDivisionError traceback
    "vanishing temperature": (SIMPLE.replace("temperature = 300.0\n", "temperature = 1e-300\n",
                                             1), "temperature: must be at least 0.001 K"),
    "huge energy grid": (SIMPLE + "\n[spectral]\npoints = 1000000000000\n",
                         "spectral.points: Input should be less than or equal to 1000000"),
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


def test_missing_file_and_bad_flags(tmp_path):
    res = CliRunner().invoke(main, ["solve", str(tmp_path / "nope.toml")])
    assert res.exit_code == 2 and "error:" in res.stderr and "<file>" in res.stderr
    res = CliRunner().invoke(main, ["solve", "--jsn", str(EXAMPLES / "valve_thermal.toml")])
    assert res.exit_code == 2 and "Traceback" not in res.output
    # flag errors are one line too, like every input error (not click's usage block)
    pillar = str(EXAMPLES / "thermal_switching_pillar.toml")
    for args, expected in ((["--bogus"], "No such option '--bogus'"),
                           (["nosuch"], "No such command 'nosuch'"),
                           (["run"], "Missing argument 'DEVICE'"),
                           (["run", pillar, "--until", "5parsecs"], "'5parsecs' is not a positive"),
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


def test_every_example_device_solves():
    for path in sorted(EXAMPLES.glob("*.toml")):
        res = run("solve", "--json", str(path))
        assert res.exit_code == 0, (path, res.output)
        doc = json.loads(res.output)
        assert all(np.isfinite(c["charge_current"]) for c in doc["contacts"])


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


def test_atomic_write_gives_ordinary_file_permissions(tmp_path):
    """Output files get the permissions of any new file (umask), not the 0600 of a temp file."""
    import os

    from spincaloric.io import atomic_write

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
