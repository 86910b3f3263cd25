"""Random valid contacts and circuits for property tests (shared by several test modules)."""

from __future__ import annotations

import numpy as np

from spincaloric import ContactParameters, Device

T0 = 300.0


def random_contact(rng: np.random.Generator, temperature: float = T0,
                   imaginary: bool = True) -> ContactParameters:
    """A random contact obeying the second law (S in tens of µV/K, G around 10 mS)."""
    g = 10 ** rng.uniform(-3, -1)
    im = rng.uniform(-0.3, 0.3) if imaginary else 0.0
    imd = rng.uniform(-0.5, 0.5) if imaginary else 0.0
    kw = dict(conductance=g, polarization=rng.uniform(-0.9, 0.9), mixing=rng.uniform(0.1, 2.5),
              polarization_derivative=rng.uniform(-2, 2), mixing_derivative=rng.uniform(-3, 3),
              mixing_imag=im, mixing_imag_derivative=imd, temperature=temperature)
    s = rng.uniform(-40e-6, 40e-6)
    for _ in range(60):
        p = ContactParameters.from_paper(seebeck=s, **kw)
        try:
            p.validate(temperature)
            return p
        except ValueError:
            s *= 0.7
    raise AssertionError("could not draw a valid contact")  # pragma: no cover


def random_junction(rng: np.random.Generator, temperature: float = T0):
    """A random F|I|F tunnel junction obeying the second law: each channel pair's thermopower
    is drawn within ±60 µV/K and the moment derivatives follow from the pairs' W'."""
    from spincaloric.circuit.junctions import JunctionParameters
    from spincaloric.constants import ELEMENTARY_CHARGE, LORENZ

    g0 = 10 ** rng.uniform(-3, -1)
    pa, pb = rng.uniform(-0.9, 0.9, size=2)
    signs = np.array([(s, t) for s in (1, -1) for t in (1, -1)], float)
    h = np.column_stack([np.ones(4), signs[:, 0], signs[:, 1], signs[:, 0] * signs[:, 1]])
    w = h @ np.array([g0, g0 * pa, g0 * pb, g0 * pa * pb])  # pair conductances
    dw = -rng.uniform(-60e-6, 60e-6, size=4) * w / (ELEMENTARY_CHARGE * LORENZ * temperature)
    return JunctionParameters(g0, pa, pb, *np.linalg.solve(h, dw))


def random_unit(rng: np.random.Generator, shape=()) -> np.ndarray:
    v = rng.normal(size=tuple(shape) + (3,))
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _random_relaxation(rng: np.random.Generator, sinks: bool, hanle: bool) -> dict:
    """Random spin flip (S), phonon bath and spin-heat relaxation (W/K) of an internal node,
    each with probability 0.4 if ``sinks``; ``hanle``: spin flip and a random field (T) with
    τ_sf = 10 ps (ω_L τ_sf of order one)."""
    relax = {}
    if sinks:  # spin flip, phonon bath and spin-heat relaxation on some nodes
        for key, scale in (("spin_flip", 1e-2), ("bath", 1e-9), ("spin_heat_relaxation", 1e-9)):
            if rng.random() < 0.4:
                relax[key] = scale * 10 ** rng.uniform(-2, 0)
    if hanle:  # (extra draws only here: other circuits stay what they were)
        relax["spin_flip"] = 1e-2 * 10 ** rng.uniform(-2, 0)
        relax["hanle_field"] = rng.normal(size=3)  # T; γ τ |B| ~ 2
        relax["spin_lifetime"] = 1e-11
    return relax


def random_device(rng: np.random.Generator, regime: str, n_internal: int = 3,
                  n_reservoirs: int = 3, imaginary: bool = True, sinks: bool = True,
                  junctions: bool = False, current_lead: bool = False,
                  hanle: bool = False) -> Device:
    """A random connected multi-terminal circuit with F and N nodes; two ferromagnets are
    joined by a tunnel junction if ``junctions``, else never directly; the last reservoir is
    current-biased (a random current, A) if ``current_lead``; ``hanle`` puts every normal
    internal node in a random field (ω_L τ_sf of order one) with spin flip."""
    dev = Device(temperature=T0, regime=regime, title="random")
    names = []
    for i in range(n_reservoirs):
        ferro = rng.random() < 0.6
        name = f"r{i}"
        bias = (dict(current=rng.normal() * 1e-4) if current_lead and i == n_reservoirs - 1
                else dict(voltage=rng.normal() * 1e-3))
        dev.add_node(name, "ferromagnet" if ferro else "normal", reservoir=True,
                     temperature=T0 + rng.normal(),
                     magnetization=random_unit(rng) if ferro else None, **bias)
        names.append(name)
    internal = []
    for i in range(n_internal):
        # keep at least one normal node; more ferromagnets when junctions may join them
        ferro = i > 0 and rng.random() < (0.6 if junctions else 0.35)
        name = f"n{i}"
        relax = _random_relaxation(rng, sinks, hanle and not ferro)
        dev.add_node(name, "ferromagnet" if ferro else "normal",
                     magnetization=random_unit(rng) if ferro else None, **relax)
        internal.append(name)
    kinds = {k: v.kind for k, v in dev.nodes.items()}
    normals = [n for n in internal if kinds[n] == "normal"]

    def join(a, b):
        if kinds[a] == "ferromagnet" and kinds[b] == "ferromagnet":
            if junctions:
                dev.add_contact(a, b, random_junction(rng))
                return
            b = normals[rng.integers(len(normals))]
        if a == b:
            return
        # lattice heat in parallel with every other contact (W/K), 0.3 L0 T G: no extra random
        # draws, so the circuits of given seeds stay what they were
        lorenz = (np.pi**2 / 3) * (1.380649e-23 / 1.602176634e-19) ** 2
        every_other = len(dev.contacts) % 2 == 0
        if kinds[a] == "normal" and kinds[b] == "normal":
            p = ContactParameters.spin_independent(
                conductance=10 ** rng.uniform(-3, -1), seebeck=rng.uniform(-20e-6, 20e-6),
                temperature=T0)
            pair = (a, b)
        else:
            pair = (a, b) if rng.random() < 0.5 else (b, a)
            p = random_contact(rng, imaginary=imaginary)
        lattice = 0.3 * lorenz * T0 * (p.g_up + p.g_down) if every_other else 0.0
        dev.add_contact(*pair, p, heat_conductance=lattice)

    # a spanning chain through all internal nodes, every reservoir attached, plus extras
    order = list(rng.permutation(internal))
    for a, b in zip(order, order[1:]):
        join(a, b)
    for r in names:
        join(r, internal[rng.integers(len(internal))])
    for _ in range(n_internal):
        a, b = rng.choice(internal + names, size=2, replace=False)
        if not (dev.nodes[a].reservoir and dev.nodes[b].reservoir):
            join(str(a), str(b))
    return dev


def random_circuit(rng: np.random.Generator, regime: str, **kw):
    """A finalized random circuit (redraws the rare disconnected topology)."""
    from spincaloric import DeviceError

    for _ in range(50):
        try:
            return random_device(rng, regime, **kw).finalize()
        except DeviceError:
            continue
    raise AssertionError("no connected circuit drawn")  # pragma: no cover


def reference_solve(circuit, magnetization=None):
    """Independent reference: full 8-component unknowns per internal node, constraints as rows.

    Instead of the solver's projection onto a node basis, every internal node keeps all 8
    theory variables; a ferromagnet gets explicit constraint rows (no transverse spin
    accumulation or spin temperature) and only its longitudinal balance rows; the thermalized
    regime adds T⃗_s = 0 rows. One dense solve, point by point. Returns (X (n, 8), J (c, 8)).
    """
    from spincaloric.circuit.contacts import response_matrix
    from spincaloric.circuit.junctions import junction_response

    c = circuit
    mag = np.array(c.magnetization, dtype=float)
    for k, v in (magnetization or {}).items():
        mag[c.index[k]] = np.asarray(v) / np.linalg.norm(v)
    n = c.n_nodes
    ks = []  # (K for the first end, K for the second end) of every contact
    for i, (a, b) in enumerate(c.ends):
        if c.junction[i]:
            ks.append(junction_response(c.junction_moments[i], c.junction_derivatives[i],
                                        mag[a], mag[b], c.temperature))
            continue
        f = c.magnet_of_contact[i]
        m = mag[f] if f >= 0 else np.array([0.0, 0.0, 1.0])
        k = response_matrix(c.g_up[i], c.g_down[i], c.g_mix[i], c.dg_up[i], c.dg_down[i],
                            c.dg_mix[i], m, c.temperature)
        k[4, 4] += c.heat_conductance[i]  # the lattice's heat, in parallel
        ks.append((k, k))
    size = 8 * n
    # outflow operator: rows = node balances (8n), cols = all node states (8n)
    out = np.zeros((size, size))
    for i, (a, b) in enumerate(c.ends):
        k_a, k_b = ks[i]
        for row, s in ((a, 1.0), (b, -1.0)):
            out[8 * row:8 * row + 8, 8 * a:8 * a + 8] += s * k_a
            out[8 * row:8 * row + 8, 8 * b:8 * b + 8] -= s * k_b
    lorenz = (np.pi**2 / 3) * (1.380649e-23 / 1.602176634e-19) ** 2
    for node in range(n):  # relaxation in the nodes: a sink on the node's own balance
        # (spin flip is elastic: it sinks the spin temperature too, at L0 T G_sf)
        spin_heat = c.spin_heat_relaxation[node] + lorenz * c.temperature * c.spin_flip[node]
        for comps, g in (((1, 2, 3), c.spin_flip[node]), ((4,), c.bath[node]),
                         ((5, 6, 7), spin_heat)):
            for comp in comps:
                out[8 * node + comp, 8 * node + comp] += g
        # Hanle precession: the spin balance loses −Ω × V_s (and −L0 T Ω × T_s)
        cross = np.cross(c.precession[node], np.eye(3)).T  # column j: Ω × e_j
        out[8 * node + 1:8 * node + 4, 8 * node + 1:8 * node + 4] -= cross
        out[8 * node + 5:8 * node + 8, 8 * node + 5:8 * node + 8] -= (
            lorenz * c.temperature * cross)
    rows, rhs = [], []
    ni = c.regime == "noninteracting"
    for node in range(n):
        e = np.zeros((8, size))
        e[:, 8 * node:8 * node + 8] = np.eye(8)
        if c.reservoir[node]:
            fixed = np.zeros(8)
            fixed[0] = c.reservoir_voltage[node]
            fixed[4] = c.reservoir_temperature[node] - c.temperature
            rows.extend(e); rhs.extend(fixed)
            continue
        bal = out[8 * node:8 * node + 8]
        if c.ferromagnet[node]:
            m = mag[node]
            # two vectors spanning the plane transverse to m
            t1 = np.cross(m, [1.0, 0, 0] if abs(m[0]) < 0.9 else [0, 1.0, 0])
            t1 /= np.linalg.norm(t1)
            t2 = np.cross(m, t1)
            rows += [bal[0], m @ bal[1:4], bal[4]]
            rows += [t1 @ e[1:4], t2 @ e[1:4], t1 @ e[5:8], t2 @ e[5:8]]
            rows += [m @ bal[5:8]] if ni else [m @ e[5:8]]
            rhs += [0.0] * 8
        else:
            rows += list(bal[:5])
            rows += list(bal[5:8]) if ni else list(e[5:8])
            rhs += [0.0] * 8
    x = np.linalg.solve(np.array(rows), np.array(rhs)).reshape(n, 8)
    j = np.array([ks[i][0] @ x[a] - ks[i][1] @ x[b] for i, (a, b) in enumerate(c.ends)])
    return x, j


def node_outflow(circuit, j):
    """(..., n, 8) net current leaving each node through its contacts."""
    out = np.zeros(j.shape[:-2] + (circuit.n_nodes, 8))
    for k, (a, b) in enumerate(circuit.ends):
        out[..., a, :] += j[..., k, :]
        out[..., b, :] -= j[..., k, :]
    return out


def node_sinks(circuit, x):
    """(..., n, 8) what the nodes' relaxation removes: G_sf V⃗_s, G_ph ΔT, G_sh T⃗_s."""
    g = np.zeros((circuit.n_nodes, 8))
    g[:, 1:4] = circuit.spin_flip[:, None]
    g[:, 4] = circuit.bath
    lorenz = (np.pi**2 / 3) * (1.380649e-23 / 1.602176634e-19) ** 2  # elastic spin flip:
    g[:, 5:8] = (circuit.spin_heat_relaxation  # it relaxes T⃗_s at L0 T G_sf as well
                 + lorenz * circuit.temperature * circuit.spin_flip)[:, None]
    out = g * x
    # Hanle precession turns V⃗_s and T⃗_s: −Ω⃗ × V⃗_s, −L0 T Ω⃗ × T⃗_s
    out[..., 1:4] -= np.cross(circuit.precession, x[..., 1:4])
    out[..., 5:8] -= lorenz * circuit.temperature * np.cross(circuit.precession, x[..., 5:8])
    return out


def magnets_of(c):
    """One node of every magnet, skipping magnets joined by a junction to one taken."""
    taken, groups = [], set()
    for name in c.magnets:
        i = c.index[name]
        joined = {int(x) for k in np.flatnonzero(c.junction) if i in c.ends[k]
                  for x in c.ends[k]}
        if int(c.magnet_group[i]) not in groups and not joined & {c.index[t] for t in taken}:
            taken.append(name)
            groups.add(int(c.magnet_group[i]))
    return taken
