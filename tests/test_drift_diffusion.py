"""Closed forms of the continuum drift–diffusion model (spincaloric.layers.drift_diffusion) against
independent limits and against the discretised circuit solver."""

import math

import numpy as np
import pytest

from spincaloric import ContactParameters, Device, DeviceError
from spincaloric.layers import BulkMaterial, Interface, Layer, Lead, lateral_spin_valve, multilayer
from spincaloric.layers.drift_diffusion import (
    SpinResistor,
    cpp_resistance_area,
    nonlocal_spin_signal,
    thermal_spin_accumulation,
)

T = 300.0
AREA = 1e-16
PY = BulkMaterial(resistivity=150e-9, spin_flip_length=5.5e-9, spin_asymmetry=0.73)
CU = BulkMaterial(resistivity=20e-9, spin_flip_length=15e-9)


def two_current_series(stack):
    """No spin flip anywhere: two independent spin channels in parallel, each a series of
    ρ_σ t = 2ρt/(1 ± β) and r_σ = 2AR*(1 ∓ γ)."""
    ar = {1: 0.0, -1: 0.0}
    for item in stack:
        for s in (1, -1):
            if isinstance(item, SpinResistor):
                ar[s] += 2 * item.resistance_area * (1 - s * item.orientation * item.asymmetry)
            else:
                mat, t, o = item
                ar[s] += 2 * mat.resistivity * t / (1 + s * o * mat.spin_asymmetry)
    return 1.0 / (1.0 / ar[1] + 1.0 / ar[-1])


@pytest.mark.parametrize("antiparallel", [False, True])
def test_without_spin_flip_the_stack_is_two_channels_in_series(antiparallel):
    """λ → ∞: the spin channels decouple between leads that clamp μ↑ = μ↓, so AR is the
    parallel combination of each channel's series resistance, P and AP alike."""
    long = 1e3  # m: no spin flip on the nanometre scale
    f = BulkMaterial(resistivity=150e-9, spin_flip_length=long, spin_asymmetry=0.6)
    n = BulkMaterial(resistivity=20e-9, spin_flip_length=long)
    o = -1 if antiparallel else 1
    stack = [(f, 8e-9, 1), SpinResistor(0.5e-15, 0.7), (n, 10e-9, 1),
             SpinResistor(0.5e-15, 0.7, o), (f, 8e-9, o)]
    assert cpp_resistance_area(stack) == pytest.approx(two_current_series(stack), rel=1e-10,
                                                       abs=0)


def test_strong_spin_flip_makes_the_stack_a_series_of_plain_resistors():
    """λ → 0: every layer relaxes the spin accumulation at once, so AR = Σ ρt + Σ AR*(1 − γ²)
    (an interface's two channels in parallel: 1/(1/r↑ + 1/r↓) = AR*(1 − γ²))."""
    short = 1e-13
    f = BulkMaterial(resistivity=150e-9, spin_flip_length=short, spin_asymmetry=0.6)
    n = BulkMaterial(resistivity=20e-9, spin_flip_length=short)
    stack = [(f, 8e-9), SpinResistor(0.5e-15, 0.7), (n, 10e-9), SpinResistor(0.3e-15, -0.4),
             (f, 8e-9, -1)]
    series = 150e-9 * 16e-9 + 20e-9 * 10e-9 + 0.5e-15 * (1 - 0.49) + 0.3e-15 * (1 - 0.16)
    # the bulk terms: ρ_eff = ρ (β enters only through the spin accumulation, which vanishes)
    assert cpp_resistance_area(stack) == pytest.approx(series, rel=1e-3, abs=0)


@pytest.mark.parametrize("antiparallel", [False, True])
@pytest.mark.parametrize("interfaces", [None, (0.5e-15, 0.7), (0.3e-15, -0.4)])
def test_cpp_closed_form_is_where_the_discretised_pillar_converges(antiparallel, interfaces):
    """A Py/Cu/Py pillar (t ~ λ) with spin-dependent interface resistances, built by
    ``multilayer`` (interfaces as contacts with G↑,↓ = A/r↑,↓) and refined: AR → the exact
    two-current solution at second order."""
    o = -1 if antiparallel else 1

    def interface():
        """G↑,↓ refer to the magnetization of the contact's ferromagnet (flipped with it)."""
        if interfaces is None:
            return []
        ar, gamma = interfaces
        g_up, g_dn = AREA / (2 * ar * (1 - gamma)), AREA / (2 * ar * (1 + gamma))
        return [Interface(ContactParameters(g_up, g_dn, complex((g_up + g_dn) / 2), 0.0, 0.0,
                                            0j))]

    def discretised(cells):
        stack = [Lead("l", voltage=1e-3), Layer("f1", PY, 5e-9, cells, (0, 0, 1)),
                 *interface(), Layer("n", CU, 10e-9, 2 * cells),
                 *interface(), Layer("f2", PY, 5e-9, cells, (0, 0, o)), Lead("r")]
        sol = multilayer(stack, area=AREA, temperature=T).finalize().solve()
        return 1e-3 / float(sol.contacts[-1].charge_current) * AREA

    closed = [(PY, 5e-9, 1), (CU, 10e-9, 1), (PY, 5e-9, o)]
    if interfaces is not None:
        closed = [closed[0], SpinResistor(*interfaces), closed[1], SpinResistor(*interfaces, o),
                  closed[2]]
    exact = cpp_resistance_area(closed)
    errors = [abs(discretised(c) / exact - 1) for c in (10, 20, 40)]
    assert errors[2] < 2e-4
    assert errors[0] / errors[1] == pytest.approx(4, rel=0.2, abs=0)
    assert errors[1] / errors[2] == pytest.approx(4, rel=0.2, abs=0)


def _channel_valve(contact, ferromagnet=None, junction_area=None, distance=0.5e-6, cells=4000):
    """ΔR = R_P − R_AP (Ω) of a discretised lateral valve: a 40 µm channel (λ = 500 nm, long on
    both sides), contacts at 18 µm and 18 µm + distance; with ``ferromagnet`` each contact is
    reached through a 30 λ_F ferromagnetic wire of cross-section ``junction_area``."""
    from spincaloric.layers import add_layer

    cu = BulkMaterial(resistivity=20e-9, spin_flip_length=500e-9)
    area = 100e-9 * 50e-9
    at, to = 18e-6, 18e-6 + distance
    out = []
    for m_det in ((0, 0, 1), (0, 0, -1)):
        if ferromagnet is None:
            dev = lateral_spin_valve(cu, length=40e-6, cross_section=area, injector_at=at,
                                     detector_at=to, injector=contact, detector=contact,
                                     cells=cells, temperature=T, detector_magnetization=m_det)
        else:
            dev = Device(temperature=T)
            dev.add_node("left", "normal", reservoir=True)
            dev.add_node("right", "normal", reservoir=True, current=0.0)
            ch = add_layer(dev, "channel", cu, length=40e-6, area=area, cells=cells,
                           start="left", end="right", through=(at, to))
            from spincaloric.layers import vertex_positions

            x = vertex_positions(40e-6, cells, (at, to))
            for name, where, m, current in (("injector", at, (0, 0, 1), 1e-4),
                                            ("detector", to, m_det, 0.0)):
                dev.add_node(name, "ferromagnet", reservoir=True, current=current,
                             magnetization=m)
                wire = add_layer(dev, name + "_wire", ferromagnet,
                                 length=30 * ferromagnet.spin_flip_length, area=junction_area,
                                 cells=1200, start=name, magnetization=m)
                dev.add_contact(wire[-1], ch[int(np.argmin(abs(x - where)))], contact)
        sol = dev.finalize().solve(current={"injector": 1e-4})
        out.append(float(sol.reservoirs["detector"].voltage)
                   - float(sol.reservoirs["right"].voltage))
    return (out[0] - out[1]) / 1e-4, cu, area


@pytest.mark.slow
@pytest.mark.parametrize("resistance_ratio", [1e3, 1.0, 0.1])
def test_nonlocal_signal_equals_the_discretised_valve_with_interface_polarization(
        resistance_ratio):
    """Takahashi–Maekawa with spin injection by the interfaces (R_F = 0: the injector and
    detector are ferromagnetic reservoirs), from tunnel (R_i = 10³R_N) to transparent contacts
    (R_i = 0.1R_N, where the contacts' back-flow shortens the signal)."""
    r_n = 20e-9 * 500e-9 / (100e-9 * 50e-9)
    r_i = resistance_ratio * r_n
    contact = ContactParameters.from_paper(conductance=1 / r_i, polarization=0.3, mixing=0.5,
                                           seebeck=0.0, polarization_derivative=0.0,
                                           mixing_derivative=0.0, temperature=T)
    coarse, cu, area = _channel_valve(contact, cells=2000)
    fine, _, _ = _channel_valve(contact, cells=4000)
    closed = nonlocal_spin_signal(cu, area, 0.5e-6, injector=(0.3, r_i))
    # the mesh error (10 nm cells, λ = 500 nm) falls at second order towards the closed form
    assert abs(fine / closed - 1) < 1e-4
    assert (coarse / closed - 1) / (fine / closed - 1) == pytest.approx(4, rel=0.05, abs=0)
    if resistance_ratio > 100:
        assert closed == pytest.approx(0.09 * r_n * math.exp(-1), rel=2e-3, abs=0)


def test_nonlocal_signal_with_ferromagnetic_wires_equals_the_discretised_valve():
    """Takahashi–Maekawa with bulk spin injection (R_F = ρ_F λ_F/A_J, p_F = β): Py wires of
    cross-section A_J through weakly polarized, resistive interfaces."""
    py = BulkMaterial(resistivity=150e-9, spin_flip_length=5e-9, spin_asymmetry=0.7)
    a_j = 100e-9 * 100e-9
    r_i = 0.05
    contact = ContactParameters.from_paper(conductance=1 / r_i, polarization=0.1, mixing=0.5,
                                           seebeck=0.0, polarization_derivative=0.0,
                                           mixing_derivative=0.0, temperature=T)
    got, cu, area = _channel_valve(contact, py, a_j)
    closed = nonlocal_spin_signal(cu, area, 0.5e-6, injector=(0.1, r_i), ferromagnet=py,
                                  junction_area=a_j)
    assert got == pytest.approx(closed, rel=2e-4, abs=0)  # wires in cells of λ_F/40
    # the bulk polarization matters here: without it the signal is several times smaller
    assert closed > 2 * nonlocal_spin_signal(cu, area, 0.5e-6, injector=(0.1, r_i))


def test_drift_diffusion_inputs_are_named():
    cu = BulkMaterial(resistivity=20e-9, spin_flip_length=500e-9)
    for kwargs, field in ((dict(injector=(1.2, 1.0)), "injector"),
                          (dict(injector=(0.3, -1.0)), "injector"),
                          (dict(injector=(0.3, 1.0), ferromagnet=PY), "junction_area")):
        with pytest.raises(DeviceError, match=rf"^{field}: "):
            nonlocal_spin_signal(cu, 1e-15, 1e-6, **kwargs)
    with pytest.raises(DeviceError, match=r"^distance: "):
        nonlocal_spin_signal(cu, 1e-15, -1e-6, injector=(0.3, 1.0))
    with pytest.raises(DeviceError, match=r"^asymmetry: "):
        SpinResistor(1e-15, 1.0)
    with pytest.raises(DeviceError, match=r"^stack\[1\]: thickness must be positive"):
        cpp_resistance_area([(CU, 1e-9), (CU, -1e-9)])
    with pytest.raises(DeviceError, match=r"^stack\[2\]: two interface resistances"):
        cpp_resistance_area([(CU, 1e-9), SpinResistor(1e-15), SpinResistor(1e-15), (CU, 1e-9)])
    with pytest.raises(DeviceError, match=r"^temperature_gradient: "):
        thermal_spin_accumulation(PY, CU, float("nan"))
