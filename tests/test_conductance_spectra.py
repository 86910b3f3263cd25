"""Tabulated conductance spectra G(ε): interpolation, linearisation, the energy-resolved solver
with a table against the analytic (linear and quadratic) forms, and the device-file form."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spincaloric import ContactParameters, Device, DeviceError
from spincaloric.circuit.conductance_spectra import ConductanceSpectrum
from spincaloric.constants import BOLTZMANN, ELEMENTARY_CHARGE
from spincaloric.errors import FieldError
from spincaloric.solvers.spectral import solve_elastic

T = 300.0
EV = ELEMENTARY_CHARGE


def polynomial_spectrum(c: ContactParameters, second=(0.0, 0.0, 0.0), half_width=1.2 * EV,
                        points=481):
    """The table of G(ε) = G + G'ε + G''ε²/2 for a contact's parameters."""
    eps = np.linspace(-half_width, half_width, points)
    q = 0.5 * eps**2
    return ConductanceSpectrum(eps, c.g_up + c.dg_up * eps + second[0] * q,
                               c.g_down + c.dg_down * eps + second[1] * q,
                               c.g_mix + c.dg_mix * eps + second[2] * q)


def contact(seebeck=-4e-6):
    return ContactParameters.from_paper(conductance=1e-2, polarization=0.5, mixing=0.7,
                                        seebeck=seebeck, polarization_derivative=0.8,
                                        mixing_derivative=0.2, temperature=T, mixing_imag=0.05)


def valve(spectra=None, dv=1e-3, dt=5.0):
    """F|N|F with 1 mV and 5 K (beyond linear response) across non-collinear magnets."""
    c = contact()
    dev = Device(temperature=T, regime="noninteracting")
    dev.add_node("L", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("N", "normal")
    dev.add_node("R", "ferromagnet", reservoir=True, magnetization=[1, 0, 1], voltage=-dv,
                 temperature=T + dt)
    for k, end in enumerate(("L", "R")):
        spectrum = (spectra or {}).get(k)
        if spectrum is None:
            dev.add_contact(end, "N", c)
        else:
            dev.add_contact(end, "N", spectrum=spectrum)
    return dev.finalize()


def test_a_table_of_a_polynomial_is_its_polynomial():
    """Cubic-spline interpolation reproduces a quadratic exactly (to round-off), and the
    linearisation at ε = 0 gives back G and G'."""
    c = contact()
    g2 = (3e-2 / EV**2, 1e-2 / EV**2, 2e-2 / EV**2)
    spec = polynomial_spectrum(c, g2)
    eps = np.linspace(-1.0, 1.0, 7) * EV
    up, dn, mix = spec(eps)
    np.testing.assert_allclose(up, c.g_up + c.dg_up * eps + g2[0] * eps**2 / 2, rtol=1e-12,
                               atol=0)
    np.testing.assert_allclose(mix, c.g_mix + c.dg_mix * eps + g2[2] * eps**2 / 2, rtol=1e-12,
                               atol=0)
    lin = spec.contact_parameters()
    for name in ("g_up", "g_down", "g_mix", "dg_up", "dg_down", "dg_mix"):
        assert getattr(lin, name) == pytest.approx(getattr(c, name), rel=1e-9, abs=0), name


@pytest.mark.usefixtures("energy_resolved_path")
def test_energy_resolved_solver_with_a_table_equals_the_analytic_forms():
    """Beyond linear response (1 mV, 5 K): a table of the linear G(ε) gives the same currents
    as the built-in linear form, and a table with curvature the same as ``curvature=``."""
    c = contact()
    reference = solve_elastic(valve(), points=3001).currents
    tabulated = solve_elastic(valve({0: polynomial_spectrum(c), 1: polynomial_spectrum(c)}),
                              points=3001).currents
    scale = np.abs(reference).max(axis=0)
    np.testing.assert_allclose(tabulated, reference, rtol=0, atol=1e-9 * scale.max())
    g2 = (4e-3 / (BOLTZMANN * T) ** 2, 1e-3 / (BOLTZMANN * T) ** 2, 2e-3 / (BOLTZMANN * T) ** 2)
    curved = solve_elastic(valve(), points=3001, curvature={1: g2}).currents
    table = solve_elastic(valve({1: polynomial_spectrum(c, g2)}), points=3001).currents
    np.testing.assert_allclose(table[:, :4], curved[:, :4], rtol=0,
                               atol=1e-8 * np.abs(curved[:, :4]).max())
    np.testing.assert_allclose(table[:, 4:], curved[:, 4:], rtol=0,
                               atol=1e-8 * np.abs(curved[:, 4:]).max())
    # and the curvature really changes the answer (the comparison can fail)
    assert np.abs(curved[:, :4] - reference[:, :4]).max() > 1e-4 * np.abs(reference).max()


def test_linear_regimes_use_the_table_at_the_fermi_level():
    """The linear solver sees a tabulated contact through G and G' at ε = 0."""
    c = contact()
    by_table = valve({0: polynomial_spectrum(c, (5e-2 / EV**2, 0, 0))}).solve().currents
    by_params = valve().solve().currents
    np.testing.assert_allclose(by_table, by_params, rtol=1e-8, atol=1e-20)


def test_a_narrow_table_is_refused():
    """The table must cover 18 k_B T beyond the largest bias: otherwise a clear error."""
    c = contact()
    narrow = polynomial_spectrum(c, half_width=0.6 * EV, points=121)
    with pytest.raises(FieldError, match=r"contacts\[0\]\.spectrum: the table spans"):
        solve_elastic(valve({0: narrow}, dv=0.0, dt=300.0), points=1001)
    solve_elastic(valve({0: narrow}, dv=1e-3, dt=5.0), points=1001)  # 305 K: 0.47 eV needed


@settings(max_examples=25, deadline=None)
@given(st.floats(-0.9, 0.9), st.floats(1e-3, 1.0), st.floats(-0.5, 0.5))
def test_slope_of_the_spline_is_the_slope_of_the_data(p, g, slope):
    """For any linear table, the linear-response parameters are the line's."""
    eps = np.linspace(-0.5, 0.5, 41) * EV
    spec = ConductanceSpectrum(eps, g * (1 + p) / 2 * (1 + slope * eps / EV),
                               g * (1 - p) / 2 * (1 + slope * eps / EV),
                               g / 2 * (1 + slope * eps / EV) + 0j)
    lin = spec.contact_parameters()
    assert lin.g_up == pytest.approx(g * (1 + p) / 2, rel=1e-10, abs=1e-18)
    assert lin.dg_up * EV == pytest.approx(g * (1 + p) / 2 * slope, rel=1e-8, abs=1e-14)


def test_reading_a_table_from_a_file(tmp_path):
    eps = np.linspace(-1, 1, 21)
    rows = np.column_stack([eps, 2e15 + 1e14 * eps, 1e15 + 0 * eps, 7e14 + 0 * eps,
                            1e13 + 0 * eps])
    path = tmp_path / "cu_co.dat"
    np.savetxt(path, rows, header="energy (eV)  G_up  G_down  ReG_mix  ImG_mix  (S/m^2)")
    spec = ConductanceSpectrum.from_file(path, area=1e-15)
    lin = spec.contact_parameters()
    assert lin.g_up == pytest.approx(2.0, rel=1e-12, abs=0)  # 2e15 S/m² × 1e-15 m²
    assert lin.dg_up == pytest.approx(0.1 / EV, rel=1e-9, abs=0)
    assert lin.g_mix.imag == pytest.approx(1e-2, rel=1e-12, abs=0)
    assert spec.citation == "cu_co.dat"


@pytest.mark.parametrize("body, message", [
    ("0 1 2 3\n", "need 5 columns"),
    ("-1 1 1 1 0\n0 x 1 1 0\n", "line 2: not a number"),
    ("-1 1 1 1 0\n1 1 1 1 0\n0 1 1 1 0\n2 1 1 1 0\n",
     r"line 3: the energies must increase \(eV\): 0 follows 1"),
    ("1 1 1 1 0\n2 1 1 1 0\n3 1 1 1 0\n4 1 1 1 0\n", "bracket the Fermi level"),
    ("-2 1 1 1 0\n-1 -1 1 1 0\n1 1 1 1 0\n2 1 1 1 0\n",
     r"line 2: G_up must be non-negative \(S\)"),
    ("# energy G...\n-1 1 1 inf 0\n1 1 1 1 0\n", r"line 2: Re G_mix must be finite \(S\)"),
    ("# nothing\n", "holds no table"),
])
def test_bad_tables_are_refused_with_the_reason(tmp_path, body, message):
    path = tmp_path / "t.dat"
    path.write_text(body)
    with pytest.raises(FieldError, match=message):
        ConductanceSpectrum.from_file(path)


def test_a_spectrum_in_a_device_file(tmp_path):
    """``spectrum = "file"`` in [[contacts]] (relative to the device file, per area with
    ``area``): the linear regimes use its Fermi-level values; bad input names the field."""
    from click.testing import CliRunner

    from spincaloric.cli import main

    c = contact()
    area = 1e-15
    spec = polynomial_spectrum(c)
    rows = np.column_stack([spec.energies / EV, spec.g_up / area, spec.g_down / area,
                            spec.g_mix.real / area, spec.g_mix.imag / area])
    (tmp_path / "data").mkdir()
    np.savetxt(tmp_path / "data" / "left.dat", rows)
    text = f"""
temperature = {T}
regime = "noninteracting"
[nodes.L]
type = "ferromagnet"
reservoir = true
magnetization = [0, 0, 1]
[nodes.N]
type = "normal"
[nodes.R]
type = "ferromagnet"
reservoir = true
magnetization = [1, 0, 1]
voltage = 1e-3
[[contacts]]
between = ["L", "N"]
spectrum = "data/left.dat"
area = {area}
[[contacts]]
between = ["R", "N"]
conductance = 1e-2
polarization = 0.5
mixing = 0.7
mixing_imag = 0.05
seebeck = -4e-6
polarization_derivative = 0.8
mixing_derivative = 0.2
"""
    path = tmp_path / "valve.toml"
    path.write_text(text)
    res = CliRunner().invoke(main, ["solve", "--json", str(path)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    ref = valve(dv=-1e-3, dt=0.0).solve()  # device-file voltages are electric potentials
    assert doc["contacts"][0]["charge_current"] == pytest.approx(
        float(ref.contacts[0].charge_current), rel=1e-8, abs=0)
    for body, message in ((text.replace("data/left.dat", "data/none.dat"),
                           "contacts[0].spectrum: cannot read none.dat"),
                          (text.replace(f"area = {area}", "area = -1.0"),
                           "contacts[0].area: must be a positive area"),
                          (text.replace('spectrum = "data/left.dat"',
                                        'spectrum = "data/left.dat"\nconductance = 1.0'),
                           "give exactly one contact form")):
        path.write_text(body)
        res = CliRunner().invoke(main, ["solve", str(path)])
        assert res.exit_code == 2 and message in res.stderr, res.output
    with pytest.raises(DeviceError, match="parameters or a conductance spectrum"):
        Device(temperature=T).add_contact("a", "b")


def test_example_table_ships_with_the_examples():
    """The tabulated example of the docs exists and is a valid spectrum."""
    path = Path(__file__).parent.parent / "examples" / "devices" / "van_hove_spectrum.dat"
    spec = ConductanceSpectrum.from_file(path, area=1e-16)
    assert spec.energies[0] < -0.5 * EV and spec.energies[-1] > 0.5 * EV


def test_spline_overshoot_and_spin_dependent_normal_contacts_are_refused():
    """A step in G↓ away from ε_F makes the cubic spline dip below zero between table points:
    the solver refuses (naming the contact) instead of using a negative conductance; a
    spin-dependent table between two normal nodes is refused too."""
    eps = np.linspace(-1.0, 1.0, 41) * EV
    g_dn = np.where(eps > 0.27 * EV, 3e-2, 1e-3)
    step = ConductanceSpectrum(eps, 1e-2 + 0 * eps, g_dn, 5e-3 + 0j * eps)
    assert step(np.linspace(0.2, 0.3, 201) * EV)[1].min() < 0  # the overshoot is real
    with pytest.raises(DeviceError, match=r"contacts\[0\]\.spectrum: the interpolated G↓ is "
                                          "negative near"):
        solve_elastic(valve({0: step}, dv=1e-3, dt=5.0), points=2001)
    spin = ConductanceSpectrum(eps, 1e-2 + 0 * eps, 5e-3 + 0 * eps, 7.5e-3 + 0j * eps)
    dev = Device(temperature=T)
    dev.add_node("a", "normal", reservoir=True)
    dev.add_node("b", "normal", reservoir=True)
    dev.add_contact("a", "b", spectrum=spin, label="barrier")
    with pytest.raises(DeviceError, match="barrier.spectrum: a normal.normal contact must be "
                                          "spin independent"):
        dev.finalize()
    with pytest.raises(DeviceError, match="one of the two"):
        Device(temperature=T).add_contact("a", "b", contact(), spectrum=spin)


def test_a_table_per_area_read_without_its_area_is_warned_of(tmp_path):
    """The van Hove table holds S/m² (10¹⁴): read as siemens (no area) it is warned of; with
    the area, or a table in S of a device contact, nothing is said."""
    import warnings

    from spincaloric.validation import SizeUnitWarning

    table = Path(__file__).parent.parent / "examples" / "devices" / "van_hove_spectrum.dat"
    with pytest.warns(SizeUnitWarning, match=r"^spectrum: van_hove_spectrum\.dat holds "
                                             r"conductances up to 6\.05e\+14 S"):
        ConductanceSpectrum.from_file(table)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SizeUnitWarning)
        ConductanceSpectrum.from_file(table, area=1e-16)
        rows = "\n".join(f"{e:g} 1e-2 5e-3 7e-3 0" for e in (-1.0, -0.5, 0.0, 0.5, 1.0))
        (tmp_path / "s.dat").write_text(rows + "\n")
        ConductanceSpectrum.from_file(tmp_path / "s.dat")
