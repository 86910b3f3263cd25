"""The drive vector of a circuit (spincaloric.circuit.drives): its slots, static values,
validation, broadcasting and the one boundary ↔ theory conversion of physics.md §1."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spincaloric.circuit.contacts import ContactParameters
from spincaloric.circuit.device import Device
from spincaloric.circuit.drives import (
    QUANTITIES,
    drive_layout,
    drive_vectors,
    to_boundary,
    to_theory,
)
from spincaloric.errors import DeviceError

SRC = Path(__file__).resolve().parents[1] / "src" / "spincaloric"
#: The sign flips of physics.md §1; only these modules may call them.
CONVERTERS = {"from_electric_potential", "to_electric_potential", "to_conventional_current",
              "from_conventional_current"}
ALLOWED = {"constants.py", "circuit/drives.py"}

potentials = st.floats(-1.0, 1.0, allow_subnormal=False)
temperatures = st.floats(1.0, 1000.0)
currents = st.floats(-1e-3, 1e-3, allow_subnormal=False)


def converter_calls(root: Path) -> list[str]:
    """'module:line name' of every call of a sign converter in the modules under ``root``
    outside the allowed ones (a call by name or as an attribute, aliases included)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel in ALLOWED:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {a.asname or a.name: a.name for node in ast.walk(tree)
                   if isinstance(node, ast.ImportFrom) for a in node.names}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            name = f.id if isinstance(f, ast.Name) else getattr(f, "attr", "")
            if aliases.get(name, name) in CONVERTERS:
                found.append(f"{rel}:{node.lineno} {name}")
    return found


def test_no_sign_conversion_outside_the_drive_layout():
    assert converter_calls(SRC) == []


def test_the_converter_check_finds_a_planted_call(tmp_path):
    (tmp_path / "circuit").mkdir()
    (tmp_path / "circuit" / "drives.py").write_text(
        "from ..constants import to_electric_potential\nto_electric_potential(1.0)\n")
    assert converter_calls(tmp_path) == []
    (tmp_path / "planted.py").write_text(
        "from .constants import to_electric_potential as flip\n"
        "from . import constants\n"
        "def f(v):\n    return flip(v) + constants.to_conventional_current(v)\n")
    assert converter_calls(tmp_path) == ["planted.py:4 flip",
                                         "planted.py:4 to_conventional_current"]


def circuit(v_left=1e-3, t_left=301.0, current=2e-6, t_right=None, heat=1e-9):
    """left (voltage-biased) | mid (internal, heated) | right (current-biased), T0 = 300 K."""
    dev = Device(temperature=300.0)
    dev.add_node("left", "normal", reservoir=True, voltage=v_left, temperature=t_left)
    dev.add_node("mid", "normal", heat=heat)
    dev.add_node("right", "normal", reservoir=True, current=current, temperature=t_right)
    g = ContactParameters.spin_independent(conductance=1.0, temperature=300.0)
    dev.add_contact("left", "mid", g)
    dev.add_contact("mid", "right", g)
    return dev.finalize()


@given(st.sampled_from(QUANTITIES), st.floats(1e-3, 1e6), st.floats(1e-3, 1e4))
def test_boundary_theory_boundary_round_trip(quantity, value, t0):
    back = to_boundary(quantity, to_theory(quantity, value, t0), t0)
    # T − T0 rounds to T0's resolution; within a factor 2 of T0 it is exact (Sterbenz)
    assert abs(back - value) <= np.spacing(max(value, t0))
    if quantity != "temperature" or t0 / 2 <= value <= 2 * t0:
        assert back == value
    assert to_boundary("voltage", to_theory("voltage", value)) == value  # a sign flip: exact
    # the potential and the conventional current are minus the theory variables
    assert to_boundary("voltage", value) == -value == to_boundary("charge_current", value)


@settings(max_examples=25, deadline=None)
@given(potentials, temperatures, currents, st.floats(-1e-6, 1e-6, allow_subnormal=False))
def test_static_drives_are_the_devices_reservoir_values(v, t, i, heat):
    c = circuit(v_left=v, t_left=t, current=i, heat=heat)
    layout = drive_layout(c)
    assert drive_layout(c) is layout  # one per circuit
    assert layout.static_value("left", "voltage") == v
    assert layout.static_value("left", "temperature") == t
    assert layout.static_value("right", "temperature") == 300.0
    assert layout.static_value("right", "current") == i
    assert layout.static_value("mid", "heat") == heat
    left, mid, right = (c.index[k] for k in ("left", "mid", "right"))
    expected = np.zeros(9)
    expected[[3 * left, 3 * left + 1, 3 * right + 2, 3 * mid + 2]] = [-v, t - 300.0, i, heat]
    np.testing.assert_array_equal(layout.static, expected)
    np.testing.assert_array_equal(drive_vectors(layout.drives({})), expected)
    with pytest.raises(ValueError):
        layout.static[0] = 1.0  # shared by every solve of the circuit


shapes = st.lists(st.integers(1, 3), max_size=3).map(tuple)


@settings(max_examples=40, deadline=None)
@given(shapes, shapes, st.data())
def test_overrides_broadcast_to_the_batch(shape_v, shape_t, data):
    c = circuit()
    layout = drive_layout(c)
    try:
        batch = np.broadcast_shapes(shape_v, shape_t)
    except ValueError:
        return
    volts = np.asarray(data.draw(st.lists(potentials, min_size=int(np.prod(shape_v)),
                                          max_size=int(np.prod(shape_v))))).reshape(shape_v)
    temps = np.asarray(data.draw(st.lists(temperatures, min_size=int(np.prod(shape_t)),
                                          max_size=int(np.prod(shape_t))))).reshape(shape_t)
    d = layout.drives({"voltage": {"left": volts}, "temperature": {"right": temps}})
    assert d.shape == (3, 3) + batch
    left, right = c.index["left"], c.index["right"]
    np.testing.assert_array_equal(d[left, 0], np.broadcast_to(-volts, batch))
    np.testing.assert_array_equal(d[right, 1], np.broadcast_to(temps - 300.0, batch))
    untouched = np.ones((3, 3), bool)
    untouched[left, 0] = untouched[right, 1] = False
    np.testing.assert_array_equal(
        np.moveaxis(d, (0, 1), (-2, -1))[..., untouched],
        np.broadcast_to(layout.static.reshape(3, 3)[untouched], batch + (7,)))
    vectors = drive_vectors(d)
    assert vectors.shape == batch + (9,)
    np.testing.assert_array_equal(vectors[..., layout.slot(left, "voltage")],
                                  np.broadcast_to(-volts, batch))


@pytest.mark.parametrize("overrides, message", [
    ({"voltage": [1.0]}, r"^voltage: must be a mapping"),
    ({"voltage": {"nowhere": 1.0}}, r"^voltage\.nowhere: no such node"),
    ({"voltage": {"mid": 1.0}}, r"^voltage\.mid: not a reservoir: its state is solved for"),
    ({"voltage": {"right": 1.0}}, r"^voltage\.right: not a voltage-biased reservoir"),
    ({"current": {"left": 1.0}}, r"^current\.left: not a current-biased reservoir"),
    ({"heat": {"left": 1.0}}, r"^heat\.left: not an internal node"),
    ({"temperature": {"left": -1.0}}, r"^temperature\.left: must be at least"),
    ({"voltage": {"left": np.inf}}, r"^voltage\.left: must be finite \(V\)"),
    ({"current": {"right": "1"}}, r"^current\.right: must be numbers \(A\)"),
])
def test_overrides_are_refused_naming_the_field(overrides, message):
    layout = drive_layout(circuit())
    with pytest.raises(DeviceError, match=message):
        layout.drives(overrides)


def test_solve_and_torque_free_drive_vector_agree():
    """Circuit.solve and the drive vector take the same overrides in the same convention:
    the solved state of a reservoir is the override (potential V, absolute temperature K)."""
    c = circuit()
    sol = c.solve(voltage={"left": 2e-3}, temperature={"right": 302.0})
    assert sol.state("left").voltage == 2e-3
    assert sol.state("right").temperature == 302.0
    d = drive_vectors(drive_layout(c).drives({"voltage": {"left": 2e-3},
                                              "temperature": {"right": 302.0}}))
    assert d[drive_layout(c).slot(c.index["left"], "voltage")] == -2e-3
    assert d[drive_layout(c).slot(c.index["right"], "temperature")] == 2.0
