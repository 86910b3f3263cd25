"""A circuit without internal nodes: a ferromagnetic reservoir joined to a normal reservoir.

Both ends are reservoirs, so both spin accumulations vanish and the contact's currents follow
from its conductances alone (Δ = F side − N side, electric potential φ):

    I = G (Δφ + S ΔT),   I⃗_s = −G (P Δφ + P′ S ΔT) m,   Q = G T (S Δφ + L0 ΔT),

with no transverse spin current, hence no torque on the magnet, whatever its direction.
"""

import numpy as np
import pytest
import xarray as xr
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from spincaloric import ContactParameters, Device
from spincaloric.cli import main
from spincaloric.constants import LORENZ, TORQUE_PER_SPIN_CURRENT
from spincaloric.dynamics import MagnetParameters, Simulation
from spincaloric.dynamics.torque_model import CircuitTorqueModel

T = 300.0
CONTACT = ContactParameters.from_paper(conductance=2e-2, polarization=0.5, mixing=0.7,
                                       seebeck=-4.5e-6, polarization_derivative=0.77,
                                       mixing_derivative=0.13, temperature=T)
MAGNET = MagnetParameters(saturation_magnetization=1e6, volume=1e-24, damping=0.02,
                          anisotropy_field=0.3)


def f_n_reservoirs(m=(0.0, 0.0, 1.0), potential=0.0, delta_t=0.0):
    """F reservoir (magnetization m, φ = 0, T) | N reservoir at electric potential
    ``potential`` (V) and temperature T + ``delta_t`` (K)."""
    dev = Device(temperature=T)
    dev.add_node("F", "ferromagnet", reservoir=True, magnetization=m)
    dev.add_node("N", "normal", reservoir=True, voltage=potential, temperature=T + delta_t)
    dev.add_contact("F", "N", CONTACT)
    return dev.finalize()


def closed_form(m, potential, delta_t):
    """(I (A), I⃗_s (A), Q (W)) from F into N; m (..., 3), potential (V), delta_t (K) of N."""
    g, s, p = CONTACT.conductance, CONTACT.seebeck(T), CONTACT.polarization
    p_prime = (CONTACT.dg_up - CONTACT.dg_down) / (CONTACT.dg_up + CONTACT.dg_down)
    dphi, dt = 0.0 - np.asarray(potential), 0.0 - np.asarray(delta_t)
    charge = g * (dphi + s * dt)
    spin = -(g * (p * dphi + p_prime * s * dt))[..., None] * np.asarray(m)
    heat = g * T * (s * dphi + LORENZ * dt)
    return charge, spin, heat


def unit(theta, phi):
    return np.stack([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi),
                     np.cos(theta)], -1)


def check(sol, m, potential, delta_t):
    charge, spin, heat = closed_form(m, potential, delta_t)
    r = sol.contacts[0]
    scale = abs(CONTACT.conductance) * 1e-3
    np.testing.assert_allclose(r.charge_current, charge, rtol=1e-10, atol=1e-14 * scale)
    np.testing.assert_allclose(r.spin_current, spin, rtol=1e-10, atol=1e-14 * scale)
    np.testing.assert_allclose(r.heat_current, heat, rtol=1e-10, atol=1e-14 * scale * T)
    assert_no_torque(sol.magnet_torque("F"), spin)


def assert_no_torque(tau, spin):
    """τ (N·m) zero to rounding against the torque ħ/2e |I⃗_s| the spin current would give."""
    bound = 1e-12 * TORQUE_PER_SPIN_CURRENT * np.abs(spin).max()
    np.testing.assert_allclose(tau, 0.0, rtol=0, atol=bound + 1e-300)


@pytest.mark.parametrize("method", ["dense", "sparse"])
@settings(max_examples=25, deadline=None)
@given(theta=st.floats(0.0, np.pi), phi=st.floats(0.0, 2 * np.pi),
       potential=st.floats(-5e-3, 5e-3), delta_t=st.floats(-20.0, 20.0))
def test_reservoir_contact_has_the_closed_form_currents_and_no_torque(method, theta, phi,
                                                                     potential, delta_t):
    """One solve, a batch over the magnet's direction, over the biases, and both paired."""
    m = unit(theta, phi)
    c = f_n_reservoirs(m, potential, delta_t)
    assert c.n_unknowns == 0
    check(c.solve(method=method), m, potential, delta_t)
    angles = np.linspace(0.0, np.pi, 7)
    ms = unit(angles, phi)
    check(c.solve(magnetization={"F": ms}, method=method), ms, potential, delta_t)
    biases = np.linspace(-1.0, 1.0, 7) * potential
    check(c.solve(voltage={"N": biases}, method=method), m, biases, delta_t)
    check(c.solve(magnetization={"F": ms}, voltage={"N": biases}, temperature={"N": T + delta_t},
                  method=method), ms, biases, delta_t)


def test_reservoir_magnet_dynamics_feel_no_torque_and_save_the_circuit():
    """The torque map has no unknowns and gives zero; without spin pumping (which damps it
    into the normal reservoir, test_pumping.py) the magnet precesses exactly as without
    torque; the trajectory's circuit quantities are the closed form at every instant."""
    c = f_n_reservoirs(unit(0.4, 0.3), potential=2e-3, delta_t=5.0)
    model = CircuitTorqueModel.build(c, ["F"])
    ms = unit(np.array([[0.1], [1.3]]), 0.7)
    assert_no_torque(model.torques(ms), closed_form(ms, 2e-3, 5.0)[1])
    kw = dict(n_save=21, ensemble=2, method="rk4", dt=1e-13)
    driven = Simulation(c, {"F": MAGNET}, pumping=False).run(2e-10, **kw)
    free = Simulation(c, {"F": MAGNET}, torque="none").run(2e-10, **kw)
    np.testing.assert_allclose(driven.m, free.m, rtol=0, atol=1e-12)
    assert np.abs(free.m[:, -1] - free.m[:, 0]).max() > 1e-2  # it does precess
    ds = driven.to_xarray()
    charge, spin, heat = closed_form(driven.magnetization("F"), 2e-3, 5.0)
    assert_no_torque(ds["torque"].values, spin)
    np.testing.assert_allclose(ds["charge_current"].values[..., 0], charge, rtol=1e-10)
    np.testing.assert_allclose(ds["heat_current"].values[..., 0], heat, rtol=1e-10)


DEVICE = """
title = "Co reservoir | Cu reservoir"
temperature = 300.0

[nodes.free]
type = "ferromagnet"
reservoir = true
magnetization = { theta = 30, phi = 0 }

[nodes.free.magnet]
saturation_magnetization = 1.1e6
thickness = 1.5e-9
area = 1.26e-15
damping = 0.01
anisotropy_field = 1.68
demagnetizing_factors = [0, 0, 1]

[nodes.lead]
type = "normal"
reservoir = true
voltage = 1e-3
temperature = 305.0

[[contacts]]
between = ["free", "lead"]
interface = "Cu/Co(001)*"
area = 1.26e-15
conductance_per_area = 0.80e15

[simulation]
until = 1e-10
n_save = 11
"""


def test_cli_run_and_sweep_of_a_circuit_without_internal_nodes(tmp_path):
    """`run -o` writes the trajectory with its (zero) torque and the contact's currents;
    `sweep` over the magnet's angle gives the charge current of the steady solve throughout."""
    from spincaloric.io import load_spec

    path = tmp_path / "fn.toml"
    path.write_text(DEVICE)
    steady = load_spec(path).device.finalize().solve().contacts[0]
    out = tmp_path / "run.nc"
    res = CliRunner().invoke(main, ["run", str(path), "-o", str(out)])
    assert res.exit_code == 0, res.output
    ds = xr.load_dataset(out)
    assert_no_torque(ds["torque"].values, steady.spin_current)
    np.testing.assert_allclose(ds["charge_current"].values, float(steady.charge_current),
                               rtol=1e-12)
    out = tmp_path / "sweep.nc"
    res = CliRunner().invoke(main, ["sweep", str(path), "--vary",
                                    "free.magnetization.theta=0:180:7", "-o", str(out)])
    assert res.exit_code == 0, res.output
    sweep = xr.load_dataset(out)
    current = [sweep[v] for v in sweep.data_vars if "charge_current" in str(v)][0]
    np.testing.assert_allclose(current.values, float(steady.charge_current), rtol=1e-12)
