"""A laser pulse as heat drives: every node's pulse carries the energy it absorbs, Beer–Lambert
fractions of a stack add up to the light absorbed in it, bad pulse parameters are refused
naming the field, and an isolated two-temperature layer stores exactly the absorbed energy."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from spincaloric import ContactParameters, Device
from spincaloric.dynamics import DriveError
from spincaloric.dynamics.laser import beer_lambert, laser_heat, layer_depths, peak_fluence
from spincaloric.layers import BulkMaterial, LayerHeat, add_layer
from spincaloric.layers.multilayer import cell_widths


def energy_of(pulse):
    """∫ P dt (J) of a Gaussian pulse, by quadrature around its centre."""
    c, w = pulse.center, pulse.width
    return quad(lambda t: float(pulse(t)), c - 12 * w, c + 12 * w, epsabs=0, epsrel=1e-12,
                points=[c])[0]


@settings(max_examples=30, deadline=None)
@given(fluence=st.floats(1e-3, 1e3), fwhm=st.floats(1e-15, 1e-9),
       fractions=st.lists(st.one_of(st.just(0.0), st.floats(1e-6, 0.3)), min_size=1,
                          max_size=3),
       area=st.floats(1e-18, 1e-12))
def test_each_pulse_carries_the_energy_its_node_absorbs(fluence, fwhm, fractions, area):
    """∫ P_n dt = F A_n a, for any fluence, width and fractions."""
    absorbed = {f"n{i}": a for i, a in enumerate(fractions)}
    drives = laser_heat(area=area, fwhm=fwhm, center=3 * fwhm, fluence=fluence,
                        absorbed=absorbed)
    assert set(drives) == {(n, "heat") for n in absorbed}
    for node, a_n in absorbed.items():
        pulse = drives[(node, "heat")]
        assert pulse.base is None  # adds to the node's static heat
        assert float(pulse(-1e-300)) == 0.0  # no light before t = 0
        assert energy_of(pulse) == pytest.approx(fluence * a_n * area, rel=1e-9, abs=1e-300)
        # the width is the FWHM: half the peak power fwhm/2 from the centre
        if a_n > 0:
            half = float(pulse(pulse.center + fwhm / 2)) / float(pulse(pulse.center))
            assert half == pytest.approx(0.5, rel=1e-12, abs=0)


def test_pulse_energy_in_a_gaussian_spot_gives_the_peak_fluence():
    e, w, area = 2e-9, 5e-6, 1e-16
    assert peak_fluence(e, w) == pytest.approx(2 * e / (math.pi * w * w), rel=1e-15, abs=0)
    # the spot's profile F exp(−2r²/w²) integrates to the pulse energy
    total = quad(lambda r: peak_fluence(e, w) * math.exp(-2 * r * r / w / w) * 2 * math.pi * r,
                 0, 10 * w, epsrel=1e-12)[0]
    assert total == pytest.approx(e, rel=1e-10, abs=0)
    by_energy = laser_heat(area=area, fwhm=1e-13, center=1e-12, energy=e, spot_radius=w,
                           absorbed={"free": 0.2})
    by_fluence = laser_heat(area=area, fwhm=1e-13, center=1e-12,
                            fluence=peak_fluence(e, w), absorbed={"free": 0.2})
    assert by_energy == by_fluence
    assert energy_of(by_energy[("free", "heat")]) == pytest.approx(
        0.2 * area * 2 * e / (math.pi * w * w), rel=1e-9, abs=0)


@settings(max_examples=50, deadline=None)
@given(cuts=st.lists(st.floats(0.01, 1.0), min_size=1, max_size=8),
       delta=st.floats(1e-9, 1e-7), reflectance=st.floats(0.0, 1.0), scale=st.floats(1e-9, 1e-7))
def test_beer_lambert_fractions_add_up_to_the_light_absorbed_in_the_stack(cuts, delta,
                                                                         reflectance, scale):
    """Slabs tiling [0, d]: Σ A_n = (1 − R)(1 − e^{−d/δ}), each A_n ≥ 0, deeper slabs of equal
    thickness absorbing less."""
    z = np.concatenate([[0.0], np.cumsum(cuts)]) * scale
    depths = {f"s{i}": (z[i], z[i + 1]) for i in range(len(cuts))}
    a = beer_lambert(depths, delta, reflectance)
    expected = (1 - reflectance) * -math.expm1(-z[-1] / delta)
    assert sum(a.values()) == pytest.approx(expected, rel=1e-9, abs=1e-15)
    assert all(v >= 0 for v in a.values())
    # equal slabs: each deeper one absorbs e^{−h/δ} times the one above
    equal = beer_lambert({"a": (0.0, scale), "b": (scale, 2 * scale)}, delta, reflectance)
    assert equal["b"] == pytest.approx(equal["a"] * math.exp(-scale / delta), rel=1e-9,
                                       abs=1e-300)


def test_layer_depths_tile_the_layer_as_its_vertices_share_it():
    widths = cell_widths(10e-9, 5, (3e-9,))
    names = [f"cu_{i}" for i in range(6)]
    depths = layer_depths(names, widths, top=2e-9)
    slabs = list(depths.values())
    assert slabs[0][0] == 2e-9 and slabs[-1][1] == pytest.approx(12e-9, rel=1e-15, abs=0)
    for (_, bottom), (top, _) in zip(slabs, slabs[1:]):
        assert top == bottom
    thickness = np.array([b - t for t, b in slabs])
    share = np.concatenate([[0.0], widths / 2]) + np.concatenate([widths / 2, [0.0]])
    np.testing.assert_allclose(thickness, share, rtol=1e-12, atol=0)
    a = beer_lambert(depths, 15e-9, 0.3)
    assert sum(a.values()) == pytest.approx(0.7 * (math.exp(-2 / 15) - math.exp(-12 / 15)),
                                            rel=1e-12, abs=0)


GOOD = dict(area=1e-16, fwhm=100e-15, center=1e-12, fluence=10.0, absorbed={"free": 0.1})


@pytest.mark.parametrize("change, field, why", [
    (dict(fluence=-1.0), "fluence", "must be >= 0 (J/m²), got -1"),
    (dict(fluence=float("nan")), "fluence", "must be finite (J/m²)"),
    (dict(fluence="10"), "fluence", "must be a number (J/m²)"),
    (dict(energy=1e-9, spot_radius=1e-5), "fluence", "one of the two"),
    (dict(fluence=None, energy=1e-9), "spot_radius", "required with energy"),
    (dict(fluence=None, energy=1e-9, spot_radius=0.0), "spot_radius", "must be > 0 (m)"),
    (dict(spot_radius=1e-5), "spot_radius", "only with energy"),
    (dict(area=0.0), "area", "must be > 0 (m²)"),
    (dict(fwhm=-1e-13), "fwhm", "must be > 0 (s)"),
    (dict(center=1e-13), "center", "the pulse must lie after t = 0"),
    (dict(absorbed={"free": 1.5}), "absorbed.free", "must be >= 0 and <= 1 (fraction), got 1.5"),
    (dict(absorbed={"free": -0.1}), "absorbed.free", "must be >= 0"),
    (dict(absorbed={"a": 0.6, "b": 0.5}), "absorbed", "add up to 1.1"),
    (dict(absorbed={}), "absorbed", "must map nodes to fractions"),
    (dict(absorbed={"free": 0.1}, reflectance=0.5), "reflectance", "only with depths"),
    (dict(absorbed=None), "absorbed", "one of the two"),
    (dict(absorbed=None, depths={"free": (0.0, 1e-9)}), "penetration_depth", "required"),
    (dict(absorbed=None, depths={"free": (0.0, 1e-9)}, penetration_depth=-1e-9),
     "penetration_depth", "must be > 0 (m)"),
    (dict(absorbed=None, depths={"free": (0.0, 1e-9)}, penetration_depth=1e-8,
          reflectance=1.2), "reflectance", "<= 1 (fraction), got 1.2"),
    (dict(absorbed=None, depths={"free": (2e-9, 1e-9)}, penetration_depth=1e-8),
     "depths.free", "must lie below the top"),
    (dict(absorbed=None, depths={"free": (-1e-9, 1e-9)}, penetration_depth=1e-8),
     "depths.free[0]", "must be >= 0 (m)"),
    (dict(absorbed=None, depths={"free": (0.0, 2e-9), "cap": (1e-9, 3e-9)},
          penetration_depth=1e-8), "depths.cap", "overlaps free"),
    (dict(absorbed=None, depths={"free": 1e-9}, penetration_depth=1e-8), "depths.free",
     "must be (top, bottom) depths"),
    (dict(absorbed={"": 0.1}), "absorbed", "node names must be non-empty strings"),
])
def test_bad_pulse_parameters_are_refused_naming_the_field(change, field, why):
    with pytest.raises(DriveError) as err:
        laser_heat(**{**GOOD, **change})
    assert err.value.field == field and why in err.value.reason, str(err.value)


def test_an_isolated_two_temperature_layer_stores_the_absorbed_energy():
    """A Cu layer of 4 cells (two temperatures, no substrate) between nearly insulating
    contacts, beside a dynamic magnet, under a 100 fs pulse split by Beer–Lambert over its
    vertices: after the pulse its stored heat Σ(C_e θ_e + C_l θ_l) is the absorbed energy
    F a Σ A_n, the electrons cool into their lattices, and the deeper lattices stay cooler."""
    from spincaloric.dynamics import MagnetParameters, Simulation, Step

    t0, area, length = 300.0, 1e-16, 8e-9
    weak = ContactParameters.from_paper(conductance=1e-9, polarization=0.5, mixing=0.7,
                                        seebeck=0.0, polarization_derivative=0.0,
                                        mixing_derivative=0.0, temperature=t0)
    dev = Device(temperature=t0)
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("free", "ferromagnet", magnetization=[0, 0, 1], spin_flip=5e-3)
    dev.add_node("lead", "normal", reservoir=True)
    heat = LayerHeat(volumetric_heat_capacity=3.45e6, electron_heat_capacity_coefficient=97.4,
                     electron_phonon_coupling=1.15e17)
    names = add_layer(dev, "cu", BulkMaterial(resistivity=1.68e-8, spin_flip_length=2e-7),
                      length=length, area=area, cells=4, heat=heat)
    dev.add_contact("fixed", names[0], weak)
    dev.add_contact(names[-1], "free", weak)
    dev.add_contact("free", "lead", weak)
    circuit = dev.finalize()
    depths = layer_depths(names, cell_widths(length, 4))
    fluence, fwhm = 0.5, 100e-15
    laser = laser_heat(area=area, fwhm=fwhm, center=0.3e-12, fluence=fluence, depths=depths,
                       penetration_depth=12e-9, reflectance=0.6)
    absorbed = fluence * area * sum(beer_lambert(depths, 12e-9, 0.6).values())
    magnet = MagnetParameters(saturation_magnetization=1.1e6, volume=2e-24, damping=0.01,
                              anisotropy_field=1.0, anisotropy_axis=[0.0, 0.0, 1.0])
    other = {("lead", "voltage"): Step(before=0.0, after=1e-3, time=0.1e-12)}
    tr = Simulation(circuit, {"free": magnet}, {**other, **laser}).run(
        3e-12, n_save=31, rtol=1e-10, atol=1e-13)
    idx = [circuit.index[v] for v in names]
    theta_e = np.stack([tr.temperature(v)[0] for v in names]) - t0
    theta_l = np.stack([tr.temperature(v, lattice=True)[0] for v in names]) - t0
    lattice = [circuit.index[f"{v}/lattice"] for v in names]
    stored = (circuit.heat_capacity[idx] @ theta_e
              + circuit.heat_capacity[lattice] @ theta_l)
    assert stored[0] == 0.0  # the steady start holds no light
    assert stored[-1] == pytest.approx(absorbed, rel=1e-6, abs=0)  # 1e-7 leaks
    # hot electrons first, then near their lattice (τ_ep = C_e/G_ep ≈ 0.25 ps); the lattices,
    # joined only through the electrons, even out in C_l/G_ep ≈ 30 ps: the surface's, which
    # absorbed most, is still the hottest
    peak = int(np.argmax(theta_e[0]))
    assert theta_e[0, peak] > 3 * theta_l[0, peak]
    assert np.abs(theta_e[:, -1] - theta_l[:, -1]).max() < 1e-2 * theta_l[:, -1].mean()
    assert np.all(np.diff(theta_l[:, -1]) < 0)


PILLAR = """title = "laser on a Cu cap over a Co free layer"
temperature = 300.0
[nodes.top]
type = "normal"
reservoir = true
[nodes.bottom]
type = "normal"
reservoir = true
[layers.cap]
material = "Cu"
length = 4e-9
area = 1e-16
cells = 4
start = "top"
volumetric_heat_capacity = "material"
[layers.free]
material = "Co"
length = 2e-9
area = 1e-16
cells = 2
magnetization = [1, 0, 0]
volumetric_heat_capacity = "material"
[layers.free.magnet]
saturation_magnetization = 1.1e6
damping = 0.01
anisotropy_field = 0.5
[[contacts]]
between = ["cap_4", "free_0"]
conductance = 2e-2
polarization = 0.5
mixing = 0.7
seebeck = 0.0
polarization_derivative = 0.0
mixing_derivative = 0.0
[[contacts]]
between = ["free_2", "bottom"]
conductance = 2e-2
polarization = 0.5
mixing = 0.7
seebeck = 0.0
polarization_derivative = 0.0
mixing_derivative = 0.0
[laser]
energy = 1e-9
spot_radius = 10e-6
area = 1e-16
fwhm = 100e-15
center = 0.5e-12
penetration_depth = 15e-9
reflectance = 0.6
[laser.depths]
cap = [0.0, 4e-9]
free = [6e-9, 4e-9]
"""


def test_a_laser_table_in_a_device_file_is_the_laser_built_in_code(tmp_path):
    """``[laser]`` gives the heat drives of :func:`laser_heat`: a layer's vertices share the
    light as their volume (a reservoir at its end takes none), from the first vertex down or,
    with its depths reversed, from the last one."""
    from spincaloric.io import load_spec

    path = tmp_path / "laser.toml"
    path.write_text(PILLAR)
    spec = load_spec(path)
    cap = layer_depths(["top", "cap_1", "cap_2", "cap_3", "cap_4"], [1e-9] * 4)
    del cap["top"]  # a reservoir: its temperature is fixed
    free = layer_depths(["free_2", "free_1", "free_0"], [1e-9] * 2, top=4e-9)
    expected = laser_heat(area=1e-16, fwhm=100e-15, center=0.5e-12, energy=1e-9,
                          spot_radius=10e-6, penetration_depth=15e-9, reflectance=0.6,
                          depths={**cap, **free})
    assert spec.drives == expected
    # free_2 faces the light: per thickness (half cells at the ends) the most absorbed
    per_m = [spec.drives[(n, "heat")].amplitude / w
             for n, w in (("free_2", 0.5), ("free_1", 1.0), ("free_0", 0.5))]
    assert per_m[0] > per_m[1] > per_m[2]


@pytest.mark.parametrize("old, new, message", [
    ("energy = 1e-9", "energy = -1e-9", "laser.energy: must be >= 0 (J), got -1e-09"),
    ("reflectance = 0.6", "reflectance = 1.5",
     "laser.reflectance: must be >= 0 and <= 1 (fraction), got 1.5"),
    ("center = 0.5e-12", "center = 0.1e-12", "laser.center: 1e-13 s: the pulse must lie after"),
    ("free = [6e-9, 4e-9]", "free = [6e-9, 3e-9]",
     "laser.depths.free: the depths of the layer's first and last vertex (m) must lie its "
     "length (2e-09 m) apart"),
    ("free = [6e-9, 4e-9]", "fre = [6e-9, 4e-9]", "laser.depths.fre: unknown node or layer"),
    ("free = [6e-9, 4e-9]", "free = [3e-9, 1e-9]", "laser.depths.free_2: overlaps cap_1"),
    ("free = [6e-9, 4e-9]", "free = [4e-9, 6e-9]\ncap_2 = [0.0, 1e-9]",
     "laser.depths.cap_2: node 'cap_2' has a depth already"),
    ("[laser]\n", '[drives.free_1.heat]\nshape = "constant"\nvalue = 1e-6\n[laser]\n',
     "drives.free_1.heat: the [laser] heats this node too"),
    ("spot_radius = 10e-6\n", "", "laser.spot_radius: required with energy"),
])
def test_a_bad_laser_table_is_one_line_naming_the_field(tmp_path, old, new, message):
    from click.testing import CliRunner

    from spincaloric.cli import main

    assert old in PILLAR
    path = tmp_path / "bad.toml"
    path.write_text(PILLAR.replace(old, new, 1))
    res = CliRunner().invoke(main, ["check", str(path)])
    assert res.exit_code == 2 and "Traceback" not in res.output, res.output
    assert message in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_a_device_larger_than_the_spot_is_refused():
    """A spot whose fluence falls by more than 10 % across the device (or would deliver more
    energy than the pulse has) is refused, naming the area."""
    with pytest.raises(DriveError, match="area: .* not small against the spot"):
        laser_heat(area=1e-16, fwhm=1e-12, center=3e-12, energy=1e-17, spot_radius=2e-9,
                   absorbed={"free": 0.5})
    drives = laser_heat(area=1e-16, fwhm=1e-12, center=3e-12, energy=1e-12,
                        spot_radius=1e-6, absorbed={"free": 0.5})
    assert ("free", "heat") in drives


def test_layers_that_touch_within_round_off_are_not_an_overlap():
    """Depths summed from thicknesses (33e-9 − 20e-9 = 1.2999999999999997e-08 m) meet the
    slab above within round-off: they touch, and the light splits as for exact depths; an
    overlap of a nanometre is still refused."""
    from spincaloric.dynamics.laser import beer_lambert

    summed = beer_lambert({"a": (0.0, 13e-9), "b": (33e-9 - 20e-9, 33e-9)}, 15e-9, 0.6)
    exact = beer_lambert({"a": (0.0, 13e-9), "b": (13e-9, 33e-9)}, 15e-9, 0.6)
    assert summed["b"] == pytest.approx(exact["b"], rel=1e-12, abs=0)
    with pytest.raises(DriveError, match="^depths.b: overlaps a"):
        beer_lambert({"a": (0.0, 13e-9), "b": (12e-9, 33e-9)}, 15e-9, 0.6)
