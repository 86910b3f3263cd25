"""The solver back ends of Circuit.solve are interchangeable: the same circuit solved by each
gives the same kind of result, and the same physics where their theories coincide.

The case where they coincide exactly: a spin valve whose conductances do not depend on energy
(no Seebeck coefficient, no polarization or mixing derivatives), biased by a voltage alone, in
the non-interacting regime (elastic nodes: the limit the energy-resolved solver takes without
relaxation). Every energy then carries the same linear equations, so the charge and spin
sector — node potentials, spin accumulations, charge and spin currents — is exactly linear in
the bias: the energy-resolved result integrates to the linear-response one up to the
quadrature of the Fermi window, e^(−2π² k_B T/Δε) with Δε ≈ k_B T/25 (nothing in double
precision), i.e. to round-off. The heat sector differs at second order: the Joule heat
∝ G V², absent from linear response.
"""

from pathlib import Path

import numpy as np
import pytest

from spincaloric import ContactParameters, Device, DeviceError, Solution
from spincaloric.circuit.backends import methods
from spincaloric.constants import LORENZ
from spincaloric.io.devicefile import load_spec
from spincaloric.solvers.spectral import SpectralSolution

EXAMPLES = Path(__file__).parent.parent / "examples" / "devices"
T = 300.0
BIAS = 1e-5  # V: the Joule heating of the node, ≤ V²/(8 L0 T0) ≈ 1.7e-6 K
G = 1e-2  # S, each contact
METHODS = ["dense", "sparse", "spectral"]


def flat_valve():
    """Lead (m = z) | normal node with spin flip | lead (m in the x–z plane, at −BIAS):
    energy-independent contacts, non-interacting."""
    c = ContactParameters.from_paper(conductance=G, polarization=0.5, mixing=0.7, seebeck=0.0,
                                     polarization_derivative=0.0, mixing_derivative=0.0,
                                     temperature=T)
    dev = Device(temperature=T, regime="noninteracting")
    dev.add_node("L", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("N", "normal", spin_flip=3e-3)
    dev.add_node("R", "ferromagnet", reservoir=True, magnetization=[1, 0, 1], voltage=-BIAS)
    dev.add_contact("L", "N", c)
    dev.add_contact("R", "N", c)
    return dev.finalize()


@pytest.fixture(scope="module")
def circuit():
    return flat_valve()


@pytest.fixture(scope="module")
def reference(circuit):
    return circuit.solve(method="dense")


@pytest.fixture(scope="module", params=METHODS)
def solved(request, circuit):
    return request.param, circuit.solve(method=request.param)


def test_every_back_end_is_registered():
    assert set(METHODS) | {"auto"} <= set(methods())


def test_the_charge_and_spin_sector_agrees_to_round_off(solved, reference):
    """Potentials V_c and spin accumulations V⃗_s of every node, charge and spin currents of
    every contact: equal to 1e-12 of their scale (the module docstring: exact up to
    round-off for energy-independent conductances)."""
    _, sol = solved
    for got, want in ((sol.states[:, :4], reference.states[:, :4]),
                      (sol.currents[:, :4], reference.currents[:, :4])):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12 * np.abs(want).max())
    assert np.abs(reference.currents[:, 0]).max() > 0.1 * G * BIAS  # a current flows
    assert np.abs(reference.states[:, 1:4]).max() > 1e-3 * BIAS  # and accumulates spin


def test_the_heat_sector_differs_by_the_joule_heat_only(solved, reference):
    """Linear response: no heat current and no heating without a temperature bias or a
    Seebeck coefficient. Energy by energy: the Joule heat, at most G V² per contact, and a
    node heated at most as a wire's midpoint, T² ≤ T0² + V²/(4 L0) (Kohlrausch)."""
    method, sol = solved
    heat = np.abs(sol.currents[:, 4:] - reference.currents[:, 4:]).max()
    warming = np.abs(sol.states[:, 4:] - reference.states[:, 4:]).max()
    if method == "spectral":
        assert 0 < heat <= G * BIAS**2
        assert warming <= np.sqrt(T**2 + BIAS**2 / (4 * LORENZ)) - T
    else:
        assert heat <= 1e-12 * G * BIAS**2 and warming <= 1e-12 * BIAS**2 / (LORENZ * T)


def test_one_result_type_with_the_same_attributes(solved, reference):
    """The common Solution, with the same arrays, shapes and views; ``distributions`` only
    from the energy-resolved back end, its integrals the solution's currents."""
    method, sol = solved
    assert type(sol) is Solution
    for name in ("states", "currents", "magnetizations"):
        assert getattr(sol, name).shape == getattr(reference, name).shape, name
    assert sol.nodes.keys() == reference.nodes.keys()
    assert [c.between for c in sol.contacts] == [c.between for c in reference.contacts]
    assert sol.torques.keys() == reference.torques.keys()
    assert sol.to_dict().keys() == reference.to_dict().keys()
    if method != "spectral":
        assert sol.distributions is None
        return
    spectral = sol.distributions
    assert isinstance(spectral, SpectralSolution)
    de = spectral.energies[1] - spectral.energies[0]
    integral = spectral.spectral_currents.sum(axis=0) * de / 1.602176634e-19
    np.testing.assert_allclose(sol.currents[:, :4], integral, rtol=1e-13, atol=0)


def test_options_reach_the_energy_resolved_back_end(circuit):
    """``points`` sets the grid; strong e–e relaxation in the node heats it as a
    thermalized node instead (a different, hotter, temperature than the elastic moments)."""
    sol = circuit.solve(method="spectral", points=501)
    assert sol.distributions.energies.size == 501
    relaxed = circuit.solve(method="spectral", points=501, relaxation={"N": 10.0})
    assert relaxed.distributions is not sol.distributions
    np.testing.assert_allclose(relaxed.states[:, :4], sol.states[:, :4], rtol=0,
                               atol=1e-6 * np.abs(sol.states[:, :4]).max())


def test_an_unknown_method_names_the_known_ones(circuit):
    with pytest.raises(DeviceError) as err:
        circuit.solve(method="lu")
    assert err.value.field == "method"
    for name in METHODS:
        assert repr(name) in err.value.reason


@pytest.mark.parametrize("method, option", [("dense", "points"), ("sparse", "window"),
                                            ("auto", "relaxation"), ("spectral", "grid")])
def test_an_option_a_back_end_does_not_take_is_refused_by_name(circuit, method, option):
    with pytest.raises(DeviceError) as err:
        circuit.solve(method=method, **{option: 1})
    assert err.value.field == option


@pytest.mark.parametrize("override", [dict(magnetization={"R": [0, 0, 1]}),
                                      dict(voltage={"R": [1e-6, 2e-6]})])
def test_the_energy_resolved_back_end_refuses_what_it_cannot_solve(circuit, override):
    """One device at one bias: no batches, no magnetization overrides (a field-named error,
    not a wrong answer)."""
    with pytest.raises(DeviceError) as err:
        circuit.solve(method="spectral", **override)
    assert err.value.field == f"{next(iter(override))}.R"


def test_a_device_file_chooses_its_back_end_once():
    """regime = "spectral": the energy-resolved back end with the [spectral] settings; any
    other regime: linear response."""
    spec = load_spec(EXAMPLES / "valve_spectral.toml")
    assert spec.solve_method == "spectral"
    assert spec.solve_options["points"] == 4001
    assert spec.solve_options["relaxation"] == {"spacer": 1.0}
    assert spec.steady(spec.device.finalize()).distributions.energies.size == 4001
    linear = load_spec(EXAMPLES / "valve_thermal.toml")
    assert linear.solve_method == "auto" and linear.solve_options == {}
    assert linear.steady(linear.device.finalize()).distributions is None
