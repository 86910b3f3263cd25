"""Heat storage of diffusive layers: the vertices' capacities and conductances add up to the
layer's, the two-temperature split, the bulk database behind "material", the device file, and
a layer's transient temperatures against the exact solution of its linear thermal network."""

import warnings

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from spincaloric import ContactParameters, Device, DeviceError
from spincaloric.circuit.kinds import HeatLink
from spincaloric.errors import FieldError
from spincaloric.layers import BulkMaterial, Layer, LayerHeat, Lead, add_layer, multilayer
from spincaloric.layers.multilayer import cell_widths
from spincaloric.materials import get_bulk, layer_heat
from spincaloric.validation import UnusedSettingWarning

T = 300.0
CU = BulkMaterial(resistivity=1.68e-8, spin_flip_length=200e-9)
CO = BulkMaterial(resistivity=6.24e-8, spin_flip_length=59e-9, spin_asymmetry=0.46)


def node_array(dev, names, key):
    """The vertices' ``key``: a node field, or of the two-temperature model (a lattice node
    NAME/lattice joined by a heat link) ``lattice_heat_capacity`` (its capacity),
    ``electron_phonon`` (the link's conductance) and ``bath`` (the electrons' and the
    lattice's)."""
    def value(n):
        lat = dev.nodes.get(f"{n}/lattice")
        if key == "lattice_heat_capacity":
            return lat.heat_capacity if lat else 0.0
        if key == "electron_phonon":
            return sum(c.parameters.conductance for c in dev.contacts
                       if isinstance(c.parameters, HeatLink) and set(c.between) == {
                           n, f"{n}/lattice"})
        if key == "bath":
            return dev.nodes[n].bath + (lat.bath if lat else 0.0)
        return getattr(dev.nodes[n], key)

    return np.array([value(n) for n in names])


def circuit_array(circuit, names, key):
    """:func:`node_array` of a finalized circuit."""
    def value(n):
        lat = circuit.index.get(f"{n}/lattice")
        if key == "lattice_heat_capacity":
            return 0.0 if lat is None else circuit.heat_capacity[lat]
        if key == "electron_phonon":
            pair = {circuit.index[n], lat}
            return sum(circuit.contact_parameters(c).conductance
                       for c in range(circuit.n_contacts) if set(circuit.ends[c]) == pair)
        if key == "bath":
            return circuit.bath[circuit.index[n]] + (0.0 if lat is None else circuit.bath[lat])
        return getattr(circuit, key)[circuit.index[n]]

    return np.array([value(n) for n in names])


@settings(max_examples=40, deadline=None)
@given(c=st.floats(1e5, 1e7), length=st.floats(1e-9, 1e-6), area=st.floats(1e-18, 1e-12),
       cells=st.integers(1, 40), cut=st.floats(0.05, 0.95), h_b=st.floats(1e6, 1e10))
def test_vertex_capacities_and_baths_add_up_to_the_layer(c, length, area, cells, cut, h_b):
    """One temperature: Σ C_v = c A L and Σ G_b,v = h_b A over the vertices, also on a grid cut
    at a side contact (unequal cells); each vertex holds c A Δx_v (half cells at the ends)."""
    dev = Device(temperature=T)
    through = (cut * length,) if cells > 1 else ()
    names = add_layer(dev, "cu", CU, length=length, area=area, cells=cells, through=through,
                      heat=LayerHeat(volumetric_heat_capacity=c, boundary_conductance=h_b))
    cap, bath = node_array(dev, names, "heat_capacity"), node_array(dev, names, "bath")
    assert cap.sum() == pytest.approx(c * area * length, rel=1e-12, abs=0)
    assert bath.sum() == pytest.approx(h_b * area, rel=1e-12, abs=0)
    dx = cell_widths(length, cells, through)
    share = np.concatenate([[0.0], dx / 2]) + np.concatenate([dx / 2, [0.0]])
    np.testing.assert_allclose(cap, c * area * share, rtol=1e-13, atol=0)
    assert not node_array(dev, names, "electron_phonon").any()
    assert not node_array(dev, names, "lattice_heat_capacity").any()


def test_two_temperature_vertices_split_the_heat_capacity_between_electrons_and_lattice():
    """g_ep given: C_e,v = γ_e T V_v, C_l,v = (c − γ_e T) V_v, G_ep,v = g_ep V_v, and the
    boundary conductance (the lattice's bath) h_b × the footprint's share."""
    c, gamma, g_ep, h_b, foot = 3.45e6, 97.4, 1.15e17, 2e8, 4e-15
    length, area, cells = 12e-9, 1e-16, 3
    dev = Device(temperature=T)
    names = add_layer(dev, "cu", CU, length=length, area=area, cells=cells, heat=LayerHeat(
        volumetric_heat_capacity=c, electron_heat_capacity_coefficient=gamma,
        electron_phonon_coupling=g_ep,
        boundary_conductance=h_b, footprint=foot))
    volume = area * np.array([2e-9, 4e-9, 4e-9, 2e-9])
    np.testing.assert_allclose(node_array(dev, names, "heat_capacity"), gamma * T * volume,
                               rtol=1e-13, atol=0)
    np.testing.assert_allclose(node_array(dev, names, "lattice_heat_capacity"),
                               (c - gamma * T) * volume, rtol=1e-13, atol=0)
    np.testing.assert_allclose(node_array(dev, names, "electron_phonon"), g_ep * volume,
                               rtol=1e-13, atol=0)
    np.testing.assert_allclose(node_array(dev, names, "bath"), h_b * foot * volume / (
        area * length), rtol=1e-13, atol=0)
    total = node_array(dev, names, "heat_capacity") + node_array(dev, names,
                                                                 "lattice_heat_capacity")
    assert total.sum() == pytest.approx(c * area * length, rel=1e-12, abs=0)
    # without γ_e the electrons store nothing and the lattice holds all of c
    dev = Device(temperature=T)
    names = add_layer(dev, "cu", CU, length=length, area=area, cells=cells,
                      heat=LayerHeat(volumetric_heat_capacity=c, electron_phonon_coupling=g_ep))
    assert not node_array(dev, names, "heat_capacity").any()
    np.testing.assert_allclose(node_array(dev, names, "lattice_heat_capacity"), c * volume,
                               rtol=1e-13, atol=0)


def test_given_start_and_end_nodes_keep_their_own_heat():
    """Vertices that are existing nodes are untouched: the new ones hold c A (L − Δx), the
    end half cells being the given nodes'."""
    dev = Device(temperature=T)
    dev.add_node("lead", "normal", reservoir=True)
    dev.add_node("mid", "normal", heat_capacity=5e-20)
    names = add_layer(dev, "cu", CU, length=10e-9, area=1e-16, cells=5, start="lead",
                      end="mid", heat=LayerHeat(volumetric_heat_capacity=3e6,
                                                boundary_conductance=1e8))
    assert dev.nodes["mid"].heat_capacity == 5e-20 and dev.nodes["mid"].bath == 0.0
    assert dev.nodes["lead"].heat_capacity == 0.0
    inner = node_array(dev, names[1:-1], "heat_capacity")
    assert inner.sum() == pytest.approx(3e6 * 1e-16 * 8e-9, rel=1e-12, abs=0)


def test_a_stack_layer_carries_its_heat():
    heat = LayerHeat(volumetric_heat_capacity=3e6)
    stack = [Lead("a"), Layer("cu", CU, 6e-9, cells=3, heat=heat), Lead("b")]
    dev = multilayer(stack, area=1e-16, temperature=T)
    assert node_array(dev, dev.layers["cu"], "heat_capacity").sum() == pytest.approx(
        3e6 * 1e-16 * 6e-9, rel=1e-12, abs=0)


@pytest.mark.parametrize("kw, field, why", [
    (dict(volumetric_heat_capacity=-1.0), "volumetric_heat_capacity",
     "must be positive (J/(m³ K))"),
    (dict(volumetric_heat_capacity=float("nan")), "volumetric_heat_capacity", "finite"),
    (dict(volumetric_heat_capacity="3e6"), "volumetric_heat_capacity", "must be a number"),
    (dict(electron_phonon_coupling=0.0), "electron_phonon_coupling", "must be positive"),
    (dict(boundary_conductance=-1e8), "boundary_conductance", "must be positive (W/(m² K))"),
    (dict(volumetric_heat_capacity=3e6, electron_heat_capacity_coefficient=100.0),
     "electron_heat_capacity_coefficient", "give electron_phonon_coupling"),
    (dict(volumetric_heat_capacity=3e6, footprint=1e-12), "footprint", "boundary_conductance"),
])
def test_bad_layer_heat_is_refused_naming_the_field(kw, field, why):
    with pytest.raises(DeviceError) as err:
        LayerHeat(**kw)
    assert err.value.field == field and why in err.value.reason


def test_add_layer_names_the_layer_field_of_a_bad_heat():
    dev = Device(temperature=3000.0)
    heat = LayerHeat(volumetric_heat_capacity=3.45e6, electron_heat_capacity_coefficient=1500.0,
                     electron_phonon_coupling=1e17)
    with pytest.raises(DeviceError, match=r"^layers\.cu\.electron_heat_capacity_coefficient: "
                                          r"γ_e T = 4\.5e\+06 J/\(m³ K\) at 3000 K is not below"):
        add_layer(dev, "cu", CU, length=1e-9, area=1e-16, cells=2, heat=heat)
    with pytest.raises(DeviceError, match=r"^layers\.cu\.electron_phonon_coupling: gives the "
                                          r"vertex cu_0 electron_phonon = 2\.5e\+274 W/K, "
                                          r"outside"):
        add_layer(dev, "cu", CU, length=1e-9, area=1e-16, cells=2,
                  heat=LayerHeat(electron_phonon_coupling=1e300, boundary_conductance=1e8))
    with pytest.raises(DeviceError, match=r"^layers\.cu\.heat: must be a LayerHeat"):
        add_layer(dev, "cu", CU, length=1e-9, area=1e-16, cells=2, heat={"heat_capacity": 1.0})
    assert "cu" not in dev.layers and "cu_0" not in dev.nodes  # refused before any vertex


def test_material_heat_comes_from_the_database_and_missing_values_are_asked_for():
    co = get_bulk("Co")
    heat = layer_heat("Co", T, electron_heat_capacity_coefficient="material",
                      electron_phonon_coupling=4e17, boundary_conductance=1e8)
    assert heat.volumetric_heat_capacity == co.value("lattice_heat_capacity")
    assert heat.electron_heat_capacity_coefficient == co.value(
        "electron_heat_capacity_coefficient")
    assert (heat.electron_phonon_coupling, heat.boundary_conductance) == (4e17, 1e8)
    # a number overrides
    assert layer_heat("Cu", T, volumetric_heat_capacity=2e6).volumetric_heat_capacity == 2e6
    with pytest.raises(FieldError) as err:
        layer_heat("Co", T, electron_phonon_coupling="material")
    assert str(err.value) == ("electron_phonon_coupling: no sourced value for Co in the "
                              "database; give a number (W/(m³ K))")
    with pytest.raises(FieldError, match=r"^volumetric_heat_capacity: no sourced value for Py"):
        layer_heat("Py", T)
    with pytest.raises(FieldError, match=r'^volumetric_heat_capacity: must be a number .* or '
                                         r'"material"'):
        layer_heat("Cu", T, volumetric_heat_capacity="handbook")
    # room-temperature c_p and g_ep are refused far from room temperature
    with pytest.raises(FieldError, match=r"^volumetric_heat_capacity: the database's value for "
                                         r"Cu refers to 298.15 K, not 10 K"):
        layer_heat("Cu", 10.0)
    with pytest.raises(FieldError, match=r"^electron_phonon_coupling: .* not 600 K"):
        layer_heat("Cu", 600.0, volumetric_heat_capacity=3e6, electron_phonon_coupling="material")
    # γ_e (a coefficient, stored at 0 K) holds at any temperature
    assert layer_heat("Cu", 10.0, volumetric_heat_capacity=8e3, electron_phonon_coupling=1e15,
                      electron_heat_capacity_coefficient="material"
                      ).electron_heat_capacity_coefficient == 97.4


DEVICE = """title = "Cu | Co layer, two temperatures"
temperature = 300.0
[nodes.lead]
type = "normal"
reservoir = true
[nodes.top]
type = "ferromagnet"
reservoir = true
magnetization = [0, 0, 1]
[layers.spacer]
material = "Cu"
length = 6e-9
area = 1e-16
cells = 3
start = "lead"
volumetric_heat_capacity = 3.0e6
boundary_conductance = 1e8
[layers.free]
material = "Co"
length = 3e-9
area = 1e-16
cells = 2
magnetization = [0, 0, 1]
end = "top"
volumetric_heat_capacity = "material"
electron_heat_capacity_coefficient = "material"
electron_phonon_coupling = 5e17
boundary_conductance = 2e8
footprint = 4e-16
[[contacts]]
between = ["spacer_3", "free_0"]
conductance = 2e-2
polarization = 0.5
mixing = 0.7
seebeck = 0.0
polarization_derivative = 0.0
mixing_derivative = 0.0
"""


def test_layer_heat_in_a_device_file_equals_the_layer_built_in_code(tmp_path):
    from spincaloric.io import load_device

    path = tmp_path / "heat.toml"
    path.write_text(DEVICE)
    from_file = load_device(path).finalize()
    dev = Device(temperature=T)
    dev.add_node("lead", "normal", reservoir=True)
    dev.add_node("top", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    from spincaloric.materials import bulk_material

    add_layer(dev, "spacer", bulk_material("Cu"), length=6e-9, area=1e-16, cells=3,
              start="lead", heat=LayerHeat(volumetric_heat_capacity=3e6, boundary_conductance=1e8))
    add_layer(dev, "free", bulk_material("Co"), length=3e-9, area=1e-16, cells=2,
              magnetization=(0, 0, 1), end="top", heat=layer_heat(
                  "Co", T, electron_heat_capacity_coefficient="material",
                  electron_phonon_coupling=5e17, boundary_conductance=2e8, footprint=4e-16))
    dev.add_contact("spacer_3", "free_0", ContactParameters.from_paper(
        conductance=2e-2, polarization=0.5, mixing=0.7, seebeck=0.0, polarization_derivative=0.0,
        mixing_derivative=0.0, temperature=T))
    in_code = dev.finalize()
    assert from_file.names == in_code.names
    for key in ("heat_capacity", "lattice", "bath"):
        np.testing.assert_array_equal(getattr(from_file, key), getattr(in_code, key))
    co_c = get_bulk("Co").value("lattice_heat_capacity")
    stored = from_file.heat_capacity.sum()  # electrons and lattice nodes
    # "lead" and "top" keep their half cells (1 nm of Cu, 0.75 nm of Co)
    assert stored == pytest.approx(co_c * 1e-16 * 2.25e-9 + 3e6 * 1e-16 * 5e-9, rel=1e-12,
                                   abs=0)
    np.testing.assert_array_equal(from_file.solve().states, in_code.solve().states)


@pytest.mark.parametrize("changes, message", [
    ((("electron_phonon_coupling = 5e17", 'electron_phonon_coupling = "material"'),),
     "layers.free.electron_phonon_coupling: no sourced value for Co in the database; give a "
     "number (W/(m³ K))"),
    ((("volumetric_heat_capacity = 3.0e6", 'volumetric_heat_capacity = "handbook"'),),
     'layers.spacer.volumetric_heat_capacity: must be a number (J/(m3 K)) or "material", '
     "got 'handbook'"),
    ((('material = "Cu"', "resistivity = 1.68e-8\nspin_flip_length = 2e-7"),
      ("volumetric_heat_capacity = 3.0e6", 'volumetric_heat_capacity = "material"')),
     'layers.spacer.volumetric_heat_capacity: "material" reads the bulk database'),
    ((("boundary_conductance = 1e8", "boundary_conductance = -1e8"),),
     "layers.spacer.boundary_conductance: must be positive (W/(m² K)), got -1e+08"),
    ((("footprint = 4e-16", "footprint = 0.0"),), "layers.free.footprint: must be positive (m²)"),
    ((("temperature = 300.0", "temperature = 30.0"),),
     "layers.free.volumetric_heat_capacity: the database's value for Co refers to 298.15 K, "
     "not 30 K"),
])
def test_bad_layer_heat_in_a_device_file_is_one_line_naming_the_field(tmp_path, changes,
                                                                        message):
    from spincaloric.cli import main

    text = DEVICE
    for old, new in changes:
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "bad.toml"
    path.write_text(text)
    res = CliRunner().invoke(main, ["solve", str(path)])
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert message in res.stderr, res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def static_response(circuit, nodes, power=1e-7):
    """R_ij = ∂T_i/∂P_j (K/W) over ``nodes`` by static solves."""
    out = np.empty((len(nodes), len(nodes)))
    for j, n in enumerate(nodes):
        sol = circuit.solve(heat={n: power})
        out[:, j] = [(sol.state(m).temperature - T) / power for m in nodes]
    return out


def heated_pillar(heat):
    """fixed (reservoir) | Cu layer of 3 cells with ``heat`` | free magnet (internal, stores no
    heat) | lead, collinear: temperatures obey a linear network."""
    contact = ContactParameters.from_paper(conductance=2e-2, polarization=0.5, mixing=0.7,
                                           seebeck=-4.5e-6, polarization_derivative=0.77,
                                           mixing_derivative=0.13, temperature=T)
    dev = Device(temperature=T)
    dev.add_node("fixed", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("free", "ferromagnet", magnetization=[0, 0, 1], spin_flip=5e-3)
    dev.add_node("lead", "normal", reservoir=True)
    names = add_layer(dev, "cu", CU, length=9e-9, area=1e-16, cells=3, heat=heat)
    dev.add_contact("fixed", names[0], contact)
    dev.add_contact(names[-1], "free", contact)
    dev.add_contact("free", "lead", contact)
    return dev.finalize(), names


@pytest.mark.parametrize("two_temperatures", [False, True])
def test_a_heated_layer_follows_its_thermal_network(two_temperatures):
    """A power step into one vertex of a Cu layer beside a dynamic magnet: the vertices'
    temperatures (electrons and, with g_ep, lattices) follow θ(t) = (1 − e^{−C⁻¹Mt}) M⁻¹P, M
    the network of electronic conductances K (static solves of the layer without storage)
    with the vertices' G_ep, G_b and C from LayerHeat."""
    from spincaloric.dynamics import MagnetParameters, Simulation, Step

    heat = LayerHeat(volumetric_heat_capacity=3.45e6, boundary_conductance=3e8, **(
        dict(electron_heat_capacity_coefficient=97.4, electron_phonon_coupling=1.15e17)
        if two_temperatures else {}))
    circuit, names = heated_pillar(heat)
    k = np.linalg.inv(static_response(heated_pillar(None)[0], names))
    n = len(names)
    c_e = circuit_array(circuit, names, "heat_capacity")
    g_ep = circuit_array(circuit, names, "electron_phonon")
    c_l = circuit_array(circuit, names, "lattice_heat_capacity")
    g_b = circuit_array(circuit, names, "bath")
    assert c_e.sum() + c_l.sum() == pytest.approx(3.45e6 * 1e-16 * 9e-9, rel=1e-12, abs=0)
    if two_temperatures:
        m = np.block([[k + np.diag(g_ep), -np.diag(g_ep)],
                      [-np.diag(g_ep), np.diag(g_ep + g_b)]])
        cap = np.concatenate([c_e, c_l])
    else:
        m, cap = k + np.diag(g_b), c_e
    power = np.zeros(len(cap))
    power[1] = p = 1e-7
    magnet = MagnetParameters(saturation_magnetization=1.1e6, volume=2e-24, damping=0.01,
                              anisotropy_field=1.0, anisotropy_axis=[0.0, 0.0, 1.0])
    sim = Simulation(circuit, {"free": magnet}, {(names[1], "heat"): Step(before=0.0, after=p,
                                                                          time=0.0)})
    tr = sim.run(40e-12, n_save=81, rtol=1e-10, atol=1e-13)
    steady = np.linalg.solve(m, power)
    rate = cap[:, None] ** -1 * m
    exact = np.array([(np.eye(len(cap)) - expm(-rate * t)) @ steady for t in tr.time])
    got = [tr.temperature(v)[0] - T for v in names]
    if two_temperatures:
        got += [tr.temperature(v, lattice=True)[0] - T for v in names]
    got = np.stack(got, axis=-1)
    np.testing.assert_allclose(got, exact, rtol=0, atol=1e-6 * np.abs(steady).max())
    assert got[len(got) // 8, 1] < 0.9 * steady[1]  # the capacities really hold it back
    assert got.shape[1] == n * (2 if two_temperatures else 1)


def test_two_temperature_layer_conducts_phonons_between_its_lattices():
    """With two temperatures the lattice's κ joins the lattice nodes of neighbouring vertices
    (heat links of κ_l A/Δx), not their electrons; as G_ep grows the steady temperatures of a
    layer heated at one end tend to those of the one-temperature layer (phonons in parallel
    with the electrons), and with a finite G_ep the lattice lags the electrons."""
    cu = BulkMaterial(resistivity=3e-8, spin_flip_length=200e-9, thermal_conductivity=420.0)

    def layer(heat):
        dev = Device(temperature=T)
        dev.add_node("hot", "normal", reservoir=True, temperature=T + 10)
        dev.add_node("cold", "normal", reservoir=True, voltage=0.0)
        names = add_layer(dev, "cu", cu, length=1e-6, area=1e-14, cells=8, start="hot",
                          end="cold", heat=heat)
        return dev, names

    dev, names = layer(LayerHeat(volumetric_heat_capacity=3.45e6, boundary_conductance=1e9,
                                 electron_phonon_coupling=1e17))
    links = [c for c in dev.contacts if isinstance(c.parameters, HeatLink)
             and all(n.endswith("/lattice") for n in c.between)]
    lattice = cu.lattice_thermal_conductivity(T) * 1e-14 / (1e-6 / 8)
    assert len(links) == 6  # between the 7 inner vertices' lattices (the end cells join
    #                        a lattice to the reservoir's temperature)
    assert all(c.parameters.conductance == pytest.approx(lattice, rel=1e-12, abs=0)
               for c in links)
    inner = [c for c in dev.contacts if c.label and c.label.startswith("layers.cu.cells")
             and not c.label.endswith(".lattice")]
    assert [c.heat_conductance for c in inner] == [0.0] * 8
    one = layer(LayerHeat(volumetric_heat_capacity=3.45e6, boundary_conductance=1e9))[0].solve()
    t_one = np.array([one.state(n).temperature for n in names[1:-1]])
    gaps = []
    for g_ep in (1e16, 1e20, 1e21):
        two = layer(LayerHeat(volumetric_heat_capacity=3.45e6, boundary_conductance=1e9,
                              electron_phonon_coupling=g_ep))[0].solve()
        t_two = np.array([two.state(n).temperature for n in names[1:-1]])
        gaps.append(np.abs(t_two - t_one).max())
    assert gaps[0] > 1e-3  # a slow coupling: the substrate cools the lattice, not the electrons
    assert gaps[2] < 1e-4 and gaps[2] == pytest.approx(gaps[1] / 10, rel=0.05, abs=0)  # ∝ 1/G_ep


def test_a_specific_heat_per_kilogram_is_a_unit_warning(tmp_path):
    """volumetric_heat_capacity = 420 (Co's J/(kg K), not J/(m³ K)) heats a layer 10⁴ times
    too fast: at room temperature a SizeUnitWarning naming the layer (API and device file);
    a solid's 3.45e6 passes, and so does a small one far below the Debye temperature."""
    import warnings as w
    from pathlib import Path

    from spincaloric.cli import main
    from spincaloric.validation import SizeUnitWarning

    def layer(c, temperature):
        dev = Device(temperature=temperature)
        dev.add_node("a", "normal", reservoir=True)
        dev.add_node("b", "normal", reservoir=True)
        add_layer(dev, "cu", CU, length=10e-9, area=1e-16, cells=2, start="a", end="b",
                  heat=LayerHeat(volumetric_heat_capacity=c))

    with pytest.warns(SizeUnitWarning, match=r"^layers\.cu\.volumetric_heat_capacity: 420 "
                      r"J/\(m³ K\) is far below a solid's"):
        layer(420.0, 300.0)
    with w.catch_warnings():
        w.simplefilter("error")
        layer(3.45e6, 300.0)
        layer(8e3, 10.0)  # a lattice's T³ at 10 K
    pillar = Path(__file__).parent.parent / "examples" / "devices" / "pillar_thick_layers.toml"
    text = pillar.read_text()
    assert "cells = 6\n" in text
    device = tmp_path / "kg.toml"
    device.write_text(text.replace("cells = 6\n", "cells = 6\nvolumetric_heat_capacity = 420.0\n"))
    res = CliRunner().invoke(main, ["check", str(device)])
    assert res.exit_code == 0
    assert "warning: layers.free.volumetric_heat_capacity: 420 J/(m³ K)" in res.stderr


def test_a_lattice_that_stores_and_loses_no_heat_is_reported_as_changing_nothing():
    """g_ep alone couples the electrons to a lattice without heat capacity or bath: in any
    transient the lattice follows the electrons (T_l = T_e), no heat crosses g_ep."""
    with pytest.warns(UnusedSettingWarning, match=r"^electron_phonon_coupling: the lattice it "
                                                  r"couples to stores no heat"):
        LayerHeat(electron_phonon_coupling=1e17)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LayerHeat(electron_phonon_coupling=1e17, boundary_conductance=1e8)  # a series resistance
        LayerHeat(electron_phonon_coupling=1e17, volumetric_heat_capacity=3e6)
