"""Hanle precession of the spin accumulation in normal nodes and channels in a magnetic field:
the continuum limit D∂²V⃗_s = V⃗_s/τ − ω⃗_L × V⃗_s (and the same for T⃗_s), the Johnson–Silsbee
lateral-valve curve, the energy-resolved solver and bad input."""

import cmath
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest

from spincaloric import ContactParameters, Device, DeviceError
from spincaloric.constants import gyromagnetic_ratio
from spincaloric.io.results import pick
from spincaloric.layers import BulkMaterial, add_layer, lateral_spin_valve
from spincaloric.layers.drift_diffusion import hanle_nonlocal_signal
from spincaloric.solvers.spectral import solve_elastic

T = 300.0
AREA = 1e-16
CU = BulkMaterial(resistivity=6e-9, spin_flip_length=350e-9, density_of_states=1.13e47)


def test_spin_lifetime_is_the_einstein_relation():
    """τ = λ²/D with D = σ/(e²ν): Cu with λ = 350 nm, ρ = 6 nΩ m."""
    e = 1.602176634e-19
    d = 1 / (CU.resistivity * e**2 * CU.density_of_states)  # m²/s
    assert CU.spin_lifetime == pytest.approx(CU.spin_flip_length**2 / d, rel=1e-12, abs=0)
    assert 1e-12 < CU.spin_lifetime < 1e-10  # 2.1 ps here (room-temperature ρ)


def injected_wire(cells, field, regime="thermalized", length=3 * 350e-9):
    """A ferromagnetic lead (m = x; 1 mV, or 1 K hotter when non-interacting) injecting into a
    Cu wire in a field along z, ending in a normal drain: x (m), u = V_sx + iV_sy (V) and
    T_sx + iT_sy (K) at the vertices."""
    hot = regime == "noninteracting"
    dev = Device(temperature=T, regime=regime)
    dev.add_node("inj", "ferromagnet", reservoir=True, voltage=0.0 if hot else 1e-3,
                 temperature=T + 1.0 if hot else None, magnetization=[1, 0, 0])
    dev.add_node("drain", "normal", reservoir=True)
    hanle = dict(hanle_field=[0, 0, field], spin_lifetime=CU.spin_lifetime)
    dev.add_node("start", "normal", spin_flip=CU.spin_flip_conductance(length / cells / 2, AREA),
                 **hanle)
    names = add_layer(dev, "cu", CU, length=length, area=AREA, cells=cells, start="start",
                      end="drain", hanle_field=[0, 0, field])
    dev.add_contact("inj", "start", ContactParameters.from_paper(
        conductance=1e-1, polarization=0.5, mixing=0.7, seebeck=0.0, polarization_derivative=0.0,
        mixing_derivative=0.0, temperature=T))
    sol = dev.finalize().solve()
    vs = np.array([sol.state(n).spin_accumulation for n in names])
    ts = np.array([sol.state(n).spin_temperature for n in names])
    return (np.linspace(0, length, cells + 1), vs[:, 0] + 1j * vs[:, 1], ts[:, 0] + 1j * ts[:, 1],
            vs[:, 2], ts[:, 2])


@pytest.mark.parametrize("omega_tau", [0.7, 4.0])
def test_a_channel_in_a_field_follows_the_complex_decay(omega_tau):
    """In the field the spin accumulation turns while it decays: u'' = u(1 − iωτ)/λ², so
    u(x) = u(0) sinh((L − x)/λ_ω)/sinh(L/λ_ω) with λ_ω = λ/√(1 − iωτ), at second order in Δx;
    the component along the field is not fed (zero)."""
    field = omega_tau / (gyromagnetic_ratio() * CU.spin_lifetime)
    k = cmath.sqrt(1 - 1j * omega_tau) / CU.spin_flip_length
    errors = []
    for cells in (24, 48, 96):
        x, u, _, vz, _ = injected_wire(cells, field)
        exact = u[0] * np.sinh(k * (x[-1] - x)) / np.sinh(k * x[-1])
        errors.append(np.abs(u - exact).max() / abs(u[0]))
        assert np.abs(vz).max() < 1e-12 * abs(u[0])
    assert errors[-1] < 2e-4
    assert errors[0] / errors[1] == pytest.approx(4, rel=0.15, abs=0)
    assert errors[1] / errors[2] == pytest.approx(4, rel=0.15, abs=0)
    # the accumulation of majority spins along +x turns right-handed about +z, towards +y
    x, u, *_ = injected_wire(48, field)
    assert np.angle(u[len(u) // 3] / u[0]) > 0.1


def test_the_spin_temperature_precesses_like_the_spin_accumulation():
    """Non-interacting regime, a hot ferromagnetic lead: the spin heat accumulation T⃗_s of the
    wire turns and decays on the same complex length (elastic spin flip and precession act at
    every energy)."""
    omega_tau = 2.0
    field = omega_tau / (gyromagnetic_ratio() * CU.spin_lifetime)
    k = cmath.sqrt(1 - 1j * omega_tau) / CU.spin_flip_length
    x, _, ts, _, tz = injected_wire(96, field, regime="noninteracting")
    exact = ts[0] * np.sinh(k * (x[-1] - x)) / np.sinh(k * x[-1])
    assert abs(ts[0]) > 1e-4  # K, a real spin heat accumulation
    assert np.abs(ts - exact).max() < 2e-4 * abs(ts[0])
    assert np.abs(tz).max() < 1e-12 * abs(ts[0])
    _, _, still, _, _ = injected_wire(96, 0.0, regime="noninteracting")
    assert np.abs(ts - still).max() > 0.1 * abs(still[0])  # the field matters here


def hanle_valve_signal(field, cells, tunnel=1e6):
    """ΔR = R_P − R_AP (Ω) of a Cu lateral valve (L = 0.5 µm, λ = 500 nm) with tunnel contacts
    (R_i = tunnel × R_N), magnetizations along x, field B (T) along z."""
    cu = BulkMaterial(resistivity=20e-9, spin_flip_length=500e-9, density_of_states=1.13e47)
    area = 100e-9 * 50e-9
    r_i = tunnel * cu.resistivity * cu.spin_flip_length / area
    contact = ContactParameters.from_paper(conductance=1 / r_i, polarization=0.3, mixing=0.5,
                                           seebeck=0.0, polarization_derivative=0.0,
                                           mixing_derivative=0.0, temperature=T)
    out = []
    current = 1e-3 * area / (cu.resistivity * cu.spin_flip_length) / tunnel  # A: 1 mV across R_i
    for detector in ((1, 0, 0), (-1, 0, 0)):
        dev = lateral_spin_valve(cu, length=10e-6, cross_section=area, injector_at=4.75e-6,
                                 detector_at=5.25e-6, injector=contact, detector=contact,
                                 cells=cells, temperature=T, injector_magnetization=(1, 0, 0),
                                 detector_magnetization=detector, hanle_field=(0, 0, field))
        sol = dev.finalize().solve(current={"injector": current})
        out.append(float(sol.reservoirs["detector"].voltage)
                   - float(sol.reservoirs["right"].voltage))
    closed = hanle_nonlocal_signal(cu, area, 0.5e-6, polarization=0.3, field=field,
                                   spin_lifetime=cu.spin_lifetime)
    return (out[0] - out[1]) / current, closed


@pytest.mark.slow
def test_lateral_valve_hanle_curve_is_johnson_silsbee():
    """The discretised valve's ΔR(B) converges at second order to the tunnel-limit closed form
    P²R_N Re[e^{−(L/λ)√(1 − iωτ)}/√(1 − iωτ)] — through its sign reversal at ωτ ≈ 3 (the spins
    turned by more than π/2 on their way) — within 2e-5 of ΔR(0)."""
    tau = BulkMaterial(resistivity=20e-9, spin_flip_length=500e-9,
                       density_of_states=1.13e47).spin_lifetime
    zero = None
    for omega_tau in (0.0, 1.0, 3.0, 10.0):
        field = omega_tau / (gyromagnetic_ratio() * tau)
        coarse, closed = hanle_valve_signal(field, 1000)
        fine, _ = hanle_valve_signal(field, 2000)
        zero = closed if zero is None else zero
        assert abs(fine - closed) < 2e-5 * zero
        if omega_tau in (0.0, 10.0):  # (near the sign change the error is too small to order)
            assert (coarse - closed) / (fine - closed) == pytest.approx(4, rel=0.1, abs=0)
        if omega_tau == 3.0:
            assert closed < 0  # the signal reverses
    assert zero == pytest.approx(0.09 * 20e-9 * 500e-9 / 5e-15 * math.exp(-1), rel=1e-12, abs=0)


@pytest.mark.usefixtures("energy_resolved_path")
def test_energy_resolved_precession_equals_the_linear_response():
    """The energy-resolved solver turns the spin distribution at every energy: with energy-
    independent conductances it equals the non-interacting linear response in the field."""
    c = ContactParameters.from_paper(conductance=1e-2, polarization=0.5, mixing=0.7,
                                     seebeck=0.0, polarization_derivative=0.0,
                                     mixing_derivative=0.7, temperature=T)
    circuits = []
    for field in (1.5, 0.0):
        dev = Device(temperature=T, regime="noninteracting")
        dev.add_node("L", "ferromagnet", reservoir=True, magnetization=[1, 0, 0])
        dev.add_node("N", "normal", spin_flip=3e-3,
                     **(dict(hanle_field=[0.2, 0.3, field], spin_lifetime=1e-11) if field
                        else {}))
        dev.add_node("R", "ferromagnet", reservoir=True, magnetization=[1, 1, 0],
                     voltage=-1e-6, temperature=T + 1e-3)
        dev.add_contact("L", "N", c)
        dev.add_contact("R", "N", c)
        circuits.append(dev.finalize())
    el = solve_elastic(circuits[0], points=4001).currents
    lin = circuits[0].solve().currents
    still = circuits[1].solve().currents
    for col in range(8):
        scale = np.abs(lin[:, col]).max() + 1e-30
        joule = 1e-2 * 1e-6**2 if col >= 4 else 0.0  # second order, absent from linear
        assert np.abs(el[:, col] - lin[:, col]).max() <= 1e-6 * scale + joule, col
    assert np.abs(still[:, 1:4] - lin[:, 1:4]).max() > 1e-2 * np.abs(lin[:, 1:4]).max()


@pytest.mark.parametrize(("kwargs", "field", "reason"), [
    (dict(hanle_field=[0, 0, 1.0]), "nodes.n.hanle_field", "needs spin_flip"),
    (dict(spin_flip=1e-3, hanle_field=[0, 0, 1.0]), "nodes.n.spin_lifetime", "τ_sf > 0"),
    (dict(spin_flip=1e-3, hanle_field=[0, 0, 1.0], spin_lifetime=-1.0), "nodes.n.spin_lifetime",
     "τ_sf > 0"),
    (dict(spin_flip=1e-3, hanle_field=[0, 1.0], spin_lifetime=1e-11), "nodes.n.hanle_field",
     "three finite"),
    (dict(spin_flip=1e-3, hanle_field=[0, np.nan, 1], spin_lifetime=1e-11),
     "nodes.n.hanle_field", "three finite"),
    (dict(spin_flip=1e-3, spin_lifetime=1e-11), "nodes.n.spin_lifetime", "only used with"),
    (dict(spin_flip=1e-3, hanle_field=[0, 0, True], spin_lifetime=1e-11),
     "nodes.n.hanle_field", "three finite"),
])
def test_bad_hanle_input_is_named(kwargs, field, reason):
    dev = Device(temperature=T)
    with pytest.raises(DeviceError, match=rf"^{field}: .*{reason}"):
        dev.add_node("n", "normal", **kwargs)


def test_hanle_field_on_ferromagnets_and_layers():
    dev = Device(temperature=T)
    with pytest.raises(DeviceError, match=r"^nodes.f.hanle_field: only .* normal internal"):
        dev.add_node("f", "ferromagnet", magnetization=[0, 0, 1], spin_flip=1e-3,
                     hanle_field=[0, 0, 1], spin_lifetime=1e-11)
    with pytest.raises(DeviceError, match=r"^nodes.r.hanle_field: only .* normal internal"):
        dev.add_node("r", "normal", reservoir=True, hanle_field=[0, 0, 1], spin_lifetime=1e-11)
    dev.add_node("lead", "normal", reservoir=True)
    no_dos = BulkMaterial(resistivity=6e-9, spin_flip_length=350e-9)
    with pytest.raises(DeviceError, match=r"^layers.cu.spin_lifetime: .*density_of_states"):
        add_layer(dev, "cu", no_dos, length=1e-6, area=AREA, cells=4, start="lead",
                  hanle_field=[0, 0, 1])
    with pytest.raises(DeviceError, match=r"^layers.cu.hanle_field: must be three"):
        add_layer(dev, "cu", CU, length=1e-6, area=AREA, cells=4, start="lead",
                  hanle_field=[0, 0])
    with pytest.raises(DeviceError, match=r"^layers.cu.spin_lifetime: only used with"):
        add_layer(dev, "cu", CU, length=1e-6, area=AREA, cells=4, start="lead",
                  spin_lifetime=1e-11)
    with pytest.raises(DeviceError, match=r"^layers.co.spin_lifetime: a hanle_field needs"):
        add_layer(dev, "co", BulkMaterial(resistivity=60e-9, spin_flip_length=60e-9,
                                          spin_asymmetry=0.46),
                  length=10e-9, area=AREA, cells=2, magnetization=[1, 0, 0],
                  hanle_field=[0, 0, 1], spin_lifetime=0.0)
    with pytest.raises(DeviceError, match=r"^density_of_states: must be positive"):
        BulkMaterial(resistivity=6e-9, spin_flip_length=350e-9, density_of_states=-1.0)
    # a ferromagnetic layer's spin accumulation is held along m: the field has nothing to turn
    co = BulkMaterial(resistivity=60e-9, spin_flip_length=60e-9, spin_asymmetry=0.46)
    names = add_layer(dev, "co", co, length=10e-9, area=AREA, cells=2,
                      magnetization=[1, 0, 0], hanle_field=[0, 0, 1])
    assert all(dev.nodes[n].precession is None for n in names)


HANLE_FILE = Path(__file__).parent.parent / "examples" / "devices" / "lateral_valve_hanle.toml"


def test_hanle_curve_from_the_device_file_sweep():
    """`spincaloric sweep lateral_valve_hanle.toml --vary layers.channel.hanle_field[2]=...
    --vary detector.magnetization.phi=0:180:2`: the floating detector's solved voltage is in
    the sweep, and P − AP over the current is the Johnson–Silsbee curve within 5e-4 of ΔR(0)
    (3e-4 measured: the 25 nm cells' second-order error and the 20 kΩ contacts' small spin
    back-flow, 10⁻⁴ R_N/R_i); the field's unit is recorded."""
    from spincaloric.materials import bulk_material
    from spincaloric.studies.sweep import sweep_file

    data = tomllib.loads(HANLE_FILE.read_text())
    fields = np.linspace(-0.6, 0.6, 5)
    key = "layers.channel.hanle_field[2]"
    ds = sweep_file(data, [(key, fields), ("detector.magnetization.phi", np.array([0.0, 180.0]))])
    assert ds[key].attrs["units"] == "T"
    v = pick(ds, "detector.voltage").values  # V, (field, phi)
    signal = (v[:, 0] - v[:, 1]) / data["nodes"]["injector"]["current"]  # per A injected
    cu = bulk_material("Cu", resistivity=2e-8, spin_flip_length=500e-9)
    closed = np.array([hanle_nonlocal_signal(cu, 5e-15, 0.5e-6, polarization=0.3, field=b,
                                             spin_lifetime=cu.spin_lifetime) for b in fields])
    assert np.abs(signal - closed).max() < 5e-4 * closed[2]
    assert signal[0] == pytest.approx(signal[-1], rel=1e-9, abs=0)  # even in B
    assert signal[0] < 0.3 * signal[2]
    # the non-local voltage against the floating far end of the channel, by name
    nonlocal_v = pick(ds, "detector.voltage - right.voltage")
    assert nonlocal_v.attrs["units"] == "V" and nonlocal_v.dims == ("layers.channel.hanle_field[2]",
                                                                   "detector.magnetization.phi")
    np.testing.assert_array_equal(nonlocal_v.values, v - pick(ds, "right.voltage").values)
    assert np.abs(nonlocal_v.values).max() < 1e-2 * np.abs(v).max()  # the ohmic 19 µV gone
    with pytest.raises(DeviceError, match=r"^variable: 'detector.voltage - right.temperature'"
                       r": detector.voltage is in V .* right.temperature in K"):
        pick(ds, "detector.voltage - right.temperature")
    from spincaloric.io.plotting import plot_dataset

    fig = plot_dataset(ds.isel({"detector.magnetization.phi": 0}),
                       "detector.voltage - right.voltage")
    assert " ".join(fig.axes[0].get_ylabel().split()).endswith(
        "minus electric potential of right, ΔV (nV)")  # (wrapped to fit)
    # both detector directions: a line each (the two-valued axis in the legend), no map
    fig = plot_dataset(ds, "detector.voltage - right.voltage")
    lines = fig.axes[0].get_lines()
    assert len(fig.axes) == 1 and len(lines) == 2
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["φ = 0°",
                                                                            "φ = 180°"]
    np.testing.assert_allclose(lines[1].get_ydata(), nonlocal_v.values[:, 1] * 1e9, rtol=1e-12)
    for bad, why in (("detector.voltage - right.voltage - left.voltage", "takes two"),
                     ("detector.voltage-right.voltage", "written with spaces")):
        with pytest.raises(DeviceError, match=why):
            pick(ds, bad)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("hanle_field = [0, 0, 0.1] # T", "hanle_field = [0, 0.1] # T",
     "layers.channel.hanle_field: must be three finite numbers"),
    ('material = "Cu"\n', 'spin_asymmetry = 0.0\n',
     "layers.channel.spin_lifetime: a hanle_field needs the spin lifetime"),
    ("hanle_field = [0, 0, 0.1] # T", "hanle_field = [0, 0, 0.1]\nspin_lifetime = -1e-12",
     "layers.channel.spin_lifetime: a hanle_field needs the spin relaxation time"),
    ('current = 0.0\nmagnetization = [1, 0, 0]',
     'current = 0.0\nmagnetization = [1, 0, 0]\nhanle_field = [0, 0, 1]',
     "nodes.detector.hanle_field: only the spin accumulation of a normal internal node"),
])
def test_bad_hanle_input_in_a_device_file_is_one_line(tmp_path, old, new, expected):
    from click.testing import CliRunner

    from spincaloric.cli import main

    text = HANLE_FILE.read_text()
    assert old in text
    path = tmp_path / "bad.toml"
    path.write_text(text.replace(old, new, 1))
    res = CliRunner().invoke(main, ["check", str(path)])
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}: {expected}"), lines
    assert res.stdout == ""
