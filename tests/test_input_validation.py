"""Input validation: every result is finite, every absolute temperature positive, every bad
input a field-named error (never NaN in the output, never a raw NumPy/Python exception)."""

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from spincaloric import ContactParameters, Device
from spincaloric.circuit.device import DeviceError, unit_vector
from spincaloric.cli import main
from spincaloric.dynamics.magnets import MagnetParameters
from spincaloric.errors import FieldError

PAPER = dict(conductance=1e-2, polarization=0.5, mixing=0.6, seebeck=-4e-6,
             polarization_derivative=0.8, mixing_derivative=0.1)

EXAMPLES = Path(__file__).parent.parent / "examples" / "devices"
VALVE = (EXAMPLES / "valve_thermal.toml").read_text()


def valve_file(tmp_path, spacer="", right="voltage = -1.0e-6", name="dev.toml"):
    """The thermal valve example with ``spacer`` lines added to its internal node and its
    right reservoir's bias replaced by ``right``."""
    text = VALVE.replace('[nodes.spacer]\ntype = "normal"', f'[nodes.spacer]\ntype = "normal"\n{spacer}')
    path = tmp_path / name
    path.write_text(text.replace("voltage = -1.0e-6", right))
    return path


def valve_circuit(current=False):
    dev = Device(temperature=300.0)
    dev.add_node("left", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("spacer", "normal")
    dev.add_node("right", "ferromagnet", reservoir=True, magnetization=[1, 0, 0],
                 **({"current": 1e-6} if current else {"voltage": 1e-6}))
    c = ContactParameters.from_paper(**PAPER, temperature=300.0)
    dev.add_contact("left", "spacer", c)
    dev.add_contact("right", "spacer", c)
    return dev.finalize()


def no_constants(name):
    raise AssertionError(f"{name} in the JSON output")


def solve_json(tmp_path, spacer="", right="voltage = -1.0e-6"):
    path = valve_file(tmp_path, spacer, right)
    return CliRunner().invoke(main, ["solve", "--json", str(path)]), str(path)


# ---- A: finite results, positive temperatures, vectors normalised without overflow -----------


@pytest.mark.parametrize("spacer, right, field", [
    ("", "voltage = 1e300", "nodes.right.voltage"),
    ("", "current = 1e300", "nodes.right.current"),
    ("heat = 1e300", "voltage = -1.0e-6", "nodes.spacer.heat"),
    ("heat = -1e300", "voltage = -1.0e-6", "nodes.spacer.heat"),
])
def test_overflowing_drives_are_refused_naming_them(tmp_path, spacer, right, field):
    res, path = solve_json(tmp_path, spacer, right)
    assert res.exit_code == 2, res.output
    assert res.stdout == ""
    assert res.stderr.splitlines() == [res.stderr.strip()]
    assert res.stderr.startswith(f"error: {path}: {field}: "), res.stderr
    assert "floating-point range" in res.stderr or "positive" in res.stderr
    assert "Warning" not in res.stderr and "nan" not in res.stderr


def test_heat_that_cools_a_node_below_zero_kelvin_is_refused(tmp_path):
    res, path = solve_json(tmp_path, "heat = -1")
    assert res.exit_code == 2, res.output
    line = res.stderr.strip()
    assert line.startswith(f"error: {path}: nodes.spacer.heat: -1 W drives the temperature of "
                           "node spacer to -5.9")
    assert line.endswith("(an absolute temperature must stay positive)")


def test_api_names_the_override_that_drives_the_solution_out_of_range():
    c = valve_circuit()
    with pytest.raises(DeviceError) as err:
        c.solve(heat={"spacer": -1.0})
    assert err.value.field == "heat.spacer"
    with pytest.raises(DeviceError) as err:  # the first bad point of a batch
        c.solve(voltage={"right": [1e-6, 1e300]})
    assert err.value.field == "voltage.right"
    # a batch of good drives is untouched
    sol = c.solve(voltage={"right": np.linspace(-1e-3, 1e-3, 5)})
    assert np.all(np.isfinite(sol.states))


def test_cold_node_is_blamed_on_the_drive_that_cools_it():
    """Two drives: the reservoir's voltage warms the spacer a little, the heat sink cools it
    below 0 K; the heat is named."""
    c = valve_circuit()
    with pytest.raises(DeviceError) as err:
        c.solve(voltage={"right": 1e-3}, heat={"spacer": -1.0})
    assert err.value.field == "heat.spacer"
    assert "spacer" in err.value.reason


@settings(max_examples=60, deadline=None)
@given(exponent=st.floats(-320, 308), sign=st.sampled_from((-1.0, 1.0)),
       which=st.sampled_from(("voltage", "current", "heat")))
def test_any_drive_magnitude_solves_finite_or_is_refused_by_name(exponent, sign, which):
    value = sign * 10.0**exponent
    c = valve_circuit(current=which == "current")
    target = "spacer" if which == "heat" else "right"
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no RuntimeWarning
        try:
            sol = c.solve(**{which: {target: value}})
        except DeviceError as err:
            assert err.field == f"{which}.{target}"
            return
    doc = sol.to_dict()
    text = json.dumps(doc, allow_nan=False)  # raises on NaN/inf
    assert json.loads(text) == doc
    assert all(float(s.temperature) > 0 for s in sol.nodes.values())


def test_vectors_with_overflowing_norms_normalise_exactly():
    np.testing.assert_allclose(unit_vector([1e200, 1e200, 0]), [2**-0.5, 2**-0.5, 0], rtol=1e-15)
    np.testing.assert_allclose(unit_vector([-1e308, 0, 1e308]), [-(2**-0.5), 0, 2**-0.5],
                               rtol=1e-15)
    np.testing.assert_array_equal(unit_vector([5e-324, 0, 0]), [1.0, 0, 0])
    p = MagnetParameters(saturation_magnetization=1e6, volume=1e-24, damping=0.01,
                         anisotropy_axis=[1e200, 1e200, 0])
    np.testing.assert_allclose(p.anisotropy_axis, [2**-0.5, 2**-0.5, 0], rtol=1e-15)


@settings(max_examples=200, deadline=None)
@given(v=st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=3).filter(
    lambda v: max(map(abs, v)) > 1e-3), scale=st.integers(-1000, 1000))
def test_unit_vector_is_scale_free_over_the_whole_float_range(v, scale):
    """Scaling by a power of two is exact for normal floats, so the normalised direction
    must not change from 2⁻¹⁰⁰⁰ to 2¹⁰⁰⁰ (where the squared norm under- or overflows)."""
    scaled = np.ldexp(np.array(v), scale)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        u = unit_vector(scaled)
    np.testing.assert_allclose(u, np.array(v) / np.linalg.norm(v), rtol=1e-14, atol=1e-15)


def test_magnetization_with_an_overflowing_norm_solves(tmp_path):
    path = tmp_path / "big.toml"
    path.write_text(VALVE.replace("magnetization = { theta = 90, phi = 0 }",
                                  "magnetization = [1e200, 1e200, 0]"))
    res = CliRunner().invoke(main, ["solve", "--json", str(path)])
    assert res.exit_code == 0 and res.stderr == "", res.output
    doc = json.loads(res.stdout, parse_constant=no_constants)
    torque = doc["torques"]["left"]
    assert any(abs(x) > 0 for x in torque)  # the right magnet lies along (1, 1, 0)/√2


# ---- B: one set of type and range rules for the API and the file format --------------------


@pytest.mark.parametrize("bad", ["1", "1e-3", True, np.bool_(False), [True, 1.0], 1 + 0j,
                                 None, {"a": 1.0}, [[1.0], [1.0, 2.0]], np.array(["1"]), [],
                                 np.nan, [1.0, np.inf]])
@pytest.mark.parametrize("which, node", [("voltage", "right"), ("temperature", "right"),
                                         ("heat", "spacer")])
def test_solve_refuses_overrides_that_are_not_numbers(bad, which, node):
    c = valve_circuit()
    with pytest.raises(DeviceError) as err:
        c.solve(**{which: {node: bad}})
    assert err.value.field == f"{which}.{node}"


def test_solve_refuses_current_overrides_that_are_not_numbers():
    c = valve_circuit(current=True)
    for bad in ("1", True, [1e-6, False]):
        with pytest.raises(DeviceError, match=r"^current\.right: must be numbers \(A\)"):
            c.solve(current={"right": bad})
    with pytest.raises(DeviceError, match=r"^voltage: must be a mapping"):
        c.solve(voltage=[("left", 1.0)])


@pytest.mark.parametrize("bad", [3, 0, None, True, b"dev.toml", 2.5, ""])
def test_load_device_takes_a_file_name_only(bad):
    from spincaloric import load_device

    with pytest.raises(DeviceError) as err:
        load_device(bad)
    assert err.value.field == "path"


@pytest.mark.parametrize("key, bad", [("voltage", "1"), ("voltage", True), ("heat", "1"),
                                      ("spin_flip", True), ("temperature", "300"),
                                      ("bath", [1.0])])
def test_add_node_refuses_strings_and_booleans(key, bad):
    dev = Device(temperature=300.0)
    reservoir = key in ("voltage", "temperature")
    with pytest.raises(DeviceError) as err:
        dev.add_node("n", "normal", reservoir=reservoir, **{key: bad})
    assert err.value.field == f"nodes.n.{key}"


def _file_temperature_error(t):
    """The reason the device-file format gives for the temperature ``t``, or None."""
    from spincaloric.io import device_from_dict

    data = {"temperature": t, "nodes": {"a": {"type": "normal", "reservoir": True},
                                        "b": {"type": "normal", "reservoir": True,
                                              "temperature": t}},
            "contacts": [{"between": ["a", "b"], "conductance": 1.0}]}
    try:
        device_from_dict(data)
    except DeviceError as err:
        return err.field, err.reason
    return None


def _api_temperature_errors(t):
    """The reasons of the API's four ways of giving a temperature, or Nones."""
    out = []
    for call in (lambda: Device(temperature=t),
                 lambda: Device(temperature=300.0).add_node("b", "normal", reservoir=True,
                                                            temperature=t),
                 lambda: valve_circuit().solve(temperature={"right": t}),
                 lambda: ContactParameters.from_paper(**PAPER, temperature=t)):
        try:
            call()
            out.append(None)
        except FieldError as err:
            out.append(err.reason)
    return out


@settings(max_examples=80, deadline=None)
@given(t=st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                   st.floats(1e-6, 1e-2), st.floats(1e5, 1e7), st.integers(-10, 10**7)))
def test_the_file_format_and_the_api_share_one_temperature_rule(t):
    file_error = _file_temperature_error(t)
    api = _api_temperature_errors(t)
    if file_error is None:
        assert api == [None] * 4
        return
    field, reason = file_error
    assert field == "temperature"  # the device temperature is checked first
    assert api == [reason] * 4, (t, file_error, api)


# ---- C: one line naming the field instead of a traceback -----------------------------------


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_error_line(res, path, field):
    assert res.exit_code == 2, res.output
    assert not isinstance(res.exception, Exception) or isinstance(res.exception, SystemExit)
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith(f"error: {path}: {field}: " if field else f"error: {path}: "), \
        lines[0]
    return lines[0]


def example(tmp_path, name, old, new, count=1):
    text = (EXAMPLES / name).read_text()
    assert old in text
    path = tmp_path / name
    path.write_text(text.replace(old, new, count))
    return path


@pytest.mark.parametrize("opening, closing", [("[", "]"), ("{a = ", "}")])
def test_deeply_nested_toml_is_one_line(tmp_path, opening, closing):
    deep = tmp_path / "deep.toml"
    deep.write_text("temperature = 300\nx = " + opening * 500 + "1" + closing * 500 + "\n")
    line = one_error_line(cli("check", deep), deep, None)  # the file as a whole
    assert "nested too deep" in line
    inner = example(tmp_path, "valve_thermal.toml", 'type = "normal"',
                    "type = " + opening * 100 + "1" + closing * 100)
    one_error_line(cli("solve", "--json", inner), inner, "nodes.spacer.type")


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/null"])
def test_device_files_must_be_regular_files(special):
    line = one_error_line(cli("check", special), special, None)
    assert "not a regular file" in line


def test_spectrum_tables_must_be_regular_files(tmp_path):
    from spincaloric.circuit.conductance_spectra import ConductanceSpectrum

    with pytest.raises(FieldError, match=r"^spectrum: zero is not a regular file"):
        ConductanceSpectrum.from_file("/dev/zero")


@pytest.mark.parametrize("old, new, field", [
    # λ² overflowed (OverflowError); a vanishing spin flip is fine, an infinite one is not
    ("cells = 20", "cells = 20\nspin_flip_length = 5e-324", "layers.fixed.spin_flip_length"),
    # a cell conductance σA/Δx that underflows made the equations singular (LinAlgError)
    ("area = 1.26e-15         # m², a 40 nm disc", "area = 5e-324", "layers.fixed.area"),
    ("cells = 20", "cells = 20\nresistivity = 5e-324", "layers.fixed.resistivity"),
    ("length = 20e-9", "length = 1e300", "layers.fixed.length"),
    ("temperature = 300.0", "temperature = 1e308", "temperature"),
])
def test_layers_whose_conductances_leave_the_float_range_are_refused(tmp_path, old, new, field):
    path = example(tmp_path, "pillar_thick_layers.toml", old, new)
    for command in (["check"], ["solve", "--json"]):
        one_error_line(cli(*command, path), path, field)


def test_a_vanishing_spin_flip_solves(tmp_path):
    path = example(tmp_path, "pillar_thick_layers.toml", "cells = 20",
                   "cells = 20\nspin_flip_length = 1e308")
    res = cli("solve", "--json", path)
    assert res.exit_code == 0 and res.stderr == "", res.output
    json.loads(res.stdout, parse_constant=no_constants)


@pytest.mark.parametrize("old, new, field", [
    ("tmr = 1.0", "tmr = 5e-324", "contacts[0].junction.tmr"),  # was a ZeroDivisionError
    ("area = 1.26e-15", "area = 5e-324", "contacts[0].area"),  # solved to subnormal currents
])
def test_junctions_out_of_range_are_refused(tmp_path, old, new, field):
    path = example(tmp_path, "mtj_magneto_seebeck.toml", old, new)
    one_error_line(cli("check", path), path, field)


@pytest.mark.parametrize("old, new, field", [
    ("saturation_magnetization = 1.1e6", "saturation_magnetization = 1e12",
     "nodes.free.magnet.saturation_magnetization"),
    ("saturation_magnetization = 1.1e6", "saturation_magnetization = 1e-300",
     "nodes.free.magnet.saturation_magnetization"),
    ("damping = 0.01", "damping = 0.01\napplied_field = [1e6, 0, 0]",
     "nodes.free.magnet.applied_field"),
    ("area = 1.26e-15                    # m²", "area = 5e-324 #", "nodes.free.magnet.area"),
])
def test_magnets_the_integrators_cannot_follow_are_refused(tmp_path, old, new, field):
    """Each used to end in a ZeroDivisionError inside the integration kernels."""
    path = example(tmp_path, "thermal_switching_pillar.toml", old, new)
    for command in (["check"], ["run", "--until", "1ns"], ["map", "--vary",
                                                            "nodes.free.magnet.damping=0.01,0.02",
                                                            "-o", tmp_path / "map.nc"]):
        one_error_line(cli(*command, path), path, field)


@pytest.mark.parametrize("seed", ["9223372036854775808", "-1"])
def test_seeds_outside_64_bits_are_refused(tmp_path, seed):
    path = EXAMPLES / "thermal_switching_pillar.toml"
    res = cli("run", "--seed", seed, path)
    assert res.exit_code == 2 and len(res.stderr.splitlines()) == 1, res.output
    assert "--seed" in res.stderr and "Traceback" not in res.stderr
    text = path.read_text() + "seed = " + seed + "\n"  # in [simulation], the last table
    bad = tmp_path / "seed.toml"
    bad.write_text(text)
    line = one_error_line(cli("check", bad), bad, "simulation.seed")
    assert "[0, 2**63)" in line


def test_the_api_refuses_seeds_outside_64_bits():
    from spincaloric.dynamics.simulation import DynamicsError
    from spincaloric.io import load_spec

    spec = load_spec(EXAMPLES / "thermal_switching_pillar.toml")
    sim, _ = spec.simulation_for(spec.device.finalize(), 1e-10)
    for seed in (2**63, -1, 1.5, True):
        with pytest.raises(DynamicsError, match=r"^seed: must be a whole number in \[0, 2\*\*63\)"):
            sim.run(1e-10, seed=seed, n_save=3)


# ---- D: the public API raises field-named errors, never raw NumPy/Python exceptions -----------

#: Bad values of every kind: wrong types, NaN, infinities, negative, huge, tiny, empty, wrong
#: shapes, objects that are not numbers at all.
JUNK = (None, "1", "x", "", True, np.bool_(True), np.nan, np.inf, -np.inf, -1.0, 0.0, 1e308,
        -1e308, 5e-324, 2**70, 1 + 1j, [], [1.0], [[1.0, 2.0], [3.0]], np.zeros((2, 2)),
        np.array([]), {}, {"a": 1.0}, object(), (np.nan, 0.0, 1.0))


def _base_device():
    dev = Device(temperature=300.0)
    dev.add_node("left", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("spacer", "normal")
    dev.add_node("right", "ferromagnet", reservoir=True, magnetization=[1, 0, 0],
                 voltage=1e-6)
    return dev


def _magnet(**kw):
    return dict(dict(saturation_magnetization=1e6, volume=1e-24, damping=0.01,
                     anisotropy_field=0.1), **kw)


def _api_calls():
    """(name, keyword arguments of a valid call, the call) of the public API."""
    from spincaloric import load_device
    from spincaloric.dynamics import drives
    from spincaloric.io.paths import parse_vary
    from spincaloric.layers import BulkMaterial, add_layer
    from spincaloric.studies.sweep import run_sweep

    contact = ContactParameters.from_paper(**PAPER, temperature=300.0)
    circuit = valve_circuit()
    cu = BulkMaterial(resistivity=2e-8, spin_flip_length=3.5e-7)

    def node(**kw):
        _base_device().add_node("n", **kw)

    def contact_call(a="left", b="spacer", parameters=contact, **kw):
        _base_device().add_contact(a, b, parameters, **kw)

    def layer(**kw):
        add_layer(_base_device(), "w", **kw)

    def sweep(key="right.voltage", values=(0.0, 1e-6)):
        run_sweep(circuit, [(key, values)])

    return [
        ("load_device", dict(path=str(EXAMPLES / "valve_thermal.toml")), load_device),
        ("Device", dict(temperature=300.0, regime="thermalized"), Device),
        ("Device.add_node", dict(kind="normal", reservoir=True, voltage=0.0, temperature=300.0,
                                 spin_flip=0.0, bath=0.0, heat=0.0), node),
        ("Device.add_node(ferromagnet)", dict(kind="ferromagnet", reservoir=True,
                                             magnetization=[0, 0, 1], current=1e-6), node),
        ("Device.add_contact", dict(a="left", b="spacer", parameters=contact,
                                    heat_conductance=0.0, bulk=False), contact_call),
        ("add_layer", dict(material=cu, length=1e-8, area=1e-14, cells=4,
                           magnetization=None), layer),
        ("ContactParameters.from_paper", dict(PAPER, temperature=300.0),
         ContactParameters.from_paper),
        ("Circuit.solve", dict(voltage={"right": 1e-6}, temperature={"right": 301.0},
                               heat={"spacer": 0.0}, magnetization={"right": [0, 1, 0]},
                               method="auto"), circuit.solve),
        ("MagnetParameters", _magnet(anisotropy_axis=[0, 0, 1], applied_field=[0, 0, 0],
                                     demagnetizing_factors=[0, 0, 1], g_factor=2.0),
         MagnetParameters),
        ("MagnetParameters.from_layer", dict(saturation_magnetization=1e6, damping=0.01,
                                             thickness=1e-9, area=1e-15,
                                             anisotropy_energy=1e5),
         MagnetParameters.from_layer),
        ("Constant", dict(value=1.0), drives.Constant),
        ("Step", dict(before=0.0, after=1.0, time=1e-9), drives.Step),
        ("RectangularPulse", dict(base=0.0, amplitude=1.0, start=0.0, duration=1e-9,
                                  rise=1e-10), drives.RectangularPulse),
        ("GaussianPulse", dict(base=0.0, amplitude=1.0, center=1e-9, width=1e-10),
         drives.GaussianPulse),
        ("LaserPulse", dict(base=300.0, peak=10.0, start=0.0, rise=1e-11, decay=1e-9),
         drives.LaserPulse),
        ("Table", dict(times=[0.0, 1e-9], values=[0.0, 1.0]), drives.Table),
        ("drive_from_dict", dict(d={"shape": "step", "before": 0.0, "after": 1.0,
                                    "time": 1e-9}, field="drives.x.voltage"),
         drives.drive_from_dict),
        ("parse_vary", dict(text="right.voltage=0:1e-3:3"), parse_vary),
        ("run_sweep", dict(key="right.voltage", values=(0.0, 1e-6)), sweep),
    ]


def _assert_field_error(name, key, bad, call, kwargs):
    try:
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            call(**kwargs)
    except FieldError as err:
        assert isinstance(err.field, str) and err.field, (name, key, bad)
        assert isinstance(err.reason, str) and err.reason and "\n" not in err.reason
    except Exception as err:  # noqa: BLE001 - the point: nothing but a FieldError
        raise AssertionError(f"{name}({key}={bad!r}) raised {type(err).__name__}: "
                             f"{err}") from err


API_CALLS = _api_calls()


# a Cu layer given a magnetization by the junk warns that it polarizes nothing: not the point here
@pytest.mark.filterwarnings("ignore:layers.w.magnetization:UserWarning")
# nor that the junk's S = 0 leaves P' without effect
@pytest.mark.filterwarnings("ignore:polarization_derivative:UserWarning")
@pytest.mark.parametrize("name, valid, call", API_CALLS, ids=[c[0] for c in API_CALLS])
def test_the_api_answers_bad_arguments_with_field_errors(name, valid, call):
    """Every argument of every public entry point, replaced by every kind of junk: the call
    succeeds or raises a FieldError naming a field (no TypeError, ZeroDivisionError,
    LinAlgError, FloatingPointError from an overflow, ...)."""
    call(**valid)  # the valid call works
    for key in valid:
        for bad in JUNK:
            _assert_field_error(name, key, bad, call, {**valid, key: bad})
            if isinstance(valid[key], dict):  # inside a mapping of overrides
                for inner in valid[key]:
                    _assert_field_error(name, f"{key}.{inner}", bad, call,
                                        {**valid, key: {**valid[key], inner: bad}})


def _pillar_simulation():
    from spincaloric.io import load_spec

    spec = load_spec(EXAMPLES / "thermal_switching_pillar.toml")
    circuit = spec.device.finalize()
    return circuit, spec.magnets, spec.drives


def test_node_names_and_kinds_are_checked():
    def node(name="n", kind="normal"):
        _base_device().add_node(name, kind)

    node()
    for key in ("name", "kind"):
        for bad in JUNK:
            _assert_field_error("add_node", key, bad, node, {key: bad})


def test_simulation_answers_bad_arguments_with_field_errors():
    from spincaloric.dynamics.simulation import Simulation

    circuit, magnets, drives = _pillar_simulation()
    valid = dict(circuit=circuit, magnets=magnets, drives=drives, torque="circuit",
                 slonczewski={})
    Simulation(**valid)
    for key in valid:
        for bad in JUNK:
            _assert_field_error("Simulation", key, bad, Simulation, {**valid, key: bad})
    for bad in JUNK:
        _assert_field_error("Simulation", "slonczewski.free", bad, Simulation,
                            {**valid, "torque": "slonczewski", "slonczewski": {"free": bad}})


@pytest.mark.slow  # a valid run integrates (the kernels compile on first use)
@pytest.mark.filterwarnings("ignore:dt = .* rk45 chooses its own steps:UserWarning")  # junk dt
def test_simulation_run_answers_bad_arguments_with_field_errors():
    from spincaloric.dynamics.simulation import Simulation

    circuit, magnets, drives = _pillar_simulation()
    sim = Simulation(circuit, magnets, drives)
    valid = dict(until=2e-11, n_save=3, ensemble=1, initial=None, method="rk45",
                 temperature_noise=False, dt=None, seed=0, amplitude=None, rtol=1e-7, atol=1e-9,
                 max_step=None, parameters={"free": {"damping": 0.02}}, first_trajectory=0,
                 start=0.0)
    sim.run(**valid)
    for key in valid:
        for bad in JUNK:
            _assert_field_error("Simulation.run", key, bad, sim.run, {**valid, key: bad})


ANY_FLOAT = st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                      st.floats(-1e3, 1e3), st.sampled_from((0.0, 5e-324, 1e-300, 1e300)))


@settings(max_examples=300, deadline=None)
@given(ms=ANY_FLOAT, volume=ANY_FLOAT, damping=ANY_FLOAT, field=ANY_FLOAT, bk=ANY_FLOAT)
def test_a_magnet_is_representable_or_refused(ms, volume, damping, field, bk):
    """Any numbers: a MagnetError, or a magnet of at least one Bohr magneton whose torque rate
    γ/(M_s V) is finite and whose precession the integrators resolve."""
    from spincaloric.constants import BOHR_MAGNETON
    from spincaloric.dynamics.magnets import MAX_PRECESSION, MagnetError

    with np.errstate(over="raise", invalid="raise", divide="raise"):
        try:
            p = MagnetParameters(saturation_magnetization=ms, volume=volume, damping=damping,
                                 anisotropy_field=bk, applied_field=[field, 0.0, field])
        except MagnetError as err:
            assert err.field in ("saturation_magnetization", "volume", "damping",
                                 "anisotropy_field", "applied_field")
            return
    assert p.moment >= BOHR_MAGNETON and np.isfinite(p.gyromagnetic_ratio / p.moment)
    assert p.precession_rate <= MAX_PRECESSION


@pytest.mark.filterwarnings("ignore:polarization_derivative:UserWarning")  # S = 0 drawn
@settings(max_examples=300, deadline=None)
@given(g=ANY_FLOAT, pol=ANY_FLOAT, mixing=ANY_FLOAT, seebeck=ANY_FLOAT, dpol=ANY_FLOAT,
       dmix=ANY_FLOAT)
def test_a_contact_is_representable_or_refused(g, pol, mixing, seebeck, dpol, dmix):
    """Any numbers through the paper's parameters: a ContactError, or finite conductances
    within the representable range (then validate() decides the second law)."""
    from spincaloric.circuit.contacts import ContactError
    from spincaloric.validation import MAX_CONDUCTANCE, MIN_CONDUCTANCE

    with np.errstate(over="raise", invalid="raise", divide="raise"):
        try:
            p = ContactParameters.from_paper(conductance=g, polarization=pol, mixing=mixing,
                                             seebeck=seebeck, polarization_derivative=dpol,
                                             mixing_derivative=dmix, temperature=300.0)
            p.validate(300.0)
        except ContactError:
            return
    values = [p.g_up, p.g_down, p.g_mix.real, p.g_mix.imag, p.dg_up, p.dg_down, p.dg_mix.real]
    assert all(np.isfinite(values))
    assert MIN_CONDUCTANCE <= p.conductance <= MAX_CONDUCTANCE


def test_overrides_whose_batch_shapes_differ_are_named():
    import spincaloric as sc

    c = sc.load_device(Path(__file__).parent.parent / "examples" / "devices"
                       / "valve_thermal.toml").finalize()
    with pytest.raises(sc.DeviceError, match=r"^magnetization\.right: its batch shape \(4,\) "
                       r"does not broadcast with voltage\.left's \(5,\)"):
        c.solve(voltage={"left": np.zeros(5)}, magnetization={"right": np.ones((4, 3))})
    assert c.solve(voltage={"left": np.zeros(5)},
                   magnetization={"right": np.ones((5, 3))}).shape == (5,)
    # two drive overrides of unbroadcastable shapes (NumPy's "shape mismatch" before)
    with pytest.raises(sc.DeviceError, match=r"^temperature\.right: its batch shape \(4,\) "
                       r"does not broadcast with voltage\.left's \(3,\)"):
        c.solve(voltage={"left": np.zeros(3)}, temperature={"right": np.full(4, 300.0)})


def test_a_node_looked_up_among_the_other_kind_says_where_it_is():
    """solution.nodes holds internal nodes, solution.reservoirs the reservoirs: asking one for
    the other's node, or a misspelt one, says so (a bare KeyError: 'left' before)."""
    import spincaloric as sc

    sol = sc.load_device(Path(__file__).parent.parent / "examples" / "devices"
                         / "valve_thermal.toml").finalize().solve()
    with pytest.raises(KeyError, match=r"'left' is not here but in Solution\.reservoirs"):
        sol.nodes["left"]
    with pytest.raises(KeyError, match=r"'spacer' is not here but in Solution\.nodes"):
        sol.reservoirs["spacer"]
    with pytest.raises(KeyError, match=r"no node 'spcer' in the circuit \(did you mean 'spacer'"):
        sol.nodes["spcer"]
    assert "spacer" in sol.nodes and sol.nodes.get("left") is None
    assert float(sol.reservoirs["left"].temperature) > 0


def test_a_structurally_singular_circuit_is_not_blamed_on_precision():
    """Contacts of equal conductance whose equations leave a state undetermined (a normal
    node between two collinear ferromagnets, no spin flip and no mixing: its transverse spin
    accumulation): the error says the circuit is singular, not that one contact is '1 times'
    another."""
    from spincaloric import ContactParameters, Device, DeviceError

    dev = Device(temperature=300.0)
    dev.add_node("a", "ferromagnet", reservoir=True, voltage=1e-3, magnetization=[0, 0, 1])
    dev.add_node("m", "normal")
    dev.add_node("b", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    p = ContactParameters(1e-3, 1e-3, 0)
    dev.add_contact("a", "m", p)
    dev.add_contact("m", "b", p)
    with pytest.raises(DeviceError, match=r"^contacts: the circuit's equations are singular: "
                       r"some state is not determined") as err:
        dev.finalize().solve()
    assert "1 times" not in str(err.value)


def test_contact_parameters_refuse_non_numbers_and_negative_conductances_when_built():
    from spincaloric import ContactParameters
    from spincaloric.circuit.contacts import ContactError

    for args, field in (((-1e-3, 1e-3, 0.0), "g_up"), ((1e-3, float("nan"), 0.0), "g_down"),
                        ((1e-3, 1e-3, "x"), "g_mix"), ((1e-3, 1e-3, -1e-3 + 1j), "g_mix")):
        with pytest.raises(ContactError, match=f"^{field}: "):
            ContactParameters(*args)


def test_a_switching_threshold_outside_zero_to_one_is_refused():
    from spincaloric.dynamics.switching import detect_switching

    m = np.zeros((1, 2, 3))
    m[..., 2] = 1.0
    for bad in (2, -0.1, 1.0, True, "0.5"):
        with pytest.raises(FieldError, match=r"^threshold: must be a number in \[0, 1\)"):
            detect_switching(np.array([0.0, 1e-9]), m, np.array([0.0, 0, 1]), bad)
    assert not detect_switching(np.array([0.0, 1e-9]), m, np.array([0.0, 0, 1]), 0.5).switched[0]


def test_a_fractional_cell_count_asks_for_a_whole_number(tmp_path):
    from spincaloric.io import device_from_dict, read_toml

    data = read_toml(Path(__file__).parent.parent / "examples" / "devices"
                     / "pillar_thick_layers.toml")
    data["layers"]["spacer"]["cells"] = 10.5
    with pytest.raises(FieldError, match=r"layers\.spacer\.cells: must be a whole number, "
                       r"got 10\.5"):
        device_from_dict(data)


def test_a_whole_number_written_as_a_float_asks_for_an_integer(tmp_path):
    """points = 1e9 (TOML: a float, though whole) is refused as written, naming the integer
    to write; a fractional count is refused as not whole."""
    from spincaloric.io import device_from_dict, read_toml

    data = read_toml(Path(__file__).parent.parent / "examples" / "devices"
                     / "valve_spectral.toml")
    data["spectral"]["points"] = 1e9
    with pytest.raises(FieldError, match=r"^spectral\.points: must be written as an integer "
                       r"\(1000000000, not 1000000000\.0: TOML reads"):
        device_from_dict(data)
    data["spectral"]["points"] = 4001.5
    with pytest.raises(FieldError, match=r"^spectral\.points: must be a whole number, got "
                       r"4001\.5$"):
        device_from_dict(data)


def test_an_angle_that_looks_like_radians_warns(tmp_path):
    """Angles are in degrees; 1.5708 (π/2 in radians) is read as 1.57° but warns, once, in one
    line naming the field and the angle meant; a whole number of degrees (3°) does not."""
    from click.testing import CliRunner

    from spincaloric.cli import main

    pillar = Path(__file__).parent.parent / "examples" / "devices" / "thermal_switching_pillar.toml"
    text = pillar.read_text()
    assert "magnetization = { theta = 3, phi = 0 }" in text
    radians = tmp_path / "radians.toml"
    radians.write_text(text.replace("theta = 3, phi = 0", "theta = 1.5708, phi = 0"))
    res = CliRunner().invoke(main, ["check", str(radians)])
    assert res.exit_code == 0
    assert res.stderr.strip().splitlines() == [
        "warning: magnetization.theta = 1.5708 is read in degrees (1.5708°); if you meant "
        "radians, π/2 rad = 90°"]
    res = CliRunner().invoke(main, ["check", str(pillar)])
    assert res.exit_code == 0 and "warning" not in res.stderr


@pytest.mark.parametrize("old, new, field", [
    ("length = 20e-9          # m", "length = 20.0", "length = 20 m"),
    ("area = 1.26e-15         # m², a 40 nm disc", "area = 1963.0", "area = 1963 m²"),
])
def test_a_layer_size_beyond_a_millimetre_warns_as_a_unit_slip(tmp_path, old, new, field):
    """A layer 20 "m" long or of 1963 "m²" (nm² meant): one line, the device still loads; the
    example's own sizes give no warning."""
    import warnings

    from spincaloric import load_device
    from spincaloric.validation import SizeUnitWarning

    text = (Path(__file__).parent.parent / "examples" / "devices"
            / "pillar_thick_layers.toml").read_text()
    assert old in text
    path = tmp_path / "dev.toml"
    path.write_text(text.replace(old, new, 1))
    with pytest.warns(SizeUnitWarning, match=f"{field} is larger than 1 mm"):
        load_device(path)
    path.write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SizeUnitWarning)
        load_device(path)
    res = CliRunner().invoke(main, ["check", str(path)])
    assert res.exit_code == 0 and "warning" not in res.output


def test_the_packages_warnings_point_at_the_users_line(tmp_path):
    """A LinearResponseWarning of solve() and a SizeUnitWarning of load_device() name the line
    that called the package, not a line inside it."""
    from spincaloric import load_device
    from spincaloric.linear_response import LinearResponseWarning
    from spincaloric.validation import SizeUnitWarning

    example = Path(__file__).parent.parent / "examples" / "devices"
    circuit = load_device(example / "valve_thermal.toml").finalize()
    with pytest.warns(LinearResponseWarning) as caught:
        circuit.solve(temperature={"right": 450.0})
    assert caught[0].filename == __file__
    text = (example / "pillar_thick_layers.toml").read_text()
    path = tmp_path / "dev.toml"
    path.write_text(text.replace("length = 20e-9          # m", "length = 20.0", 1))
    with pytest.warns(SizeUnitWarning) as caught:
        load_device(path)
    assert caught[0].filename == __file__


@pytest.mark.parametrize("name, old, new", [
    ("lateral_valve_hanle.toml", "hanle_field = [0, 0, 0.1] # T", "hanle_field = [0, 0, 100.1]"),
    ("pillar_write_pulse.toml", "demagnetizing_factors = [0, 0, 1]",
     "demagnetizing_factors = [0, 0, 1]\napplied_field = [0, 0, -150]"),
    ("mtj_magneto_seebeck.toml", "resistance_area = 1e-11", "resistance_area = 10.0"),
])
def test_a_field_beyond_a_laboratory_warns_as_a_unit_slip(tmp_path, name, old, new):
    """A Hanle or applied field above 100 T (mT read as T), or a barrier's RA above 1 MΩ µm²
    (Ω µm² read as Ω m²): one line, the device still loads; 100 T, 1e-6 Ω m² and the
    examples' own values give none. A misspelled `--vary` key with a unit is questioned."""
    import warnings

    from spincaloric import load_device
    from spincaloric.io.paths import parse_vary
    from spincaloric.validation import SizeUnitWarning

    text = (Path(__file__).parent.parent / "examples" / "devices" / name).read_text()
    assert old in text
    path = tmp_path / "dev.toml"
    path.write_text(text.replace(old, new, 1))
    with pytest.warns(SizeUnitWarning, match=r"(_field = 1\d\d(\.1)? T is beyond any laboratory "
                      r"field \(~100 T\): a field in mT read as T\?|resistance_area = 10 Ω m² "
                      r"is beyond any tunnel barrier's)"):
        load_device(path)
    edge = new.replace("100.1", "100").replace("-150", "-100").replace("10.0", "1e-6")
    path.write_text(text.replace(old, edge, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error", SizeUnitWarning)
        load_device(path)
    # a misspelled key with a unit suffix is questioned, not read in another key's unit
    with pytest.raises(DeviceError, match=r"no unit is known for this key: is it spelled right"):
        parse_vary("drives.free.voltage.amplitud=-1mV:-2mV:3")
    with pytest.raises(DeviceError, match=r"with the key's unit s and an SI prefix, e\.g\. 1ns"):
        parse_vary("drives.free.voltage.start=1x:2:3")


def test_a_spin_dependent_contact_between_normal_nodes_is_refused():
    """Between two normal nodes no axis quantizes spin: G↑ ≠ G↓ (or G↑↓ ≠ G↑) there picked z
    and made a spin accumulation along z with no magnet anywhere. Refused, naming the contact,
    as the device file refuses it; the spin-independent contact and a ferromagnet's end pass."""
    from spincaloric import ContactParameters, Device, DeviceError

    def circuit(p, far="normal"):
        dev = Device(temperature=300.0)
        dev.add_node("a", far, reservoir=True, voltage=1e-3,
                     magnetization=[0, 0, 1] if far == "ferromagnet" else None)
        dev.add_node("n", "normal")
        dev.add_node("b", "normal", reservoir=True)
        dev.add_contact("a", "n", p, label="tilted")
        dev.add_contact("n", "b", ContactParameters.spin_independent(conductance=0.05))
        return dev

    polarized = ContactParameters(g_up=0.06, g_down=0.02, g_mix=0.02)
    with pytest.raises(DeviceError, match=r"^tilted\.parameters: a contact between two normal "
                       r"nodes is spin-independent .* got G↑ = 0\.06 S, G↓ = 0\.02 S"):
        circuit(polarized).finalize()
    for bad in (ContactParameters(0.02, 0.02, 0.01), ContactParameters(0.02, 0.02, 0.02 + 1e-3j)):
        with pytest.raises(DeviceError, match="spin-independent"):
            circuit(bad).finalize()
    plain = circuit(ContactParameters.spin_independent(conductance=0.08)).finalize().solve()
    assert np.abs(plain.nodes["n"].spin_accumulation).max() == 0.0
    circuit(polarized, far="ferromagnet").finalize().solve()  # a magnet's contact: polarized


def test_a_multilayer_in_metres_where_nanometres_were_meant_warns():
    """The Python stack meets the device file's size rule: a 3 "m" layer or a 0.1 m² pillar
    warns in one line pointing at the user's call (as a device file's layer does); 3 nm and
    100 nm² do not."""
    import warnings

    from spincaloric.layers import BulkMaterial, Layer, Lead, multilayer
    from spincaloric.validation import SizeUnitWarning

    cu = BulkMaterial(resistivity=6e-9, spin_flip_length=350e-9, seebeck=1.8e-6)

    def stack(thickness, area):
        return multilayer([Lead("left", voltage=1e-3), Layer("free", cu, thickness, cells=2),
                           Lead("right")], area=area, temperature=300.0)

    with pytest.warns(SizeUnitWarning, match=r"^free\.thickness = 3 m is larger than 1 mm") as rec:
        stack(3.0, 1e-16)
    assert rec[0].filename == __file__
    with pytest.warns(SizeUnitWarning, match=r"^area = 0\.1 m² is larger than 1 mm²"):
        stack(3e-9, 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SizeUnitWarning)
        stack(3e-9, 1e-16)


@pytest.mark.parametrize("thickness", [-3e-9, float("nan"), "3nm", 0.0])
def test_a_multilayer_layer_thickness_is_named_as_written(thickness):
    """A stack's layer of no positive thickness is refused naming its place in the stack and
    the argument the user wrote (it was named layers.free.length)."""
    from spincaloric.layers import BulkMaterial, Layer, Lead, multilayer

    cu = BulkMaterial(resistivity=6e-9, spin_flip_length=350e-9, seebeck=1.8e-6)
    with pytest.raises(DeviceError, match=r"^stack\[1\]\.thickness: must be a positive length"):
        multilayer([Lead("left", voltage=1e-3), Layer("free", cu, thickness, cells=2),
                    Lead("right")], area=1e-16, temperature=300.0)


def test_vary_reads_areas_with_units_and_refuses_ranges_that_are_not_axes():
    """An area or a volume takes a prefixed unit as written (50nm2, 50nm^2, 50nm² → 5e-17 m²);
    a range of one point that names another end, and a list that repeats a value, are
    refused naming the key (a sweep's axis holds distinct values)."""
    from spincaloric.io.paths import parse_vary

    for text in ("contacts[0].area=50nm2,1e-16", "free.magnet.area=50nm^2,1e-16",
                 "layers.x.area=50nm²,1e-16"):
        assert parse_vary(text)[1] == pytest.approx([5e-17, 1e-16], rel=1e-15, abs=0)
    assert parse_vary("nodes.free.magnet.volume=2000nm3,3e-24")[1][0] == pytest.approx(
        2e-24, rel=1e-15, abs=0)
    with pytest.raises(DeviceError, match=r"^vary\.right\.voltage: '0:1e-3:1' is one point"):
        parse_vary("right.voltage=0:1e-3:1")
    assert list(parse_vary("right.voltage=1e-3:1e-3:1")[1]) == [1e-3]
    with pytest.raises(DeviceError, match=r"^vary\.right\.temperature: .* repeats 300"):
        parse_vary("right.temperature=300,300,301")


def test_a_misspelled_argument_of_solve_is_named_with_its_close_match():
    circuit = valve_circuit()
    with pytest.raises(DeviceError, match=r"^temprature: unknown argument; did you mean "
                       r"temperature\?"):
        circuit.solve(temprature={"right": 310.0})
    with pytest.raises(DeviceError, match=r"^relaxtion: unknown option; did you mean "
                       r"relaxation\?"):
        circuit.solve(relaxtion={"spacer": 1.0}, method="spectral")
    with pytest.raises(DeviceError, match=r"^foo: not an option of the 'auto' back end"):
        circuit.solve(foo=1)


@pytest.mark.parametrize("node, field, value, message", [
    ("right", "magnetization", [0.0, 0.0, 0.0], "right.magnetization: must be a non-zero"),
    ("right", "magnetization", [1.0, 0.0], "right.magnetization: must be a 3-vector"),
    ("right", "magnetization", [np.nan, 0.0, 1.0], "right.magnetization: must be finite"),
    ("spacer", "spin_flip", -5e-3, "spacer.spin_flip: must be a conductance >= 0"),
    ("spacer", "voltage", 1e-3, "only a reservoir has a fixed voltage"),
    ("right", "heat_capacity", -1.0, "right.heat_capacity: must be >= 0"),
])
def test_a_node_edited_after_add_node_is_checked_again_by_finalize(node, field, value, message):
    """Device.nodes are mutable: finalize() checks them again as add_node does, naming the
    field (an edited magnetization of length 2 gave a torque along m, a negative spin flip a
    negative entropy production)."""
    dev = _valve_device()
    setattr(dev.nodes[node], field, value)
    with pytest.raises(DeviceError, match=message.replace("[", r"\[")):
        dev.finalize()


def test_a_node_is_checked_again_only_when_edited_and_its_magnetization_is_read_only():
    """finalize() checks again the nodes set since add_node (cheap for 10⁵ untouched
    cells); a magnetization is replaced, not changed in place (which no check would see)."""
    dev = _valve_device()
    assert not dev.nodes["right"].edited
    dev.nodes["right"].voltage = 2e-3
    assert dev.nodes["right"].edited and not dev.nodes["left"].edited
    with pytest.raises(ValueError, match="read-only"):
        dev.nodes["left"].magnetization[0] = 2.0


def test_an_edited_magnetization_is_normalised_when_finalized():
    """A magnetization of length 2 set on the node is the unit vector in the circuit, and its
    torque is the one a solve with that direction gives (nothing along m)."""
    dev = _valve_device()
    dev.nodes["right"].magnetization = np.array([2.0, 0.0, 0.0])
    circuit = dev.finalize()
    np.testing.assert_array_equal(circuit.magnetization[circuit.index["right"]], [1, 0, 0])
    direct = _valve_device().finalize().solve(magnetization={"right": [1.0, 0.0, 0.0]})
    np.testing.assert_allclose(circuit.solve().torques["right"], direct.torques["right"],
                               rtol=1e-14, atol=0)
    assert circuit.solve().torques["right"][0] == 0.0


def _valve_device() -> Device:
    c = ContactParameters.from_paper(conductance=0.01, polarization=0.5, mixing=0.6,
                                     seebeck=-4e-6, polarization_derivative=0.8,
                                     mixing_derivative=0.1, temperature=300.0)
    dev = Device(temperature=300.0)
    dev.add_node("left", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("spacer", "normal")
    dev.add_node("right", "ferromagnet", reservoir=True, magnetization=[0, 1, 0],
                 voltage=1e-3)
    dev.add_contact("left", "spacer", c)
    dev.add_contact("spacer", "right", c)
    return dev


def test_the_energy_resolved_back_end_on_a_thermalized_circuit_says_what_it_solves():
    """method='spectral' is elastic in the nodes (non-interacting): on a circuit declared
    thermalized it warns that the regime is not the circuit's; not on a non-interacting
    one."""
    from spincaloric.circuit.device import RegimeWarning

    dev = _valve_device()
    dev.nodes["right"].temperature = 301.0
    with pytest.warns(RegimeWarning, match="regime is 'thermalized'"):
        dev.finalize().solve(method="spectral")
    dev.regime = "noninteracting"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", RegimeWarning)
        dev.finalize().solve(method="spectral")


def test_an_interface_contact_names_its_area():
    """InterfaceData.contact: a text area, a negative one (its conductance was blamed) and
    one of square metres where nm² was meant are named as the area."""
    from spincaloric.materials import get_interface
    from spincaloric.validation import SizeUnitWarning

    interface = get_interface("Cu/Co(111)")
    for area, message in (("1e-16", r"area: must be a number \(m²\)"),
                          (-1e-16, r"area: must be a positive area \(m²\)")):
        with pytest.raises(FieldError, match=message):
            interface.contact(area=area, temperature=300.0)
    with pytest.warns(SizeUnitWarning, match="area = 1 m²"):
        interface.contact(area=1.0, temperature=300.0)


def test_a_solutions_unknown_names_and_a_circuits_contact_numbers_are_said():
    """Solution.state / magnet_torque / magnet_torques and Circuit.between /
    contact_parameters: an unknown name or contact number is one message naming it (a bare
    KeyError 'X', a NumPy IndexError, or -1 read as the last contact before)."""
    circuit = _valve_device().finalize()
    sol = circuit.solve()
    for call, message in ((lambda: sol.state("rihgt"), "no node 'rihgt'.*did you mean 'right'"),
                          (lambda: sol.magnet_torque("X"), "no magnet 'X'"),
                          (lambda: sol.magnet_torques["spacer"], "no magnet 'spacer'")):
        with pytest.raises(KeyError, match=message):
            call()
    for k in (5, -1, 1.0):
        for call in (circuit.between, circuit.contact_parameters):
            with pytest.raises(IndexError, match="contacts are numbered 0 … 1"):
                call(k)
    assert circuit.between(1) == ("spacer", "right")


def test_a_step_given_to_the_adaptive_integrator_is_said_to_be_unused():
    """Simulation.run(dt=..., method='rk45'): rk45 chooses its own steps, so the dt given is
    said to be unused (it was dropped silently); not with rk4."""
    from spincaloric.dynamics.simulation import UnusedSettingWarning
    from spincaloric.io import load_spec

    spec = load_spec(Path(__file__).parent.parent / "examples" / "devices" /
                     "pillar_write_pulse.toml")
    sim, _ = spec.simulation_for(spec.device.finalize(), 1e-11)
    with pytest.warns(UnusedSettingWarning, match="dt = 1e-13 s .* rk45 chooses its own"):
        sim.run(1e-11, n_save=2, method="rk45", dt=1e-13)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", UnusedSettingWarning)
        sim.run(1e-11, n_save=2, method="rk4", dt=1e-13)
        sim.run(1e-11, n_save=2, method="rk45", rtol=1e-9)
    with pytest.warns(UnusedSettingWarning, match="rtol: the error control of rk45; heun"):
        sim.run(1e-11, n_save=2, method="heun", dt=1e-13, rtol=1e-9)


@pytest.mark.parametrize("name", ["a.b", "free/lattice"])
def test_a_node_name_that_keys_could_not_address_is_refused(name):
    """'.' separates a node's name from its field in keys (NAME.voltage, --vary), and
    NAME/lattice names the lattice of the two-temperature model."""
    with pytest.raises(DeviceError, match="may not contain '.' or '/'"):
        Device(temperature=300.0).add_node(name, "normal")


def test_a_zero_magnetization_in_a_batch_is_named_by_its_index():
    m = np.ones((1000, 3))
    m[537] = 0.0
    with pytest.raises(DeviceError, match=r"must be a non-zero vector \(index 537\)"):
        valve_circuit().solve(magnetization={"right": m})


def test_solve_without_a_method_on_an_energy_resolved_circuit_says_what_it_solves():
    """load_device of a regime = "spectral" file, finalize(), solve(): linear response, as
    non-interacting, without the file's [spectral] options — warned of (RegimeWarning); not
    with method='auto' chosen, nor through the file's own back end (DeviceSpec.steady)."""
    import warnings

    import spincaloric as sc
    from spincaloric.circuit.device import RegimeWarning

    path = Path(__file__).parent.parent / "examples" / "devices" / "valve_spectral.toml"
    circuit = sc.load_device(path).finalize()
    with pytest.warns(RegimeWarning, match="regime is 'spectral'"):
        circuit.solve()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RegimeWarning)
        circuit.solve(method="auto")
        spec = sc.io.load_spec(path)
        spec.steady(spec.device.finalize())


def test_run_sweep_names_a_misspelt_node_with_its_close_match():
    from spincaloric.studies.sweep import run_sweep

    with pytest.raises(DeviceError, match=r"'rigth': unknown node; did you mean right\?"):
        run_sweep(valve_circuit(), [("rigth.temperature", np.array([300.0, 301.0]))])
