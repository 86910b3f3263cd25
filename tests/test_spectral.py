"""Energy-resolved (elastic-limit) solver against linear response and conservation laws."""

from pathlib import Path

import numpy as np
import pytest

from spincaloric import ContactParameters, Device, DeviceError
from spincaloric.io.results import pick
from spincaloric.solvers.spectral import DENSE_LIMIT as DEFAULT_DENSE_LIMIT
from spincaloric.solvers.spectral import solve_elastic

# every test on both energy-resolved solvers (dense, sparse), the sparse one checked against the
# dense one at every energy
pytestmark = pytest.mark.usefixtures("energy_resolved_path")

EXAMPLES = Path(__file__).parent.parent / "examples" / "devices"

T = 300.0


def valve(s, regime="noninteracting", dv=0.0, dt=0.0, p=0.5):
    c = ContactParameters.from_paper(conductance=1e-2, polarization=p, mixing=0.7, seebeck=s,
                                     polarization_derivative=0.8 if s else 0.0,
                                     mixing_derivative=0.2, temperature=T)
    dev = Device(temperature=T, regime=regime)
    dev.add_node("L", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
    dev.add_node("N", "normal")
    dev.add_node("R", "ferromagnet", reservoir=True, magnetization=[1, 0, 1], voltage=-dv,
                 temperature=T + dt)
    dev.add_contact("L", "N", c)
    dev.add_contact("R", "N", c)
    return dev.finalize()


def deviation(s, **bias):
    circuit = valve(s, **bias)
    lin = circuit.solve().currents
    el = solve_elastic(circuit, points=4001).currents
    scale = np.abs(lin).max(axis=0)
    scale[scale == 0] = 1.0
    return np.abs(el - lin).max(axis=0) / scale


def test_energy_independent_conductances_equal_the_noninteracting_linear_response():
    """G independent of ε: the elastic solution is the non-interacting one (both are linear
    superpositions of the reservoirs' distributions), up to second order in the bias."""
    assert deviation(0.0, dv=1e-6)[:4].max() < 1e-9
    assert deviation(0.0, dt=1e-3).max() < 1e-4  # heat: ΔT/T corrections only


def test_deviation_from_linear_response_is_second_order_in_the_thermopower():
    """With G' ≠ 0 the node distributions are no longer Fermi-shaped: charge and spin currents
    depart from the non-interacting linear response at relative order S²/L0."""
    d = [deviation(s, dt=1e-3)[:4].max() for s in (-8e-6, -4e-6, -2e-6)]
    assert d[0] / d[1] == pytest.approx(4, rel=0.3, abs=0)
    assert d[1] / d[2] == pytest.approx(4, rel=0.3, abs=0)
    from spincaloric.constants import LORENZ

    assert d[0] < 10 * 8e-6**2 / LORENZ


def test_joule_heat_flows_to_the_reservoirs_at_large_bias():
    """10 mV across a normal node (S = 0): the heat delivered to the reservoirs, each measured
    from its own chemical potential (Q_r − V_r I_r), equals I ΔV — second order in the bias,
    absent from linear response. (Measured from the common μ0, as everywhere else in
    spincaloric, the heat currents of an elastic node cancel: energy is conserved.)"""
    dev = Device(temperature=T)
    dev.add_node("a", "normal", reservoir=True, voltage=-5e-3)
    dev.add_node("b", "normal", reservoir=True, voltage=5e-3)
    dev.add_node("n", "normal")
    dev.add_contact("a", "n", ContactParameters.spin_independent(conductance=1e-2))
    dev.add_contact("b", "n", ContactParameters.spin_independent(conductance=3e-2))
    sol = solve_elastic(dev.finalize(), points=20001)
    i = sol.currents[0, 0]  # theory current from a into the node
    v = {0: 5e-3, 1: -5e-3}  # theory voltages of a and b (electric potentials −5, +5 mV)
    heat_to_reservoirs = -sum(sol.currents[k, 4] - v[k] * sol.currents[k, 0] for k in (0, 1))
    assert i > 0 and heat_to_reservoirs == pytest.approx(i * (v[0] - v[1]), rel=1e-6, abs=0)
    assert sol.currents[1, 0] == pytest.approx(-i, rel=1e-12, abs=0)
    assert abs(sol.currents[0, 4] + sol.currents[1, 4]) < 1e-9 * heat_to_reservoirs


def test_particle_and_spin_conservation_at_every_energy():
    sol = solve_elastic(valve(-4e-6, dv=1e-4, dt=0.5), points=801)
    # contacts (L -> N) and (R -> N): both flow into N
    total = sol.spectral_currents[:, 0] + sol.spectral_currents[:, 1]
    assert np.abs(total).max() < 1e-11 * np.abs(sol.spectral_currents).max()


def test_relaxation_interpolates_between_the_two_regimes():
    """Electron-electron relaxation towards the Fermi-Dirac distribution with the same particle,
    spin and energy content: weak relaxation gives the non-interacting (elastic) regime, strong
    relaxation the thermalized one, with an error falling as G/g."""
    from spincaloric.solvers.spectral import solve_relaxed

    th = valve(-4e-6, regime="thermalized", dv=1e-6, dt=1e-3)
    ni = valve(-4e-6, regime="noninteracting", dv=1e-6, dt=1e-3)
    lin_th, lin_ni = th.solve().currents, ni.solve().currents
    scale = np.abs(lin_th).max(axis=0)
    scale[scale == 0] = 1.0
    cols = [0, 1, 3, 4, 5, 7]

    def dev(g, ref):
        sol, _ = solve_relaxed(th, {"N": g}, points=4001)
        return (np.abs(sol.currents - ref).max(axis=0) / scale)[cols].max()

    assert dev(1e-4, lin_ni) < 1e-2  # g = G/100: nearly elastic
    strong = [dev(g, lin_th) for g in (1.0, 10.0)]  # g = 100 G, 1000 G
    assert strong[1] < 2e-3 and strong[0] / strong[1] == pytest.approx(10, rel=0.3, abs=0)
    assert dev(1.0, lin_ni) > 0.1  # and the two regimes really differ here


def test_phonons_cool_a_joule_heated_node_to_the_lattice():
    """At 5 mV bias, strong e-e relaxation makes the node Fermi-Dirac and Joule-heated to the
    Wiedemann-Franz (Kohlrausch) value T_n² = T0² + V²/(4 L0) of a node between two equal
    contacts; an electron-phonon coupling removes heat to the lattice and cools it."""
    from spincaloric.constants import LORENZ
    from spincaloric.solvers.spectral import solve_relaxed

    dev = Device(temperature=T)
    dev.add_node("a", "normal", reservoir=True, voltage=-2.5e-3)
    dev.add_node("b", "normal", reservoir=True, voltage=2.5e-3)
    dev.add_node("n", "normal")
    dev.add_contact("a", "n", ContactParameters.spin_independent(conductance=1e-2))
    dev.add_contact("b", "n", ContactParameters.spin_independent(conductance=1e-2))
    circuit = dev.finalize()
    _, hot = solve_relaxed(circuit, {"n": 1.0}, points=6001)
    _, cooled = solve_relaxed(circuit, {"n": 1.0}, phonons={"n": 1e-2}, points=6001)
    assert hot["n"][1] == pytest.approx(np.sqrt(T**2 + 5e-3**2 / (4 * LORENZ)), rel=1e-5, abs=0)
    assert T < cooled["n"][1] < hot["n"][1] - 0.1


def test_conductance_curvature_corrects_linear_response_by_kT_squared():
    """G(ε) = G + G'' ε²/2 through one contact: the small-bias conductance is
    G + (π²/6)(k_B T)² G'' (Sommerfeld to the next order), beyond the linear-response model:
    the relative deviation is (π²/6)(k_B T)² G''/G, four times larger at twice the temperature."""
    from spincaloric.constants import BOLTZMANN

    g2 = 0.02 * 1e-2 / (BOLTZMANN * 300.0) ** 2  # a 2 % curvature over k_B T at 300 K
    rel = {}
    for temp in (150.0, 300.0):
        dev = Device(temperature=temp)
        dev.add_node("a", "normal", reservoir=True, voltage=1e-7)
        dev.add_node("b", "normal", reservoir=True)
        dev.add_contact("a", "b", ContactParameters.spin_independent(conductance=1e-2,
                                                                     temperature=temp))
        circuit = dev.finalize()
        sol = solve_elastic(circuit, points=8001, curvature={0: (g2 / 2, g2 / 2, g2 / 2)})
        rel[temp] = sol.currents[0, 0] / circuit.solve().currents[0, 0] - 1
        kt = BOLTZMANN * temp
        assert rel[temp] == pytest.approx(np.pi**2 / 6 * kt**2 * g2 / 1e-2, rel=1e-4, abs=0)
    assert rel[300.0] / rel[150.0] == pytest.approx(4.0, rel=1e-4, abs=0)


def test_spectral_regime_from_a_device_file(tmp_path):
    """regime = "spectral": the CLI solves energy by energy; with strong relaxation the JSON
    matches the thermalized document, with weak relaxation the non-interacting one."""
    import json

    from click.testing import CliRunner

    from spincaloric.cli import main

    src = (Path(__file__).parent.parent / "examples" / "devices" / "valve_spectral.toml")
    text = src.read_text()

    def solve(body):
        path = tmp_path / "d.toml"
        path.write_text(body)
        res = CliRunner().invoke(main, ["solve", "--json", str(path)])
        assert res.exit_code == 0, res.output
        return json.loads(res.stdout)

    def linear(regime):  # a linear regime takes no [spectral] settings
        settings = "[spectral]\npoints = 4001\nrelaxation = { spacer = 1.0 }\n"
        assert settings in text
        return text.replace('regime = "spectral"', f'regime = "{regime}"').replace(settings, "")

    strong = solve(text)
    thermal = solve(linear("thermalized"))
    weak = solve(text.replace("spacer = 1.0", "spacer = 1.0e-7"))
    nonint = solve(linear("noninteracting"))
    for got, ref, tol in ((strong, thermal, 2e-3), (weak, nonint, 2e-3)):
        for key in ("charge_current", "heat_current"):
            a, b = got["contacts"][0][key], ref["contacts"][0][key]
            assert a == pytest.approx(b, rel=tol, abs=0)
        np.testing.assert_allclose(got["torques"]["right"], ref["torques"]["right"],
                                   rtol=tol, atol=tol * np.abs(ref["torques"]["right"]).max())
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace("spacer = 1.0", "left = 1.0"))
    res = CliRunner().invoke(main, ["solve", str(bad)])
    assert res.exit_code == 2 and "spectral.relaxation.left: not an internal node" in res.stderr


def _small_seebeck_circuit(rng, regime, allow_internal_ferro):
    from random_circuits import random_device
    from spincaloric import DeviceError

    while True:
        dev = random_device(rng, regime, n_internal=3, n_reservoirs=3, sinks=False)
        for c in dev.contacts:  # S ≤ 1 µV/K: the O(S²/L0) differences stay below 1e-4
            c.heat_conductance = 0.0  # electrons only: lattice heat is not energy-resolved
            p = c.parameters
            scale = 1e-6 / max(1e-6, abs(p.seebeck(T)))
            object.__setattr__(p, "dg_up", p.dg_up * scale)
            object.__setattr__(p, "dg_down", p.dg_down * scale)
            object.__setattr__(p, "dg_mix", p.dg_mix * scale)
        for node in dev.nodes.values():  # small biases: linear response
            if node.reservoir:
                node.voltage *= 1e-3
                node.temperature = T + ((node.temperature or T) - T) * 1e-3
        try:
            circuit = dev.finalize()
        except DeviceError:
            continue
        internal_ferro = (circuit.ferromagnet & ~circuit.reservoir).any()
        if allow_internal_ferro or not internal_ferro:
            return circuit


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_random_circuits_reach_both_linear_regimes(seed):
    """Random multi-terminal circuits at small bias: the elastic solve equals the
    non-interacting linear response, and strong relaxation in every internal node equals
    the thermalized one (both to the O(S²/L0) of the Sommerfeld truncation)."""
    from spincaloric.solvers.spectral import solve_relaxed

    rng = np.random.default_rng(seed)
    ni = _small_seebeck_circuit(rng, "noninteracting", True)
    lin = ni.solve().currents
    el = solve_elastic(ni, points=4001).currents
    scale = np.abs(lin[:, :4]).max()
    np.testing.assert_allclose(el[:, :4], lin[:, :4], atol=2e-3 * scale)
    th = _small_seebeck_circuit(rng, "thermalized", True)  # relaxation in F nodes too
    lin = th.solve().currents
    g = {th.names[i]: 1e3 * float(np.max(th.g_up + th.g_down)) for i in th.internal}
    sol, _ = solve_relaxed(th, g, points=4001)
    scale = np.abs(lin[:, :4]).max()
    np.testing.assert_allclose(sol.currents[:, :4], lin[:, :4], atol=2e-3 * scale)
    heat = np.abs(lin[:, 4]).max()
    np.testing.assert_allclose(sol.currents[:, 4], lin[:, 4], atol=5e-3 * heat)
    # e-e relaxation conserves particles, spin and energy: every internal node balances
    out = np.zeros((th.n_nodes, 8))
    for k, (a, b) in enumerate(th.ends):
        out[a] += sol.currents[k]
        out[b] -= sol.currents[k]
    for n in th.internal:
        balance = out[n, :4].copy()
        if th.ferromagnet[n]:  # a magnet absorbs the transverse spin (the torque)
            m = th.magnetization[n]
            balance[1:] = (balance[1:] @ m) * m
        assert np.abs(balance).max() <= 1e-5 * scale  # the Newton tolerance
        assert abs(out[n, 4]) <= 1e-5 * np.abs(sol.currents[:, 4:]).max()


def test_relaxation_scale_from_volume_and_density_of_states():
    """g = e²D/τ and τ_d = e²D/(4G): at τ_ee = τ_d the relaxation conductance is 4G."""
    from spincaloric.solvers.spectral import dwell_time, relaxation_conductance

    tau_d = dwell_time(1e-24, 1.8e47, 1e-2)
    assert relaxation_conductance(1e-24, 1.8e47, tau_d) == pytest.approx(4e-2, rel=1e-12, abs=0)
    with pytest.raises(Exception, match="volume"):
        relaxation_conductance(0.0, 1.8e47, 1e-13)


def test_relaxation_in_a_ferromagnetic_node():
    """A ferromagnetic node hanging off a normal node between a normal and a ferromagnetic lead,
    under a temperature bias (and a small voltage): strong e-e relaxation in it (spin along m) gives the thermalized linear
    response, its absence the non-interacting one; particles, the spin along m and energy are
    conserved in the node."""
    from spincaloric.solvers.spectral import solve_relaxed

    c = ContactParameters.from_paper(conductance=1e-2, polarization=0.6, mixing=0.8,
                                     seebeck=-2e-6, polarization_derivative=0.9,
                                     mixing_derivative=0.3, temperature=T)
    n = ContactParameters.spin_independent(conductance=2e-2, seebeck=-1e-6, temperature=T)
    circuits = {}
    for regime in ("thermalized", "noninteracting"):
        dev = Device(temperature=T, regime=regime)
        dev.add_node("a", "normal", reservoir=True, voltage=-1e-9)
        dev.add_node("s", "normal")
        dev.add_node("f", "ferromagnet", magnetization=[1, 1, 0])
        dev.add_node("b", "ferromagnet", reservoir=True, magnetization=[0, 0, 1],
                     temperature=T + 1e-3)
        dev.add_contact("a", "s", n)
        dev.add_contact("s", "f", c)
        dev.add_contact("b", "s", c)
        circuits[regime] = dev.finalize()
    th = circuits["thermalized"]
    lin_th = th.solve().currents
    lin_ni = circuits["noninteracting"].solve().currents
    sol, targets = solve_relaxed(th, {"f": 10.0, "s": 10.0}, points=4001)
    scale = np.abs(lin_th[:, :4]).max()
    np.testing.assert_allclose(sol.currents[:, :4], lin_th[:, :4], atol=3e-3 * scale)
    assert np.abs(lin_th[:, :4] - lin_ni[:, :4]).max() > 3e-2 * scale  # the regimes differ
    mu_s = targets["f"][2]
    assert np.abs(np.cross(mu_s, [1, 1, 0])).max() <= 1e-12 * np.abs(mu_s).max()
    # conservation in the ferromagnetic node: charge, spin along m, energy
    m = np.array([1, 1, 0]) / np.sqrt(2)
    into_f = sol.currents[1] + 0.0  # contact s -> f carries everything f exchanges
    assert abs(into_f[0]) <= 1e-5 * scale
    assert abs(into_f[1:4] @ m) <= 1e-5 * scale
    assert abs(into_f[4]) <= 1e-5 * np.abs(sol.currents[:, 4:]).max()


def test_relaxation_from_node_volume_and_material(tmp_path):
    """[spectral.nodes.X] with a volume and a material (density of states from the bulk
    database) or an explicit density of states is g = e²DV/τ: the same document as the
    conductance given directly; bad entries name their field."""
    import json

    from click.testing import CliRunner

    from spincaloric.cli import main
    from spincaloric.materials import get_bulk
    from spincaloric.solvers.spectral import relaxation_conductance

    src = Path(__file__).parent.parent / "examples" / "devices" / "valve_spectral.toml"
    text = src.read_text().replace("points = 4001", "points = 1501")
    volume, tau_ee, tau_ep = 1e-23, 1e-12, 1e-11
    d_cu = get_bulk("Cu").value("density_of_states")
    g_ee = relaxation_conductance(volume, d_cu, tau_ee)
    g_ep = relaxation_conductance(volume, d_cu, tau_ep)
    direct = text.replace("relaxation = { spacer = 1.0 }",
                          f"relaxation = {{ spacer = {g_ee!r} }}\nphonons = {{ spacer = {g_ep!r} }}")
    sized = text.replace("relaxation = { spacer = 1.0 }",
                         f"[spectral.nodes.spacer]\nvolume = {volume}\nmaterial = \"Cu\"\n"
                         f"tau_ee = {tau_ee}\ntau_ep = {tau_ep}")

    def run(body, *extra):
        path = tmp_path / "d.toml"
        path.write_text(body)
        return CliRunner().invoke(main, ["solve", *extra, str(path)])

    a, b = run(direct, "--json"), run(sized, "--json")
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    assert json.loads(a.stdout)["contacts"] == json.loads(b.stdout)["contacts"]
    for body, message in (
            (sized.replace('material = "Cu"', 'material = "Cx"'),
             "spectral.nodes.spacer.material: unknown bulk material 'Cx'"),
            (sized.replace('material = "Cu"', 'material = "Co"'),
             "spectral.nodes.spacer.material: 'Co' has no density of states"),
            (sized.replace('material = "Cu"', 'material = "Cu"\ndensity_of_states = 1e47'),
             "spectral.nodes.spacer.material: give a material or a density_of_states"),
            (sized.replace(f"volume = {volume}", "volume = -1.0"),
             "spectral.nodes.spacer.volume: must be positive")):
        res = run(body)
        assert res.exit_code == 2 and message in res.stderr, res.output


def test_distributions_are_exported_and_plotted(tmp_path):
    """``solve --distributions F.nc --plot F.png`` writes the labelled distributions (whose
    moments give the node's voltage) and their figure; other regimes are refused with exit 2
    and no file."""
    from click.testing import CliRunner

    from spincaloric.cli import main
    from spincaloric.io import load_dataset

    src = Path(__file__).parent.parent / "examples" / "devices" / "valve_spectral.toml"
    path = tmp_path / "d.toml"
    path.write_text(src.read_text().replace("points = 4001", "points = 1501"))
    nc, png = tmp_path / "dist.nc", tmp_path / "dist.png"
    res = CliRunner().invoke(main, ["solve", "--json", "--distributions", str(nc), "--plot",
                                    str(png), str(path)])
    assert res.exit_code == 0, res.output
    ds = load_dataset(nc)
    assert ds["distribution"].dims == ("energy", "node", "component")
    assert ds["energy"].attrs["units"] == "eV" and ds.sizes["energy"] == 1501
    de = float(ds["energy"][1] - ds["energy"][0])  # eV: ∫(f_c − f0) dε / e is V_c in volts
    v_spacer = float(ds["deviation"].sel(node="spacer", component="c").sum()) * de
    import json

    doc = json.loads(res.stdout)
    expected = doc["nodes"]["spacer"]["voltage"]  # electric potential = −V_c
    assert -v_spacer == pytest.approx(expected, rel=1e-9, abs=1e-15)
    assert png.read_bytes()[:4] == b"\x89PNG"
    linear = tmp_path / "lin.toml"
    linear.write_text(path.read_text().replace('regime = "spectral"', 'regime = "thermalized"'))
    out = tmp_path / "none.nc"
    res = CliRunner().invoke(main, ["solve", "--distributions", str(out), str(linear)])
    assert res.exit_code == 2 and "only for regime" in res.stderr and not out.exists()


def test_unconverged_relaxation_is_an_error_not_a_result():
    """The linear-response start is not the answer at 1 mV and 3 K (Joule heating): with no
    Newton step allowed the solver says so (a ConvergenceError naming max_iter) instead of
    returning a non-conserving solution."""
    from spincaloric.solvers.spectral import ConvergenceError, solve_relaxed

    circuit = valve(-4e-6, regime="thermalized", dv=1e-3, dt=3.0)
    with pytest.raises(ConvergenceError, match="^max_iter: the relaxation did not converge"):
        solve_relaxed(circuit, {"N": 1.0}, points=1001, max_iter=0)
    sol, targets = solve_relaxed(circuit, {"N": 1.0}, points=1001)
    out = sol.currents[0] + sol.currents[1]  # both contacts end in N: the balance of N
    assert abs(out[0]) <= 1e-6 * np.abs(sol.currents[:, 0]).max()


def test_elastic_spin_flip_equals_the_linear_spin_sink():
    """Spin flip acts energy by energy: with energy-independent conductances the elastic solve
    equals the non-interacting linear response with G_sf, whose spin flip sinks the spin
    temperature with L0 T G_sf by itself (Circuit.spin_heat_sink)."""
    from spincaloric.constants import LORENZ

    c = ContactParameters.from_paper(conductance=1e-2, polarization=0.5, mixing=0.7,
                                     seebeck=0.0, polarization_derivative=0.0,
                                     mixing_derivative=0.7, temperature=T)
    results = []
    for flip, spin_heat in ((3e-3, 0.0), (3e-3, 1e-12), (0.0, 0.0)):
        dev = Device(temperature=T, regime="noninteracting")
        dev.add_node("L", "ferromagnet", reservoir=True, magnetization=[0, 0, 1])
        dev.add_node("N", "normal", spin_flip=flip, spin_heat_relaxation=spin_heat)
        dev.add_node("R", "ferromagnet", reservoir=True, magnetization=[1, 0, 1], voltage=-1e-6,
                     temperature=T + 1e-3)
        dev.add_contact("L", "N", c)
        dev.add_contact("R", "N", c)
        results.append(dev.finalize())
    el = solve_elastic(results[0], points=4001).currents
    assert results[0].spin_heat_sink[1] == pytest.approx(LORENZ * T * 3e-3, rel=1e-12, abs=0)
    lin = results[0].solve().currents
    no_flip = results[2].solve().currents
    for col in range(8):  # charge, spin, heat, spin heat: each to 1e-6 of its own scale,
        scale = np.abs(lin[:, col]).max() + 1e-30  # heat also up to the Joule heat G V²
        joule = 1e-2 * 1e-6**2 if col >= 4 else 0.0  # (second order, absent from linear)
        assert np.abs(el[:, col] - lin[:, col]).max() <= 1e-6 * scale + joule, col
    # and the spin sink matters here (the comparison can fail)
    assert np.abs(no_flip[:, 1:4] - lin[:, 1:4]).max() > 1e-2 * np.abs(lin[:, 1:4]).max()
    with pytest.raises(DeviceError, match="nodes.N.spin_heat_relaxation: the energy-resolved"):
        solve_elastic(results[1], points=501)


def test_open_circuit_voltage_at_a_100_kelvin_bias_is_the_exact_mott_integral():
    """One contact with G(ε) = G + G'ε between a lead at T0 and an open (I = 0) lead at
    T0 + 100 K: zero current means G(μ_a − μ_b) + G'[(π²/6)k_B²(T_a² − T_b²) + (μ_a² − μ_b²)/2]
    = 0 exactly; the solver's open-circuit voltage solves it (linear response is 17 % off)."""
    from spincaloric.constants import BOLTZMANN, ELEMENTARY_CHARGE
    from spincaloric.solvers.spectral import as_solution, solve_relaxed

    e, dt = ELEMENTARY_CHARGE, 100.0
    # S = −10 µV/K: G(ε) = G + G'ε stays positive over the whole Fermi window (at −20 µV/K it
    # would cross zero 11 k_BT below ε_F at 400 K, where the solver sets it to zero)
    c = ContactParameters.spin_independent(conductance=1e-2, seebeck=-10e-6, temperature=T)
    dev = Device(temperature=T)
    dev.add_node("a", "normal", reservoir=True)
    dev.add_node("b", "normal", reservoir=True, current=0.0, temperature=T + dt)
    dev.add_contact("a", "b", c)
    circuit = dev.finalize()
    sol, _ = solve_relaxed(circuit, points=8001, tol=1e-10)
    v_b = float(as_solution(sol).reservoirs["b"].voltage)  # electric potential (V)
    g, dg = c.conductance, c.conductance_derivative
    w = np.pi**2 / 6 * BOLTZMANN**2 * (T**2 - (T + dt) ** 2)
    # g(−μ_b) + dg(w − μ_b²/2) = 0 → μ_b = [−g + √(g² + 2 dg² w)]/dg (the root near 0)
    mu_b = (-g + np.sqrt(g**2 + 2 * dg**2 * w)) / dg
    assert -v_b == pytest.approx(mu_b / e, rel=1e-7, abs=0)  # theory V = −electric potential
    linear = float(circuit.solve().reservoirs["b"].voltage)
    assert abs(linear / v_b - 1) > 0.1


def test_heat_deposited_in_a_relaxing_node():
    """P watts in a node between two normal leads (energy-independent G₁, G₂) with e–e
    relaxation g: the node distribution is the weighted mean of the leads' and the target's,
    so the target's temperature obeys T*² = T0² + (2P/L0)(1/(G₁ + G₂) + 1/g) exactly, and the
    leads receive P."""
    from spincaloric.constants import LORENZ
    from spincaloric.solvers.spectral import solve_relaxed

    dev = Device(temperature=T)
    dev.add_node("a", "normal", reservoir=True)
    dev.add_node("b", "normal", reservoir=True)
    dev.add_node("n", "normal", heat=2e-9)
    dev.add_contact("a", "n", ContactParameters.spin_independent(conductance=1e-2))
    dev.add_contact("n", "b", ContactParameters.spin_independent(conductance=3e-2))
    circuit = dev.finalize()
    g = 0.1
    sol, targets = solve_relaxed(circuit, {"n": g}, points=6001, tol=1e-9)
    expected = np.sqrt(T**2 + 2 * 2e-9 / LORENZ * (1 / 4e-2 + 1 / g))
    assert targets["n"][1] == pytest.approx(expected, rel=1e-9, abs=0)
    delivered = -sol.currents[0, 4] + sol.currents[1, 4]
    assert delivered == pytest.approx(2e-9, rel=1e-6, abs=0)
    with pytest.raises(DeviceError, match="nodes.n.heat: deposited heat needs"):
        solve_relaxed(circuit, {}, points=501)


def test_a_bath_is_phonon_relaxation():
    """A node's bath (W/K) is electron–phonon relaxation with g_ep = bath/(L0 T0)."""
    from spincaloric.constants import LORENZ
    from spincaloric.solvers.spectral import solve_relaxed

    def pillar(bath):
        dev = Device(temperature=T)
        dev.add_node("a", "normal", reservoir=True, voltage=-2e-3)
        dev.add_node("b", "normal", reservoir=True, temperature=T + 5.0)
        dev.add_node("n", "normal", bath=bath)
        dev.add_contact("a", "n", ContactParameters.spin_independent(conductance=1e-2))
        dev.add_contact("n", "b", ContactParameters.spin_independent(conductance=2e-2))
        return dev.finalize()

    by_bath, t1 = solve_relaxed(pillar(1e-9), {"n": 1.0}, points=3001, tol=1e-11)
    by_phonons, t2 = solve_relaxed(pillar(0.0), {"n": 1.0}, phonons={"n": 1e-9 / (LORENZ * T)},
                                   points=3001, tol=1e-11)
    # (the two start Newton from different linear guesses: a tight tolerance makes them meet)
    np.testing.assert_allclose(by_bath.currents, by_phonons.currents, rtol=1e-8, atol=0)
    assert t1["n"][1] == pytest.approx(t2["n"][1], rel=1e-10, abs=0)


def test_open_circuit_device_file_in_the_spectral_regime(tmp_path):
    """The open-circuit valve of the examples, 100 K hotter on one side, as a device file with
    regime = "spectral": the CLI reports the thermovoltage of the Mott integral,
    (1 + ΔT/2T0) × the linear response, to the G/g_ee of the finite relaxation."""
    import json

    from click.testing import CliRunner

    from spincaloric.cli import main

    src = Path(__file__).parent.parent / "examples" / "devices" / "open_circuit_thermopower.toml"
    text = src.read_text().replace("temperature = 301.0", "temperature = 400.0")
    spectral = text.replace("temperature = 300.0", 'temperature = 300.0\nregime = "spectral"\n'
                            "[spectral]\npoints = 3001\nrelaxation = { spacer = 1000.0 }", 1)
    out = {}
    for label, body in (("linear", text), ("spectral", spectral)):
        path = tmp_path / f"{label}.toml"
        path.write_text(body)
        res = CliRunner().invoke(main, ["solve", "--json", str(path)])
        assert res.exit_code == 0, res.output
        out[label] = json.loads(res.stdout)["reservoirs"]["right"]["voltage"]
    assert out["spectral"] / out["linear"] == pytest.approx(1 + 100 / 600, rel=1e-3, abs=0)


def test_joule_heating_at_low_temperature_and_the_grid_that_follows_it():
    """1 K lattice, 10 mV across a relaxing node (eV ≫ k_BT0): the node heats to ~32 K, far
    outside a grid sized by the leads. The node distribution is a mixture of the leads' and the
    target's, so the target obeys T*² = T0² + 3(eV)²/(4π²k_B²) exactly for any g_ee; the solver
    widens its grid and converges there. Heat in a 4 K node likewise follows the closed form."""
    from spincaloric.constants import BOLTZMANN, ELEMENTARY_CHARGE, LORENZ
    from spincaloric.solvers.spectral import solve_relaxed

    e, k = ELEMENTARY_CHARGE, BOLTZMANN
    dev = Device(temperature=1.0)
    dev.add_node("a", "normal", reservoir=True, voltage=-1e-2)
    dev.add_node("b", "normal", reservoir=True)
    dev.add_node("n", "normal")
    for x, y in (("a", "n"), ("n", "b")):
        dev.add_contact(x, y, ContactParameters.spin_independent(conductance=1e-2,
                                                                 temperature=1.0))
    _, targets = solve_relaxed(dev.finalize(), {"n": 10.0}, points=4001, tol=1e-9)
    exact = np.sqrt(1.0 + 3 * (e * 1e-2) ** 2 / (4 * np.pi**2 * k**2))
    assert targets["n"][1] == pytest.approx(exact, rel=1e-6, abs=0)

    dev = Device(temperature=4.0)
    dev.add_node("a", "normal", reservoir=True)
    dev.add_node("b", "normal", reservoir=True)
    dev.add_node("n", "normal", heat=3e-7)
    dev.add_contact("a", "n", ContactParameters.spin_independent(conductance=1e-2,
                                                                 temperature=4.0))
    dev.add_contact("n", "b", ContactParameters.spin_independent(conductance=3e-2,
                                                                 temperature=4.0))
    _, targets = solve_relaxed(dev.finalize(), {"n": 0.1}, points=6001, tol=1e-9)
    exact = np.sqrt(16.0 + 2 * 3e-7 / LORENZ * (1 / 4e-2 + 1 / 0.1))
    assert targets["n"][1] == pytest.approx(exact, rel=1e-6, abs=0)


def test_spectral_input_errors_name_the_field():
    """Overrides of internal nodes, a linear G(ε) that turns negative inside the Fermi window,
    and an uneven grid are refused with the field named."""
    from spincaloric.solvers.spectral import solve_relaxed

    circuit = valve(-4e-6)
    with pytest.raises(DeviceError, match=r"^voltage\.N: not a reservoir"):
        solve_relaxed(circuit, {"N": 1.0}, voltage={"N": 5e-3}, points=501)
    with pytest.raises(DeviceError, match=r"^temperature\.N: not a reservoir"):
        solve_elastic(circuit, temperature={"N": 400.0}, points=501)
    with pytest.raises(DeviceError, match="^energies: need at least 3 equally spaced"):
        solve_elastic(circuit, energies=np.array([-1.0, 0.0, 2.0]) * 1e-20)
    dev = Device(temperature=T, regime="noninteracting")
    dev.add_node("a", "normal", reservoir=True, voltage=-1e-6)
    dev.add_node("n", "normal")
    dev.add_node("b", "normal", reservoir=True)
    dev.add_contact("a", "n", ContactParameters.spin_independent(conductance=1e-2,
                                                                 seebeck=-100e-6))
    dev.add_contact("n", "b", ContactParameters.spin_independent(conductance=1e-2))
    with pytest.raises(DeviceError, match=r"^contacts\[0\]: G↑\(ε\) = G \+ G'ε is negative"):
        solve_elastic(dev.finalize(), points=2001)


def test_unconverged_spectral_device_file_is_a_one_line_error(tmp_path):
    from click.testing import CliRunner

    from spincaloric.cli import main

    src = Path(__file__).parent.parent / "examples" / "devices" / "valve_spectral.toml"
    path = tmp_path / "d.toml"
    path.write_text(src.read_text().replace("points = 4001",
                                            "points = 1001\ntol = 1e-14\nmax_iter = 0"))
    res = CliRunner().invoke(main, ["solve", str(path)])
    assert res.exit_code == 2, res.output
    assert "spectral.max_iter: the relaxation did not converge in 0 Newton steps" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def _reservoir_flows(sol):
    """Per reservoir r: (I_r (A), heat from its own μ_r, J_Q,r (W)), both out of r into the
    device, from a spectral solution (theory signs; μ_r, T_r as used)."""
    c = sol.circuit
    out = {}
    for r in np.flatnonzero(c.reservoir):
        sign = (c.ends[:, 0] == r).astype(float) - (c.ends[:, 1] == r)
        i_r = float(sign @ sol.currents[:, 0])
        e_r = float(sign @ sol.currents[:, 4])
        from spincaloric.constants import ELEMENTARY_CHARGE

        out[c.names[r]] = (i_r, e_r - sol.lead_mu[r] / ELEMENTARY_CHARGE * i_r)
    return out


@pytest.mark.parametrize("seed", range(3))
def test_entropy_production_is_never_negative_far_from_equilibrium(seed):
    """Millivolts and kelvins across random valves, elastic and relaxed: the entropy produced,
    −Σ_r J_Q,r/T_r (heat leaving each reservoir, from its own μ), is positive — beyond linear
    response, where no quadratic form guarantees it."""
    from spincaloric.solvers.spectral import solve_relaxed

    rng = np.random.default_rng(seed)
    for _ in range(3):
        c = ContactParameters.from_paper(
            conductance=1e-2, polarization=rng.uniform(-0.8, 0.8),
            mixing=rng.uniform(0.3, 1.5), seebeck=rng.uniform(-6e-6, 6e-6),
            polarization_derivative=rng.uniform(-0.9, 0.9), mixing_derivative=rng.uniform(0, 1),
            temperature=T)
        dev = Device(temperature=T, regime="noninteracting")
        dev.add_node("L", "ferromagnet", reservoir=True, magnetization=[0, 0, 1],
                     voltage=rng.uniform(-2e-3, 2e-3), temperature=T + rng.uniform(-20, 20))
        dev.add_node("N", "normal")
        dev.add_node("R", "ferromagnet", reservoir=True, magnetization=rng.normal(size=3),
                     voltage=rng.uniform(-2e-3, 2e-3), temperature=T + rng.uniform(-20, 20))
        dev.add_contact("L", "N", c)
        dev.add_contact("R", "N", c)
        circuit = dev.finalize()
        for sol in (solve_elastic(circuit, points=3001),
                    solve_relaxed(circuit, {"N": 0.1}, points=3001)[0]):
            flows = _reservoir_flows(sol)
            temps = {n: sol.lead_temperature[circuit.index[n]] for n in flows}
            sigma = -sum(q / temps[n] for n, (_, q) in flows.items())
            scale = sum(abs(q) / temps[n] for n, (_, q) in flows.items())
            assert sigma > -1e-9 * scale, (sigma, scale)
            assert sigma > 0


def test_an_energy_resolved_solution_reports_the_exact_entropy_production():
    """A valve 100 K out of equilibrium: Solution.entropy_production of the energy-resolved
    back end is −Σ_r J_Q,r/T_r (the heat each reservoir gives from its own μ_r), not the
    linear-response quadratic form at T0, which overstates it here by T_hot/T0 = 4/3; near
    equilibrium the two agree to the order ΔT/T the linear response neglects."""
    circuit = valve(-5e-6)
    hot = circuit.solve(method="spectral", temperature={"R": T + 100.0}, points=3001)
    flows = _reservoir_flows(hot.distributions)
    temps = {n: T + (100.0 if n == "R" else 0.0) for n in flows}
    exact = -sum(q / temps[n] for n, (_, q) in flows.items())
    assert float(hot.entropy_production) == pytest.approx(exact, rel=1e-12, abs=0)
    quadratic = hot.contact_entropy_production.sum() + hot.node_entropy_production.sum()
    assert quadratic / exact == pytest.approx(4 / 3, rel=1e-3, abs=0)
    near = circuit.solve(method="spectral", temperature={"R": T + 0.3}, points=3001)
    assert float(near.entropy_production) == pytest.approx(
        near.contact_entropy_production.sum() + near.node_entropy_production.sum(),
        rel=3e-3, abs=0)
    # heat P deposited in a node (a laser: no entropy of its own) ends in the reservoirs at
    # T0: P/T0 produced
    dev = Device(temperature=T, regime="noninteracting")
    link = ContactParameters.spin_independent(conductance=1e-2, temperature=T)
    dev.add_node("L", "normal", reservoir=True)
    dev.add_node("N", "normal", heat=1e-7)
    dev.add_node("R", "normal", reservoir=True)
    dev.add_contact("L", "N", link)
    dev.add_contact("R", "N", link)
    heated = dev.finalize().solve(method="spectral", relaxation={"N": 1.0})
    assert float(heated.entropy_production) == pytest.approx(1e-7 / T, rel=1e-6, abs=0)


@pytest.mark.parametrize("relaxed", [False, True])
def test_onsager_reciprocity_of_the_energy_resolved_solver(relaxed):
    """Small biases on a non-collinear valve with energy-dependent conductances: the charge
    current driven by ΔT/T equals the heat current driven by ΔV with all magnetizations
    reversed, L_IT(m) = L_QV(−m) (Onsager–Casimir), elastic and with strong relaxation."""
    from spincaloric.solvers.spectral import solve_relaxed

    c = ContactParameters.from_paper(conductance=1e-2, polarization=0.6, mixing=0.8,
                                     mixing_imag=0.2, seebeck=-15e-6,
                                     polarization_derivative=0.9, mixing_derivative=0.3,
                                     mixing_imag_derivative=0.1, temperature=T)
    c2 = ContactParameters.from_paper(conductance=2e-2, polarization=0.3, mixing=1.1,
                                      seebeck=5e-6, polarization_derivative=-0.2,
                                      mixing_derivative=0.9, temperature=T)

    def solve(sign, dv=0.0, dt=0.0):
        dev = Device(temperature=T, regime="noninteracting")
        dev.add_node("L", "ferromagnet", reservoir=True, magnetization=[0, 0, sign])
        dev.add_node("N", "normal")
        dev.add_node("R", "ferromagnet", reservoir=True,
                     magnetization=[sign * 0.8, sign * 0.3, sign * 0.5], voltage=-dv,
                     temperature=T + dt)
        dev.add_contact("L", "N", c)
        dev.add_contact("R", "N", c2)
        circuit = dev.finalize()
        sol = (solve_relaxed(circuit, {"N": 1.0}, points=4001, tol=1e-10)[0] if relaxed
               else solve_elastic(circuit, points=4001))
        return _reservoir_flows(sol)["R"]

    dv, dt = 1e-6, 1e-3  # central differences: the second-order (Joule) terms cancel
    i_t = (solve(+1, dt=dt)[0] - solve(+1, dt=-dt)[0]) / (2 * dt / T)  # A per unit ΔT/T
    q_v = (solve(-1, dv=dv)[1] - solve(-1, dv=-dv)[1]) / (2 * dv)  # W per V
    assert i_t == pytest.approx(q_v, rel=1e-8, abs=0)
    assert abs(i_t) > 0


@pytest.mark.parametrize("t0", [300.0, 30.0])
def test_node_state_of_a_spin_split_fermi_gas_is_its_own_parameters(t0):
    """A node distribution that is exactly a spin-split Fermi gas (μ_σ = eV_c ± eV_s/2 and
    T_σ = T_c ± T_s/2 along a direction s) is reported as those parameters: the energy moment
    of f_c contains e²V_s²/8 and k_B²T_s²/4 besides (eV_c)²/2 (leaving them out put a node with
    a 20 mV spin accumulation 8 K too hot)."""
    from spincaloric.constants import BOLTZMANN, ELEMENTARY_CHARGE
    from spincaloric.solvers.spectral import SpectralSolution, as_solution

    e, k = ELEMENTARY_CHARGE, BOLTZMANN
    dev = Device(temperature=t0)
    dev.add_node("a", "normal", reservoir=True)
    dev.add_node("n", "normal")
    dev.add_contact("a", "n", ContactParameters.spin_independent(conductance=1e-2,
                                                                temperature=t0))
    circuit = dev.finalize()
    v_c, v_s, t_c, t_s = 3e-3, 20e-3, 1.3 * t0, 0.4 * t0
    s = np.array([2.0, -1.0, 2.0]) / 3.0
    eps = np.linspace(-1, 1, 400_001) * (60 * k * t_c + 0.05 * e)

    def fermi(mu, t):
        return 0.5 * (1 - np.tanh((eps - mu) / (2 * k * t)))

    f_up = fermi(e * (v_c + v_s / 2), t_c + t_s / 2)
    f_dn = fermi(e * (v_c - v_s / 2), t_c - t_s / 2)
    f0 = fermi(0.0, t0)
    dist = np.zeros((eps.size, 2, 4))
    dist[:, 0, 0] = f0
    dist[:, 1, 0] = (f_up + f_dn) / 2
    dist[:, 1, 1:] = (f_up - f_dn)[:, None] * s
    sol = SpectralSolution(circuit, eps, dist, np.zeros((eps.size, 1, 4)), np.zeros((1, 8)),
                           deviations=dist - np.stack([f0, 0 * f0, 0 * f0, 0 * f0], -1)[:, None])
    node = as_solution(sol).nodes["n"]
    assert -float(node.voltage) == pytest.approx(v_c, rel=1e-9, abs=0)  # electric potential
    np.testing.assert_allclose(node.spin_accumulation, v_s * s, rtol=1e-9, atol=0)
    assert float(node.temperature) == pytest.approx(t_c, rel=1e-8, abs=0)
    np.testing.assert_allclose(node.spin_temperature, t_s * s, rtol=1e-8, atol=0)


@pytest.mark.parametrize("call, match", [
    (dict(window=-40), r"^window: must be between 18 and 1000"),
    (dict(window=2), r"^window: must be between 18"),
    (dict(window=float("nan")), r"^window: must be between 18"),
    (dict(points=2), r"^points: must be an integer of at least 3"),
    (dict(points=11), r"^points: the energy step .* exceeds k_B T .* use at least \d+ points"),
    (dict(points=2.5e3), r"^points: must be an integer"),
    (dict(energies=np.linspace(-2, 2, 401) * 4.1e-21), r"^energies: the grid spans"),
    (dict(energies=np.linspace(0, 40, 801) * 4.1e-21), r"^energies: the grid spans"),
    (dict(voltage={"R": float("nan")}), r"^voltage\.R: must be finite \(V\)"),
    (dict(voltage={"R": np.inf}), r"^voltage\.R: must be finite \(V\)"),
    (dict(voltage={"R": [1e-3, 2e-3]}), r"^voltage\.R: must be one number"),
    (dict(temperature={"R": -10.0}), r"^temperature\.R: must be at least 0.001 K"),
    (dict(temperature={"R": 0.0}), r"^temperature\.R: must be at least 0.001 K"),
    (dict(temperature={"R": float("nan")}), r"^temperature\.R: must be at least 0.001 K"),
    (dict(curvature={5: (0.0, 0.0, 0.0)}), r"^curvature\[5\]: no such contact"),
    (dict(curvature={0: (float("nan"), 0.0, 0.0)}), r"^curvature\[0\]: must be finite"),
    (dict(curvature={0: "big"}), r"^curvature\[0\]: give"),
])
def test_elastic_solver_refuses_grids_and_biases_that_cannot_be_right(call, match):
    """Each of these used to return a number (a reversed grid flipped the current's sign,
    points = 11 doubled it, a negative temperature gave a finite current 300× too large) or a
    raw IndexError."""
    with pytest.raises(DeviceError, match=match):
        solve_elastic(valve(-4e-6, dv=1e-4, dt=0.5), **call)


@pytest.mark.parametrize("call, match", [
    (dict(relaxation={"N": -0.01}), r"^relaxation\.N: must be a positive, finite conductance"),
    (dict(relaxation={"N": float("nan")}), r"^relaxation\.N: must be a positive"),
    (dict(relaxation={"N": 1.0}, phonons={"N": float("inf")}), r"^phonons\.N: must be a posi"),
    (dict(relaxation={"N": 1.0}, tol=-1.0), r"^tol: must be a relative tolerance"),
    (dict(relaxation={"N": 1.0}, tol=float("nan")), r"^tol: must be a relative tolerance"),
    (dict(relaxation={"N": 1.0}, max_iter=-1), r"^max_iter: must be a whole number"),
    (dict(relaxation={"N": 1.0}, window=-1), r"^window: must be between 18"),
    (dict(relaxation={"N": 1.0}, temperature={"R": -5.0}), r"^temperature\.R: must be at le"),
    # 10¹⁵ S beside contacts of ~10⁻² S: did not converge, advising more Newton steps
    (dict(relaxation={"N": 1e15}), r"^relaxation\.N: 1e\+15 S is \S+ times the conductance of "
                                   r"the node's contacts .* give at most"),
])
def test_relaxed_solver_refuses_settings_that_cannot_be_right(call, match):
    from spincaloric.solvers.spectral import solve_relaxed

    with pytest.raises(DeviceError, match=match):
        solve_relaxed(valve(-4e-6, dv=1e-4, dt=0.5), points=801, **call)


def test_a_table_must_hold_the_fermi_window_of_a_joule_heated_node():
    """1 K leads and a 10 mV bias heat the node to ~30 K: a table that covers the leads'
    window (18 k_B·1 K + 10 mV) but not the node's is refused — it used to be extrapolated
    by the spline's edge values (0.1 % off in I, 0.3 % in Q); a wide table is accepted."""
    from spincaloric.circuit.conductance_spectra import ConductanceSpectrum, required_span
    from spincaloric.constants import ELEMENTARY_CHARGE as E
    from spincaloric.solvers.spectral import solve_relaxed

    def table(scale, a, b, half):
        eps = np.linspace(-half, half, 801)
        x = eps / (0.02 * E)
        g = scale * (1 + a * x + b * x * x)
        return ConductanceSpectrum(eps, g / 2, g / 2, g / 2 + 0j)

    def wire(half):
        dev = Device(temperature=1.0)
        dev.add_node("a", "normal", reservoir=True, voltage=-1e-2)
        dev.add_node("b", "normal", reservoir=True)
        dev.add_node("n", "normal")
        dev.add_contact("a", "n", spectrum=table(1e-2, 0.5, 0.3, half))
        dev.add_contact("n", "b", spectrum=table(3e-2, -0.3, 0.1, half))
        return dev.finalize()

    from spincaloric.errors import FieldError

    narrow = 1.05 * required_span(1.0, 10e-3 * E)
    with pytest.raises(FieldError, match=r"^contacts\[0\]\.spectrum: the table spans .* need"):
        solve_relaxed(wire(narrow), {"n": 10.0}, points=4001, tol=1e-9)
    _, targets = solve_relaxed(wire(0.3 * E), {"n": 10.0}, points=4001, tol=1e-9)
    assert targets["n"][1] > 25.0  # the node is hot: its window is what the table must hold


def test_a_sweep_of_an_energy_resolved_device_solves_every_point_energy_by_energy(tmp_path):
    """`sweep` of a regime = "spectral" file gives, point by point, what `solve` gives (the
    energy-resolved solver) — not the linear response (4 % apart at 0.1 V) — and says nothing
    about linear response; a dynamic magnet in such a file is refused by every command."""
    import json

    from click.testing import CliRunner

    import spincaloric as sc
    from spincaloric.cli import main
    from spincaloric.io import load_dataset

    text = (EXAMPLES / "valve_spectral.toml").read_text()
    text = text.replace("voltage = -1.0e-6", "voltage = -0.1").replace(
        "temperature = 300.001", "temperature = 300.0")
    path = tmp_path / "vs.toml"
    path.write_text(text)
    runner = CliRunner()
    doc = json.loads(runner.invoke(main, ["solve", "--json", str(path)]).stdout)
    out = tmp_path / "vs.nc"
    res = runner.invoke(main, ["sweep", str(path), "--vary", "right.voltage=-0.1,-0.05",
                               "-o", str(out)])
    assert res.exit_code == 0 and "warning" not in res.stderr, res.output
    ds = load_dataset(out)
    current = pick(ds, "left->spacer.charge_current").values
    assert current[0] == pytest.approx(doc["contacts"][0]["charge_current"], rel=1e-12, abs=0)
    np.testing.assert_allclose(pick(ds, "right.torque").values[0], doc["torques"]["right"],
                               rtol=1e-12, atol=1e-35)
    linear = sc.load_device(path).finalize().solve(voltage={"right": -0.1}, method="auto")
    assert abs(current[0] / float(linear.contacts[0].charge_current) - 1) > 0.01
    dynamic = text + ('\n[nodes.right.magnet]\nsaturation_magnetization = 1.1e6\n'
                      'volume = 1e-24\ndamping = 0.01\n')
    path.write_text(dynamic)
    for command in ("check", "solve", "run"):
        res = runner.invoke(main, [command, str(path)])
        assert res.exit_code == 2 and res.stderr.startswith(f"error: {path}: regime: the "
                                                            "magnetization dynamics"), res.output


def test_a_layered_device_beyond_the_dense_limit():
    """Co | Cu | Co cut into 30 cells, the magnets at 90°, relaxation in a normal and a
    ferromagnetic cell: more unknowns per energy than the dense limit (the sparse solve by
    default), the same deviations on both paths (the fixture); without relaxation the charge
    current is the same through every contact of the stack (particle conservation)."""
    from spincaloric.circuit.system import kirchhoff_system
    from spincaloric.layers import BulkMaterial, Interface, Layer, Lead, multilayer
    from spincaloric.solvers.spectral import equilibrium_deviation

    co = BulkMaterial(resistivity=60e-9, spin_flip_length=60e-9, spin_asymmetry=0.46,
                      seebeck=-20e-6, spin_seebeck=-4e-6)
    cu = BulkMaterial(resistivity=6e-9, spin_flip_length=350e-9, seebeck=1.8e-6)
    link = Interface(ContactParameters.from_paper(
        conductance=1.0, polarization=0.5, mixing=0.7, seebeck=-5e-6,
        polarization_derivative=0.5, mixing_derivative=0.1, temperature=T))
    circuit = multilayer([Lead("bottom", voltage=1e-3), Layer("fixed", co, 20e-9, cells=10,
                                                             magnetization=(0, 0, 1)), link,
                          Layer("spacer", cu, 10e-9, cells=10), link,
                          Layer("free", co, 10e-9, cells=10, magnetization=(1, 0, 0)),
                          Lead("top", temperature=T + 5)], area=1e-16, temperature=T,
                         regime="spectral").finalize()
    assert kirchhoff_system(circuit, 4).act.sum() > DEFAULT_DENSE_LIMIT
    sol = solve_elastic(circuit, points=1001)
    charge = sol.currents[:, 0]
    # round-off: ε times the spread of the conductances (the resistance-free links between
    # layers conduct 6e6 times more than a Co cell), observed 1.2 ε G_max/G_min
    g = np.concatenate([kind.conductance for kind in circuit.kinds])
    np.testing.assert_allclose(charge, charge[0], rtol=10 * np.finfo(float).eps * g.max() / g.min(),
                               atol=0)
    assert abs(charge[0]) > 0
    eps = sol.energies
    spacer, free = [n for n in circuit.names if n.startswith("spacer")][3], \
        [n for n in circuit.names if n.startswith("free")][4]
    probes = [(spacer, 1.0, equilibrium_deviation(eps, 2e-4 * 1.6e-19, T + 2, [0, 0, 0], T)),
              (free, 0.5, equilibrium_deviation(eps, 0.0, T, [1e-5 * 1.6e-19, 0, 0], T))]
    relaxed = solve_elastic(circuit, energies=eps, probes=probes)
    assert np.abs(relaxed.deviations - sol.deviations).max() > 1e-6  # the probes act


def test_a_misspelt_relaxation_node_gets_its_close_match():
    import copy

    from spincaloric.io import device_from_dict, read_toml

    data = read_toml(Path(__file__).parent.parent / "examples" / "devices"
                     / "valve_spectral.toml")
    bad = copy.deepcopy(data)
    bad["spectral"]["relaxation"] = {"spacr": 1e-3}
    with pytest.raises(DeviceError, match=r"^spectral\.relaxation\.spacr: unknown internal "
                       r"node; did you mean spacer\?"):
        device_from_dict(bad)


def test_a_tabulated_contact_between_two_reservoirs_solves(tmp_path):
    """No internal node: the span a spectrum must cover is the reservoirs' (it was the max of
    an empty list). The open circuit's voltage makes the contact's charge current vanish to
    the solver's tolerance, and heat flows from the hotter side."""
    import shutil

    from spincaloric.io import load_spec

    devices = Path(__file__).parent.parent / "examples" / "devices"
    shutil.copy(devices / "van_hove_spectrum.dat", tmp_path)
    (tmp_path / "vh.toml").write_text(
        'temperature = 300.0\nregime = "spectral"\n[spectral]\npoints = 2001\n'
        '[nodes.F]\ntype = "ferromagnet"\nreservoir = true\nmagnetization = [0, 0, 1]\n'
        '[nodes.N]\ntype = "normal"\nreservoir = true\ncurrent = 0.0\ntemperature = 301.0\n'
        '[[contacts]]\nbetween = ["F", "N"]\nspectrum = "van_hove_spectrum.dat"\n'
        'area = 1.0e-16\n')
    spec = load_spec(tmp_path / "vh.toml")
    sol = spec.device.finalize().solve(method="spectral")
    (contact,) = sol.contacts
    assert contact.between == ("F", "N") and float(contact.heat_current) < 0  # N is hotter
    assert np.isfinite(sol.currents).all()
    # open: no charge current, but for the Newton tolerance, against the spin current (A)
    # the thermal bias drives through the same contact
    assert abs(float(contact.charge_current)) < 1e-5 * abs(contact.spin_current[2])


def test_the_largest_relaxation_allowed_solves_as_a_thermalized_node():
    """At the bound (10⁸ times the node's contacts' conductance) the relaxed solve converges
    to the currents of a node relaxed 100 times more weakly, to 10⁻⁷: both are thermalized,
    to ~10⁻⁸ and ~10⁻⁶ of the contacts' share; beyond the bound it is refused (above)."""
    from spincaloric.solvers.spectral import RESOLVABLE_RELAXATION, solve_relaxed

    circuit = valve(-4e-6, dv=1e-4, dt=0.5)
    top = RESOLVABLE_RELAXATION * 2e-2  # the two contacts' 10⁻² S each
    strong, _ = solve_relaxed(circuit, {"N": top}, points=801)
    weaker, _ = solve_relaxed(circuit, {"N": top / 100}, points=801)
    np.testing.assert_allclose(strong.currents, weaker.currents, rtol=1e-7,
                               atol=1e-7 * np.abs(weaker.currents).max())
