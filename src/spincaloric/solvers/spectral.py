r"""Energy-resolved circuit theory in the elastic limit (no energy relaxation in the nodes).

Beyond the Sommerfeld expansion: every node carries a 2×2 distribution per energy,
f̂(ε) = f_c(ε) 1 + σ·f⃗_s(ε), and eq. (1) of the paper holds at every energy,

.. math::

    \hat\imath(\varepsilon) = \sum_{\sigma\sigma'} G^{\sigma\sigma'}(\varepsilon)\,
    \hat u^\sigma\,[\hat f_F(\varepsilon) - \hat f_N(\varepsilon)]\,\hat u^{\sigma'},

with conductances linear in energy, G(ε) = G + G' ε (ε measured from μ0) — or, beyond it, with
a curvature G'' or a tabulated spectrum (:mod:`spincaloric.circuit.conductance_spectra`) — reservoirs in exact
Fermi–Dirac equilibrium at their own μ and T (so the result is nonlinear in the bias: Joule
heating included), and particle and spin conservation at every energy in every internal node.
This is the elastic (τ_ee, τ_ep → ∞) limit; :func:`solve_relaxed` adds electron–electron and
electron–phonon relaxation in the nodes.
Currents: I = (1/e)∫ i dε (A), Q = (1/e²)∫ (ε − μ0) i dε (W), in the theory sign convention.

The state of a node at one energy is x = (f_c, f⃗_↑−↓) with f⃗_↑−↓ = 2 f⃗_s, so that the 4×4
spin-space block of :func:`spincaloric.circuit.contacts.spin_space_block` is the spectral conductance.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..circuit.backends import register
from ..circuit.contacts import spin_space_block
from ..circuit.device import Circuit, DeviceError
from ..circuit.drives import drive_layout
from ..circuit.system import kirchhoff_system
from ..constants import BOLTZMANN, ELEMENTARY_CHARGE, LORENZ
from ..errors import unknown
from ..linear_response import LinearResponseWarning
from .linear import (
    assemble_dense,
    contact_currents,
    node_bases,
    per_contact,
    scatter,
    sparse_values,
)


@dataclass(frozen=True)
class SpectralSolution:
    """energies (K,) J from μ0; distributions (K, n, 4): (f_c, f⃗_↑−↓) of every node;
    currents (c, 8): (I_c [A], I⃗_s [A], Q_c [W], Q⃗_s [W]) of every contact, theory signs;
    spectral_currents (K, c, 4): the charge and spin spectral currents (S); deviations
    (K, n, 4): the distributions minus the equilibrium f0(ε) at μ0, T0 (computed directly)."""

    circuit: Circuit
    energies: np.ndarray
    distributions: np.ndarray
    spectral_currents: np.ndarray
    currents: np.ndarray
    deviations: np.ndarray | None = None
    lead_mu: np.ndarray | None = None  # (n,) μ − μ0 of the reservoirs used (J; 0 elsewhere)
    lead_temperature: np.ndarray | None = None  # (n,) their temperatures (K; T0 elsewhere)

    def to_xarray(self):
        """The distributions as a labelled :class:`xarray.Dataset`: ``distribution`` and
        ``deviation`` (from the equilibrium f0 at μ0, T0) over (energy [eV from μ0], node,
        component = c, x, y, z for f_c and f⃗_↑−↓ = f⃗_↑ − f⃗_↓), and ``spectral_current``
        (S) of the contacts over (energy, contact, component); write with
        :func:`spincaloric.io.save_dataset`."""
        import xarray as xr

        c = self.circuit
        comp = ["c", "x", "y", "z"]
        contacts = [f"{c.names[a]}->{c.names[b]}" for a, b in c.ends]
        ds = xr.Dataset(
            {"distribution": (("energy", "node", "component"), self.distributions,
                              {"units": "1", "long_name": "occupation f_c and f_up - f_down"}),
             "deviation": (("energy", "node", "component"), self.deviations,
                           {"units": "1", "long_name": "distribution minus f0(mu0, T0)"}),
             "spectral_current": (("energy", "contact", "component"), self.spectral_currents,
                                  {"units": "S", "long_name": "charge and spin spectral "
                                   "current (theory signs), I = (1/e) integral dE"})},
            coords={"energy": ("energy", self.energies / ELEMENTARY_CHARGE,
                               {"units": "eV", "long_name": "energy from mu0"}),
                    "node": list(c.names), "contact": contacts, "component": comp},
            attrs={"temperature_K": c.temperature, "title": c.title,
                   "internal_nodes": ", ".join(c.names[i] for i in c.internal),
                   "description": "spincaloric energy-resolved distributions"})
        return ds


def fermi(energy, mu, temperature):
    """Fermi–Dirac occupation at ``energy`` (J) for chemical potential ``mu`` (J) and T (K)."""
    x = (np.asarray(energy) - mu) / (BOLTZMANN * temperature)
    return 0.5 * (1.0 - np.tanh(0.5 * x))


def fermi_deviation(energy, mu, temperature, t0):
    """f(ε; μ, T) − f(ε; 0, T0), computed without cancellation: from the holes (1 − f) below the
    Fermi level and from the electrons above it, where each is exponentially small."""
    from scipy.special import expit

    energy = np.asarray(energy, dtype=float)
    x = (energy - mu) / (BOLTZMANN * temperature)
    x0 = energy / (BOLTZMANN * t0)
    below = expit(x0) - expit(x)  # (1 − f0) − (1 − f)
    above = expit(-x) - expit(-x0)
    return np.where(energy <= 0, below, above)


#: Largest number of active unknowns per energy for which the energy-resolved solver uses one
#: batched dense solve over the grid; beyond it a sparse LU per energy (the two cost the same
#: near 48 unknowns, benchmarks/bench_spectral.py).
DENSE_LIMIT = 48
#: Bytes of working memory a chunk of energies of the sparse solve may use.
_CHUNK_BYTES = 32 * 2**20


# Fermi-window weight beyond this many k_B T of the largest bias is below e^−18 = 1.5e-8:
# grids and tabulated spectra must reach that far
MIN_WINDOW = 18.0


def _check_grid_settings(points, window) -> None:
    """Validate ``points`` (an integer ≥ 3) and ``window`` (≥ MIN_WINDOW, in k_B T)."""
    if isinstance(points, bool) or not isinstance(points, (int, np.integer)) or points < 3:
        raise DeviceError("points", f"must be an integer of at least 3, got {points!r}")
    if points > 1_000_000:
        raise DeviceError("points", f"at most 10⁶ energies, got {points!r}")
    try:
        w = float(window)
    except (TypeError, ValueError):
        raise DeviceError("window", f"must be a number (k_B T), got {window!r}") from None
    if not (np.isfinite(w) and MIN_WINDOW <= w <= 1000):
        raise DeviceError("window", f"must be between {MIN_WINDOW:g} and 1000 (k_B T): the "
                          f"Fermi window reaches beyond {MIN_WINDOW:g} k_B T; got {window!r}")


def _check_resolution(eps, temps, mu, circuit: Circuit) -> None:
    """The grid must reach 18 k_B T beyond the largest bias and resolve the coldest Fermi
    edge (spacing ≤ k_B T: sums then err by ~e^(−2π² k_B T/Δε) < 3e-9)."""
    res = circuit.reservoir
    need = _fermi_window(circuit, mu, temps, MIN_WINDOW)
    if eps[0] > -need * (1 + 1e-12) or eps[-1] < need * (1 + 1e-12):
        e = ELEMENTARY_CHARGE
        raise DeviceError("energies", f"the grid spans [{eps[0] / e:.4g}, {eps[-1] / e:.4g}] "
                          f"eV; the biases and temperatures need ±{need / e:.4g} eV "
                          f"({MIN_WINDOW:g} k_B T beyond the largest bias)")
    kt_min = BOLTZMANN * temps[res].min()
    step = eps[1] - eps[0]
    if step > kt_min:
        wanted = int(np.ceil((eps[-1] - eps[0]) / kt_min)) + 1
        raise DeviceError("points", f"the energy step {step / ELEMENTARY_CHARGE * 1e3:.3g} meV "
                          f"exceeds k_B T = {kt_min / ELEMENTARY_CHARGE * 1e3:.3g} meV of the "
                          f"coldest reservoir: use at least {wanted} points")


def solve_elastic(circuit: Circuit, *, points: int = 2001, window: float = 40.0,
                  voltage=None, temperature=None, probes=None,
                  curvature=None, energies=None) -> SpectralSolution:
    """Solve ``circuit`` energy by energy in the elastic limit.

    points : energy grid size; window : half-width of the grid in units of k_B T_max (plus the
    largest |eV|); ``energies`` (J from μ0, equally spaced) replaces that grid. voltage
    (electric potentials, V) and temperature (K) override reservoirs; a current-biased
    reservoir needs its voltage here (:func:`solve_relaxed` solves for it). A node's
    ``spin_flip`` (S) relaxes its spin distribution at every energy (elastic spin flip, so its
    spin temperature relaxes with it: the spin-heat conductance is L0 T G_sf, and
    ``spin_heat_relaxation`` must be left 0); a node's Hanle precession (``hanle_field``)
    turns its spin distribution at every energy alike; ``bath`` and ``heat`` need inelastic
    relaxation (:func:`solve_relaxed`).
    probes : [(internal node, g (S), δx (K, 4))] extra spin-independent contacts of
        conductance g to a fixed distribution f0 + δx(ε) on this grid (δx: the deviation from
        equilibrium at μ0, T0) — how :func:`solve_relaxed` models relaxation.
    curvature : {contact index: (∂²G↑, ∂²G↓, ∂²G↑↓)} second energy derivatives (S/J²):
        G(ε) = G + G' ε + G'' ε²/2 for that contact (beyond the Sommerfeld expansion).
    Contacts built with a tabulated spectrum (``Device.add_contact(..., spectrum=...)``) use
    the whole table G(ε) instead (it must cover 18 k_B T beyond the largest bias).
    """
    _check_elastic_inputs(circuit, points, window, voltage, temperature, probes, energies)
    mu, temps = _reservoir_bias(circuit, voltage, temperature)
    eps = _energy_grid(circuit, points, window, voltage, temperature, energies, mu, temps)
    # unknowns are deviations from the equilibrium f0(ε) at μ0, T0 (itself a solution): no
    # cancellation between occupations close to 1 deep below the Fermi level
    fixed = _reservoir_deviations(circuit, eps, mu, temps)
    k, k_b = _spectral_blocks(circuit, eps, mu, temps, curvature)
    dev = _node_deviations(circuit, k, k_b, fixed, probes)
    dist = dev.copy()
    dist[:, :, 0] += fermi(eps, 0.0, circuit.temperature)[:, None]
    spectral = contact_currents(circuit, (k, k_b), dev)  # (K, c, 4), S
    e, de = ELEMENTARY_CHARGE, eps[1] - eps[0]
    currents = np.zeros((circuit.n_contacts, 8))  # I = (1/e)∫ i dε, Q = (1/e²)∫ ε i dε
    currents[:, :4] = spectral.sum(axis=0) * de / e
    currents[:, 4:] = (eps[:, None, None] * spectral).sum(axis=0) * de / e**2
    return SpectralSolution(circuit, eps, dist, spectral, currents, dev,
                            np.where(circuit.reservoir, mu, 0.0),
                            np.where(circuit.reservoir, temps, circuit.temperature))


def _check_elastic_inputs(circuit: Circuit, points, window, voltage, temperature, probes,
                          energies) -> None:
    """The arguments of :func:`solve_elastic` that need no grid: bias overrides, grid
    settings (unless ``energies`` are given), current-biased reservoirs (their voltage, V,
    must be given) and node properties the elastic limit cannot honour (unless ``probes``
    model relaxation, as :func:`solve_relaxed` does)."""
    _reservoir_bias(circuit, voltage, temperature)  # validates them
    if energies is None:
        _check_grid_settings(points, window)
    for k in np.flatnonzero(circuit.current_biased):
        if circuit.names[k] not in (voltage or {}):
            raise DeviceError(f"nodes.{circuit.names[k]}.current", "a current-biased "
                              "reservoir: solve_relaxed solves for its voltage")
    _check_spectral_nodes(circuit, elastic=probes is None)  # solve_relaxed passes probes


def _reservoir_bias(circuit: Circuit, voltage, temperature) -> tuple[np.ndarray, np.ndarray]:
    """(μ − μ0 (J), T (K)) of every node's reservoir, (n,) each, with the overrides
    ``voltage`` (electric potentials, V) and ``temperature`` (K) applied: one number each, on
    reservoirs (:meth:`~spincaloric.circuit.drives.DriveLayout.check`)."""
    layout = drive_layout(circuit)
    mu = ELEMENTARY_CHARGE * circuit.reservoir_voltage.copy()  # theory V = (μ − μ0)/e
    temps = circuit.reservoir_temperature.copy()
    for i, v in layout.check("voltage", voltage or {}, scalar=True, any_reservoir=True).items():
        mu[i] = ELEMENTARY_CHARGE * v
    layout.check("temperature", temperature or {}, scalar=True)
    for name, t in (temperature or {}).items():
        temps[circuit.index[name]] = t
    return mu, temps


def _energy_grid(circuit: Circuit, points, window, voltage, temperature, energies,
                 mu, temps) -> np.ndarray:
    """The energies (J from μ0): :func:`grid`, or the given ``energies`` (at least 3, equally
    spaced, increasing); either must hold the reservoirs' Fermi windows (μ in J, T in K)."""
    if energies is None:
        eps = grid(circuit, points, window, voltage, temperature)
    else:
        eps = np.asarray(energies, dtype=float)
        steps = np.diff(eps) if eps.ndim == 1 and eps.size >= 3 else np.zeros(1)
        if not (np.isfinite(eps).all() and steps.min() > 0
                and np.allclose(steps, steps[0], rtol=1e-9, atol=0)):
            raise DeviceError("energies", "need at least 3 equally spaced, increasing energies")
    _check_resolution(eps, temps, mu, circuit)
    return eps


def _reservoir_deviations(circuit: Circuit, eps, mu, temps) -> np.ndarray:
    """(K, n, 4): the reservoirs' Fermi–Dirac distributions at μ (J) and T (K) minus f0(ε)
    at μ0, T0 (dimensionless; zero for the internal nodes, whose states are solved for)."""
    fixed = np.zeros((eps.size, circuit.n_nodes, 4))
    for r in np.flatnonzero(circuit.reservoir):
        fixed[:, r, 0] = fermi_deviation(eps, mu[r], temps[r], circuit.temperature)
    return fixed


def _fermi_window(circuit: Circuit, mu, temps, width: float) -> float:
    """``width`` k_B T of the hottest reservoir beyond its largest |μ − μ0| (J)."""
    res = circuit.reservoir
    return width * BOLTZMANN * temps[res].max() + np.abs(mu[res]).max()


def _curvatures(circuit: Circuit, curvature) -> dict:
    """{contact: (∂²G↑, ∂²G↓, ∂²G↑↓)} (S/J², complex (3,)) as given, checked."""
    second = {}
    for c, values in (curvature or {}).items():
        where = f"curvature[{c!r}]"
        if isinstance(c, bool) or not isinstance(c, (int, np.integer)) \
                or not 0 <= c < circuit.n_contacts:
            raise DeviceError(where, f"no such contact (indices 0 … {circuit.n_contacts - 1})")
        second[int(c)] = np.zeros(3, dtype=complex)
        try:
            second[int(c)][:] = values
        except (TypeError, ValueError):
            raise DeviceError(where, "give (∂²G↑, ∂²G↓, ∂²G↑↓) in S/J²") from None
        if not np.isfinite(second[int(c)]).all():
            raise DeviceError(where, "must be finite (S/J²)")
    return second


def _spectral_blocks(circuit: Circuit, eps, mu, temps, curvature):
    """(K_a, K_b), (K, c, 4, 4) each (S): the spectral conductance of every contact at every
    energy, as its kind gives it, the current of contact c being K_a x_a − K_b x_b (K_b is
    K_a, the same array, unless a contact is a two-port)."""
    from ..circuit.conductance_spectra import required_span

    window10 = _fermi_window(circuit, mu, temps, 10)
    span = required_span(temps[circuit.reservoir].max(), np.abs(mu[circuit.reservoir]).max())
    second = _curvatures(circuit, curvature)
    k = np.empty((eps.size, circuit.n_contacts, 4, 4))
    k_b = np.empty_like(k) if any(kind.two_port for kind in circuit.kinds) else k
    for kind in circuit.kinds:
        given = {i: second[c] for i, c in enumerate(kind.contacts.tolist()) if c in second}
        k[:, kind.contacts], k_b[:, kind.contacts] = kind.spectral_blocks(
            eps, circuit.magnetization, window10, span, given)
    return k, k_b


def _node_deviations(circuit: Circuit, k, k_b, fixed, probes) -> np.ndarray:
    """(K, n, 4): every node's (f_c, f⃗_↑−↓) minus f0(ε) — the reservoirs' ``fixed``
    deviations (K, n, 4), the internal nodes' from their particle and spin balance at every
    energy: the spectral conductances K_a, K_b (K, c, 4, 4) (S) and the node terms filled into
    the circuit's Kirchhoff pattern of width 4, plus the ``probes`` (see :func:`solve_elastic`).
    Up to :data:`DENSE_LIMIT` active unknowns per energy one batched dense solve over the grid,
    beyond it a sparse LU per energy on the circuit's fixed pattern (memory linear in the
    cells)."""
    system = kirchhoff_system(circuit, 4)
    bases = node_bases(circuit, circuit.magnetization[:, None], np.zeros(circuit.n_nodes, bool),
                       width=4)
    terms = _probe_terms(circuit, system, bases, probes)
    solve = _dense_unknowns if system.act.sum() <= DENSE_LIMIT else _sparse_unknowns
    y = solve(circuit, system, (k, k_b), bases, fixed[:, :, 0], terms)
    y = y.reshape(len(y), -1, 4)
    dev = fixed.copy()
    dev[:, system.unknown] = y
    for node, b in bases.items():  # X_n = B_n y_n: a ferromagnet's spin along m
        dev[:, node] = y[:, system.position[node]] @ b[0].T
    return dev


def _dense_unknowns(circuit: Circuit, system, k: tuple, bases, drive, terms) -> np.ndarray:
    """The padded unknowns (K, 4u) of every energy by one batched dense solve of the padded
    system (K, 4u, 4u): K_a, K_b (K, c, 4, 4) (S), the reservoirs' f_c deviations ``drive``
    (K, n) and the probes' ``terms`` (:func:`_probe_terms`)."""
    a_mat, r_mat = assemble_dense(circuit, per_contact(circuit, np.moveaxis(k[0], 1, 0),
                                                       np.moveaxis(k[1], 1, 0)), bases, width=4)
    rhs = np.einsum("kij,kj->ki", r_mat, drive)
    for rs, block, source in terms:
        a_mat[:, rs, rs] += block
        rhs[:, rs] += source
    act = system.act
    y = np.zeros(rhs.shape)
    y[:, act] = np.linalg.solve(a_mat[:, act][:, :, act], rhs[:, act, None])[..., 0]
    return y


def _sparse_unknowns(circuit: Circuit, system, k: tuple, bases, drive, terms) -> np.ndarray:
    """The padded unknowns (K, 4u) of every energy by a sparse LU of the compact system, one
    energy at a time: the values of a chunk of energies filled into the fixed pattern
    (:func:`~spincaloric.solvers.linear.sparse_values`), the columns in the fill-reducing
    order computed once for the pattern (:attr:`~spincaloric.circuit.system.SparsePattern.
    column_order`), so that SuperLU factorises each energy without ordering it again.
    Arguments as :func:`_dense_unknowns`."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import splu

    pattern = system.sparse
    u, act = pattern.unknowns, system.act
    y = np.zeros((len(drive), system.size))
    if u == 0:  # every node a reservoir
        return y
    order, take, indptr = pattern.column_order
    compact = np.cumsum(act) - 1  # padded unknown -> compact (where active)
    a_probes, source_rows, sources = _sparse_probe_terms(pattern, act, compact, terms)
    r_row = np.repeat(np.arange(u), np.diff(pattern.r_indptr))  # the row of R's every entry
    a_mat = sp.csc_matrix((np.ones(len(take)), pattern.a_indices[take], indptr), shape=(u, u))
    x = np.empty(u)
    per_energy = 8 * (2 * len(take) + 2 * len(pattern.r_indices) + 16 * circuit.n_contacts)
    step = max(1, _CHUNK_BYTES // per_energy)
    for start in range(0, len(drive), step):
        sl = slice(start, start + step)
        a_data, r_data = sparse_values(circuit, (k[0][sl], k[1][sl]), circuit.magnetization,
                                       width=4)
        a_data = (a_data + a_probes)[:, take]
        rhs = scatter(r_row, r_data * drive[sl][:, pattern.r_indices], u)
        if terms:
            rhs[:, source_rows] += sources[sl]
        for e in range(len(a_data)):
            a_mat.data[:] = a_data[e]
            try:
                lu = splu(a_mat, permc_spec="NATURAL")
            except RuntimeError:  # "Factor is exactly singular": as the dense solve reports it
                raise np.linalg.LinAlgError("Singular matrix") from None
            x[order] = lu.solve(rhs[e])
            y[start + e, act] = x
    return y


def _probe_terms(circuit: Circuit, system, bases, probes) -> list:
    """[(padded rows (slice), Bᵀ K_p B (4, 4) (S), source (K, 4) (S))] of each probe
    [(internal node, g (S), δx (K, 4))] — a spin-independent contact of conductance g to the
    distribution f0 + δx(ε): its block on the node's own block of A, its source on the node's
    rows of the right-hand side of ``system`` (a ferromagnet's spin along m)."""
    out = []
    for name, g, x_probe in (probes or []):
        node = circuit.index[name]
        if system.position[node] < 0:
            raise DeviceError(f"relaxation.{name}", "relaxation acts on internal nodes")
        kp = spin_space_block(g / 2, g / 2, complex(g / 2), np.array([0.0, 0.0, 1.0]))
        b = bases[node][0] if node in bases else np.eye(4)  # a ferromagnet: the spin along m
        rs = slice(4 * system.position[node], 4 * system.position[node] + 4)
        out.append((rs, b.T @ kp @ b, x_probe @ (b.T @ kp).T))
    return out


def _sparse_probe_terms(pattern, act, compact, terms):
    """The probes' ``terms`` (:func:`_probe_terms`) in the compact sparse system: their blocks
    in A's data (a,), and their summed sources (K, s) on the compact rows (s,) they reach
    (None without probes)."""
    a_constant = np.zeros(len(pattern.a_indices))
    rows, sources = [], []
    for rs, block, source in terms:
        on = act[rs]
        i, j = np.nonzero(on[:, None] & on[None, :])
        slots = pattern.slots(compact[rs][i], compact[rs][j])
        a_constant += np.bincount(slots, block[i, j], minlength=len(a_constant))
        rows.append(compact[rs][on]), sources.append(source[:, on])
    if not terms:
        return a_constant, None, None
    # probes on the same node add up: one column per compact row
    unique, where = np.unique(np.concatenate(rows), return_inverse=True)
    summed = np.zeros((len(sources[0]), len(unique)))
    for at, source in zip(np.split(where, np.cumsum([len(r) for r in rows])[:-1]), sources):
        summed[:, at] += source
    return a_constant, unique, summed


def _check_spectral_nodes(circuit: Circuit, elastic: bool) -> None:
    """Node properties the energy-resolved solvers cannot honour raise a field-named error."""
    heat = np.where(circuit.reservoir, 0.0, circuit.reservoir_current)
    if circuit.lattice.any():
        node = circuit.names[int(np.flatnonzero(circuit.lattice)[0])]
        raise DeviceError(f"nodes.{node}", "a lattice temperature (two-temperature model) is "
                          "not part of the energy-resolved solver, whose electron-phonon "
                          "relaxation is its own (phonons=)")
    checks = [("spin_heat_relaxation", circuit.spin_heat_relaxation,
               "the energy-resolved solver relaxes spin heat through spin flip itself "
               "(L0 T G_sf): leave it 0")]
    if elastic:
        checks += [("bath", circuit.bath, "needs inelastic relaxation: use solve_relaxed"),
                   ("heat", heat, "needs inelastic relaxation: use solve_relaxed")]
    for key, values, reason in checks:
        if np.any(values != 0):
            node = circuit.names[int(np.flatnonzero(values)[0])]
            raise DeviceError(f"nodes.{node}.{key}", reason)
    if np.any(circuit.heat_conductance != 0):
        c = int(np.flatnonzero(circuit.heat_conductance)[0])
        raise DeviceError(f"{_label(circuit, c)}.heat_conductance", "lattice heat conduction "
                          "is not part of the energy-resolved solver (electrons only)")


def _label(circuit: Circuit, c: int) -> str:
    labels = circuit.contact_labels
    return labels[c] if c < len(labels) else f"contacts[{c}]"


class ConvergenceError(ValueError):
    """The Newton iteration of :func:`solve_relaxed` did not converge (``field`` names the
    setting to change)."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


def grid(circuit: Circuit, points: int = 2001, window: float = 40.0, voltage=None,
         temperature=None) -> np.ndarray:
    """The energy grid (J, from μ0) that :func:`solve_elastic` uses for these arguments."""
    mu, temps = _reservoir_bias(circuit, voltage, temperature)
    kt = BOLTZMANN * temps[circuit.reservoir].max()
    half = window * kt + np.abs(mu[circuit.reservoir]).max()
    return np.linspace(-half, half, points)


def equilibrium_deviation(eps, mu, temperature, mu_s, t0):
    """:func:`equilibrium` minus the equilibrium at μ0, T0, without cancellation."""
    mu_s = np.asarray(mu_s, float)
    size = float(np.linalg.norm(mu_s))
    axis = mu_s / size if size else np.array([0.0, 0.0, 1.0])
    up = fermi_deviation(eps, mu + size / 2, temperature, t0)
    dn = fermi_deviation(eps, mu - size / 2, temperature, t0)
    x = np.empty(np.shape(eps) + (4,))
    x[..., 0] = 0.5 * (up + dn)
    x[..., 1:] = (up - dn)[..., None] * axis
    return x


def equilibrium(eps, mu, temperature, mu_s):
    """Node state x(ε) = (f_c, f⃗_↑−↓) of a Fermi–Dirac gas at chemical potential ``mu`` (J),
    temperature (K) and spin splitting μ⃗_s = μ↑ − μ↓ (J, vector)."""
    mu_s = np.asarray(mu_s, float)
    size = float(np.linalg.norm(mu_s))
    axis = mu_s / size if size else np.array([0.0, 0.0, 1.0])
    up = fermi(eps, mu + size / 2, temperature)
    dn = fermi(eps, mu - size / 2, temperature)
    x = np.empty(np.shape(eps) + (4,))
    x[..., 0] = 0.5 * (up + dn)
    x[..., 1:] = (up - dn)[..., None] * axis
    return x


#: A relaxation conductance at most this many times its node's contacts' (their charge
#: conductances summed): beyond it the node's distribution is its Fermi–Dirac function to
#: ~10⁻⁸, and the Newton solve's finite differences lose the remainder to round-off (a
#: valve's currents drift by 10⁻⁷ at 10¹⁰ times, 2 × 10⁻⁶ at 10¹¹; no convergence at 10¹²).
RESOLVABLE_RELAXATION = 1e8


def _check_resolvable(circuit: Circuit, label: str, name: str, g: float) -> None:
    """Refuse a relaxation conductance ``g`` (S) of node ``name`` beyond
    :data:`RESOLVABLE_RELAXATION` times its contacts' charge conductance (S), naming the
    largest to give (the same node to within 10⁻⁸)."""
    node = circuit.index[name]
    contacts = sum(float(np.sum(kind.conductance[(kind.ends == node).any(axis=1)]))
                   for kind in circuit.kinds)
    if contacts > 0 and g > RESOLVABLE_RELAXATION * contacts:
        raise DeviceError(f"{label}.{name}", f"{g:g} S is {g / contacts:.1e} times the "
                          f"conductance of the node's contacts ({contacts:.3g} S): beyond "
                          f"{RESOLVABLE_RELAXATION:.0e} times the node's distribution is a "
                          f"Fermi–Dirac function to 1e-08 and the solve loses the rest to "
                          f"round-off; give at most {RESOLVABLE_RELAXATION * contacts:.3g} S "
                          f"(the same node to 1e-08)")


def relaxed_inputs(circuit: Circuit, relaxation: dict | None = None, *,
                   phonons: dict | None = None, points: int = 2001, window: float = 40.0,
                   voltage=None, temperature=None, tol: float = 1e-6,
                   max_iter: int = 30) -> tuple[dict, dict, dict]:
    """Check the arguments of :func:`solve_relaxed` (a DeviceError names a wrong one) and
    return its (relaxation {node: g_ee (S)}, phonons {node: g_ep (S)}, nodes' bath included,
    heat {node: W}), before any computation."""
    _check_spectral_nodes(circuit, elastic=False)
    _check_grid_settings(points, window)
    _reservoir_bias(circuit, voltage, temperature)  # validates them
    if not (isinstance(tol, (int, float, np.floating)) and np.isfinite(tol) and 0 < tol < 1):
        raise DeviceError("tol", f"must be a relative tolerance between 0 and 1, got {tol!r}")
    if isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer)) \
            or max_iter < 0:
        raise DeviceError("max_iter", f"must be a whole number of Newton steps ≥ 0, got "
                          f"{max_iter!r}")
    relaxation, phonons = dict(relaxation or {}), dict(phonons or {})
    for label, table in (("relaxation", relaxation), ("phonons", phonons)):
        for name, g in table.items():
            try:
                ok = np.isfinite(float(g)) and float(g) > 0
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise DeviceError(f"{label}.{name}", f"must be a positive, finite conductance "
                                  f"(S), got {g!r}")
            if name not in circuit.index:
                raise DeviceError(f"{label}.{name}", unknown(
                    "internal node", name, [circuit.names[i] for i in circuit.internal]))
            if circuit.reservoir[circuit.index[name]]:
                raise DeviceError(f"{label}.{name}", "not an internal node (a reservoir: "
                                  "relaxation acts on internal nodes)")
            _check_resolvable(circuit, label, name, float(g))
    for node in np.flatnonzero(circuit.bath):
        name = circuit.names[node]
        if name in phonons:
            raise DeviceError(f"nodes.{name}.bath", "also given as phonon relaxation: give it "
                              "once")
        phonons[name] = float(circuit.bath[node]) / (LORENZ * circuit.temperature)
    heat = {circuit.names[k]: float(circuit.reservoir_current[k])
            for k in np.flatnonzero(~circuit.reservoir & (circuit.reservoir_current != 0))}
    for name in heat:
        if name not in relaxation:
            raise DeviceError(f"nodes.{name}.heat", "deposited heat needs electron–electron "
                              "relaxation in the node (spectral relaxation) to thermalize it")
    for name in np.array(circuit.names)[circuit.current_biased]:
        if name in (voltage or {}):
            raise DeviceError(f"voltage.{name}", "a current-biased reservoir: its voltage is "
                              "solved for")
    return relaxation, phonons, heat


def solve_relaxed(circuit: Circuit, relaxation: dict | None = None, *,
                  phonons: dict | None = None, points: int = 2001, window: float = 40.0,
                  voltage=None, temperature=None, tol: float = 1e-6,
                  max_iter: int = 30) -> tuple[SpectralSolution, dict]:
    """Energy-resolved solve with inelastic relaxation in the internal nodes, nonlinear in the
    biases; also the entry point for current-biased reservoirs and node heat inputs.

    ``relaxation`` = {node: g_ee (S)}: electron–electron scattering relaxes the node's
    distribution, at the rate g_ee/(e² D) (g_ee = e² D/τ_ee, D the density of states per J;
    the dwell time is τ_d = e² D/(4G); :func:`relaxation_conductance`), towards the Fermi–Dirac
    distribution with the same particle number, spin and energy: a spin-independent contact of
    conductance g_ee to a virtual reservoir whose μ, T, μ⃗_s make its particle, spin and energy
    exchange vanish. ``phonons`` = {node: g_ep (S)}: electron–phonon scattering towards a
    Fermi–Dirac gas at the lattice (device) temperature, exchanging energy but no particles or
    spin; a node's ``bath`` (W/K) is the same with g_ep = bath/(L0 T0). In a ferromagnetic node
    the spin (and its target μ_s) lies along the magnetization. A node's ``heat`` (W) is
    deposited in its electrons and thermalized by its e–e scattering (which it then needs).
    Current-biased reservoirs (``current`` = I, conventional, into the device) get the
    voltage that carries I. Elastic spin flip (``spin_flip``) acts at every energy.

    Newton iteration (starting from the linear response) on the virtual reservoirs and the
    current-biased voltages, until every residual is below ``tol`` times the circuit's own
    particle (A) or energy (W) current scale (the latter at least the particle scale ×
    k_B T0/e), or a Newton step changes no unknown by more than 1e-3 ``tol`` of its scale
    (k_B T0, T0, k_B T0/e); :class:`ConvergenceError` if that takes more than ``max_iter``
    steps.
    g → 0: the elastic limit; g_ee → ∞: the thermalized regime. Returns (solution,
    {node: (μ (J), T (K), μ⃗_s (J))}) of the electron–electron targets.

    ``voltage`` = {reservoir: V} and ``temperature`` = {reservoir: K} override reservoirs'
    electric potentials (boundary convention, as :meth:`Circuit.solve
    <spincaloric.circuit.device.Circuit.solve>`: minus (μ − μ0)/e) and absolute
    temperatures, one number each; ``points`` energies on a grid of half-width ``window``
    (in units of k_B T_max, plus the largest |eV|), as :func:`solve_elastic`.
    """
    relaxation, phonons, heat = relaxed_inputs(circuit, relaxation, phonons=phonons,
                                               points=points, window=window, voltage=voltage,
                                               temperature=temperature, tol=tol,
                                               max_iter=max_iter)
    targets = _Targets.of(circuit, relaxation, phonons, heat, voltage, temperature)
    # the linear response: the starting point, and the scale of the energy grid
    states, v_biased = _linear_start(circuit, voltage, temperature)
    scales = _bias_scales(circuit, voltage, temperature, v_biased)
    flat = targets.start(states, v_biased, scales.joule_t2)
    newton = _Newton.of(targets, scales, states, tol, max_iter)
    flat, sol = _solve_on_wide_grid(targets, newton, flat, scales, points, window)
    found = {name: (mu, temp, mu_s) for name, kind, _, _, mu, temp, mu_s
             in targets.unpack(flat) if kind == "ee"}
    return sol, found


@dataclass(frozen=True)
class _Targets:
    """The unknowns of :func:`solve_relaxed` and their residuals. ``blocks`` [(node, kind,
    g (S), axes (a, 3))]: an e–e target ("ee") has (μ (J), T (K), μ_s (J) along each spin
    axis), an e–p target ("ep") (μ, μ_s...) at T = T0 — a normal node has 3 spin axes, a
    ferromagnetic one its magnetization; then the electric potential (V) of each
    current-biased reservoir (``biased``)."""

    circuit: Circuit
    blocks: list
    starts: np.ndarray
    biased: list
    fixed_v: dict  # the voltage overrides (V)
    temperature: dict | None  # the temperature overrides (K)
    heat: dict  # {node: W} deposited in the electrons

    @classmethod
    def of(cls, circuit: Circuit, relaxation, phonons, heat, voltage, temperature):
        blocks = []
        for table, kind in ((relaxation, "ee"), (phonons, "ep")):
            for name, g in table.items():
                node = circuit.index[name]
                axes = (circuit.magnetization[node][None] if circuit.ferromagnet[node]
                        else np.eye(3))
                blocks.append((name, kind, g, axes))
        sizes = [(2 if kind == "ee" else 1) + len(axes) for _, kind, _, axes in blocks]
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        biased = [circuit.names[k] for k in np.flatnonzero(circuit.current_biased)]
        return cls(circuit, blocks, starts, biased, {**(voltage or {})}, temperature, heat)

    @property
    def n_probe(self) -> int:
        return int(self.starts[-1])

    def per_unknown(self, mu, temp, volt) -> np.ndarray:
        """One value per unknown: ``mu`` for a μ or μ_s, ``temp`` for a T, ``volt`` for a
        current-biased reservoir's potential."""
        return np.array([x for _, kind, _, axes in self.blocks
                         for x in ([mu, temp] + [mu] * len(axes) if kind == "ee"
                                   else [mu] * (1 + len(axes)))] + [volt] * len(self.biased))

    def energy_rows(self) -> np.ndarray:
        """1 for the residual rows that are energy currents, 0 for particle and spin ones."""
        return np.array(
            [r for _, kind, _, axes in self.blocks
             for r in ([0] * (1 + len(axes)) + [1] if kind == "ee" else [0] * (1 + len(axes)))]
            + [0] * len(self.biased), dtype=int)

    def start(self, states, v_biased, joule_t2) -> np.ndarray:
        """The unknowns from the linear-response node ``states`` (n, 8), every e–e target no
        colder than Joule heating can make it (T² = T0² + ``joule_t2``, K²)."""
        e, t0 = ELEMENTARY_CHARGE, self.circuit.temperature
        flat = []
        for name, kind, _, axes in self.blocks:
            x = states[self.circuit.index[name]]
            spin = list(e * x[1:4] @ axes.T)
            hot = float(np.sqrt((t0 + x[4]) ** 2 + joule_t2))
            flat += [e * x[0], hot] + spin if kind == "ee" else [e * x[0]] + spin
        return np.array(flat + list(v_biased), dtype=float)

    def unpack(self, flat):
        """(node, kind, g (S), axes, μ (J), T (K), μ⃗_s (J)) of every target."""
        t0 = self.circuit.temperature
        for (name, kind, g, axes), a, b in zip(self.blocks, self.starts[:-1], self.starts[1:]):
            p = flat[a:b]
            mu, temp, spin = (p[0], p[1], p[2:]) if kind == "ee" else (p[0], t0, p[1:])
            yield name, kind, g, axes, mu, temp, spin @ axes

    def residual(self, flat, eps):
        """(residuals, solution): the particle (A), spin (A) and energy (W) currents into each
        target (plus the heat deposited) and each current-biased reservoir's current error
        (A), from the elastic solve on ``eps`` (J) with the targets as probes."""
        circuit, e, t0 = self.circuit, ELEMENTARY_CHARGE, self.circuit.temperature
        de = eps[1] - eps[0]
        probes = [(name, g, equilibrium_deviation(eps, mu, temp, mu_s, t0))
                  for name, _, g, _, mu, temp, mu_s in self.unpack(flat)]
        volts = {**self.fixed_v, **dict(zip(self.biased, flat[self.n_probe:]))}
        sol = solve_elastic(circuit, voltage=volts, temperature=self.temperature,
                            probes=probes, energies=eps)
        out = []
        for (name, kind, _, axes), (_, g, target) in zip(self.blocks, probes):
            diff = sol.deviations[:, circuit.index[name]] - target
            i_c, i_s = g * diff[:, 0], 0.5 * g * diff[:, 1:] @ axes.T
            out.extend([i_c.sum() * de / e, *(i_s.sum(axis=0) * de / e)])
            if kind == "ee":  # energy into the target balances the heat deposited
                out.append((eps * i_c).sum() * de / e**2 + self.heat.get(name, 0.0))
        for name in self.biased:  # conventional current into the device = −theory current out
            k = circuit.index[name]
            out_of = (sol.currents[circuit.ends[:, 0] == k, 0].sum()
                      - sol.currents[circuit.ends[:, 1] == k, 0].sum())
            out.append(-out_of - float(circuit.reservoir_current[k]))
        return np.array(out), sol


def _linear_start(circuit: Circuit, voltage, temperature):
    """The linear-response node states (n, 8) and the potentials (V) it gives the
    current-biased reservoirs (zeros if the linear system is singular)."""
    try:
        with warnings.catch_warnings():  # the energy-resolved solve is the way beyond it
            warnings.simplefilter("ignore", LinearResponseWarning)
            guess = circuit.solve(voltage=dict(voltage or {}),
                                  temperature=dict(temperature or {}), method="auto")
        states = np.asarray(guess.states)
    except np.linalg.LinAlgError:
        guess, states = None, np.zeros((circuit.n_nodes, 8))
    v_biased = [float(guess.reservoirs[circuit.names[k]].voltage) if guess is not None else 0.0
                for k in np.flatnonzero(circuit.current_biased)]
    return states, v_biased


@dataclass(frozen=True)
class _BiasScales:
    """joule_t2: V_span²/(4 L0) (K²), the Joule heating a node can get from the voltage span
    (Kohlrausch: T² = T0² + V²/(4 L0)); t_max: the hottest reservoir (K); t_hot: it heated by
    joule_t2 (K); mu_max: the largest |eV| (J)."""

    joule_t2: float
    t_max: float
    t_hot: float
    mu_max: float
    temperature: dict | None  # the temperature overrides (K)


def _bias_scales(circuit: Circuit, voltage, temperature, v_biased) -> _BiasScales:
    """The scales of the biases (see :class:`_BiasScales`); ``v_biased`` (V) the potentials of
    the current-biased reservoirs."""
    potentials = [*(voltage or {}).values(), *v_biased,
                  *drive_layout(circuit).boundary[drive_layout(circuit).slots("voltage")]]
    v_span = max(potentials, default=0.0) - min(potentials, default=0.0)
    # Joule heating is absent from linear response: start every e–e target no colder than the
    # hottest a node can get from the voltage span
    joule_t2 = v_span**2 / (4 * LORENZ)
    temps = [*circuit.reservoir_temperature[circuit.reservoir], *(temperature or {}).values()]
    t_hot = float(np.sqrt(max(temps) ** 2 + joule_t2))
    mu_max = ELEMENTARY_CHARGE * max(map(abs, potentials), default=0.0)
    return _BiasScales(joule_t2, max(temps), t_hot, mu_max, temperature)


@dataclass(frozen=True)
class _Newton:
    """Newton iteration on the unknowns of :class:`_Targets`: finite-difference ``steps``,
    ``energy_row`` (1 for energy-current residuals), ``is_temperature`` (unknowns kept
    positive by damping), ``negligible`` (a step size that no longer matters).

    Plain Newton steps, not a minimiser of the residuals' norm such as
    :func:`scipy.optimize.least_squares`: rows whose currents vanish (a node heated with no
    voltage bias has particle currents of round-off, ~1e-20 A) dominate the norm and reject
    the steps that balance the energy currents unless reweighted; and a trust-region step
    from a singular value decomposition leaves unknowns of ~1e-45 J where the Newton step
    keeps them exactly zero (the spin accumulations of a circuit without magnets: spin
    currents of 1e-22 A instead of none). Each row is judged against its own current scale
    instead (:meth:`converged`); a temperature at most halves or quadruples in a step.
    """

    targets: _Targets
    steps: np.ndarray
    energy_row: np.ndarray
    is_temperature: np.ndarray
    negligible: np.ndarray
    tol: float
    max_iter: int

    @classmethod
    def of(cls, targets: _Targets, scales: _BiasScales, states, tol, max_iter):
        circuit, e = targets.circuit, ELEMENTARY_CHARGE
        t0 = circuit.temperature
        # finite-difference steps on the scale of the biases (the response is nearly linear);
        # floors far above round-off: 1e-7 k_B T0 in μ and 1e-7 T0 in T (a Joule-heated node
        # moves its temperature with no temperature bias at all)
        res = circuit.reservoir
        dmu = max(1e-7 * BOLTZMANN * t0, 1e-3 * scales.mu_max)
        overrides = (scales.temperature or {}).values()
        dtemp = max(1e-7 * t0,
                    1e-3 * float(np.abs(circuit.reservoir_temperature[res] - t0).max()),
                    1e-3 * max((abs(v - t0) for v in overrides), default=0.0),
                    1e-3 * max((abs(x) for x in states[:, 4]), default=0.0),
                    1e-3 * (scales.t_hot - t0))
        # the size of an unknown that no longer matters: tol × 1e-3 of k_B T0 (μ, μ_s), of T0
        # (T) and of k_B T0/e (voltages) — Newton converges quadratically, so a step this
        # small means the previous error was already far below it
        kt0 = BOLTZMANN * t0
        return cls(targets, targets.per_unknown(dmu, dtemp, dmu / e), targets.energy_rows(),
                   targets.per_unknown(0, 1, 0).astype(bool),
                   1e-3 * tol * targets.per_unknown(kt0, t0, kt0 / e), tol, max_iter)

    def converged(self, r, sol, last_step) -> bool:
        """Every residual below ``tol`` times the circuit's own particle (A) or energy (W)
        current scale — an energy current also measured against the particle current times
        k_B T0/e (heat currents from μ0 may cancel, e.g. in a symmetrically biased node) —
        or the last step negligible (currents that vanish, open circuits, have no scale)."""
        scales = self._scales(sol)
        if r.size == 0 or np.all(np.abs(r) <= self.tol * scales):
            return True
        return last_step is not None and bool(np.all(np.abs(last_step) <= self.negligible))

    def _scales(self, sol) -> np.ndarray:
        """Per residual row: the circuit's particle (A) or energy (W) current scale."""
        particle = np.abs(sol.currents[:, :4]).max()
        energy = max(np.abs(sol.currents[:, 4:]).max(),
                     particle * BOLTZMANN * self.targets.circuit.temperature / ELEMENTARY_CHARGE)
        scales = np.where(self.energy_row == 1, energy, particle)
        scales[scales == 0] = 1.0
        return scales

    def step(self, flat, r, eps) -> np.ndarray:
        """The Newton step from the finite-difference Jacobian, damped so that a temperature
        at most halves or quadruples."""
        jac = np.zeros((r.size, r.size))
        for j in range(r.size):
            shifted = flat.copy()
            shifted[j] += self.steps[j]
            jac[:, j] = (self.targets.residual(shifted, eps)[0] - r) / self.steps[j]
        try:
            step = -np.linalg.solve(jac, r)
        except np.linalg.LinAlgError:
            raise ConvergenceError("max_iter", "the relaxation's Newton iteration met a "
                                   "singular Jacobian (no unique solution nearby)") from None
        t_now, dt_ = flat[self.is_temperature], step[self.is_temperature]
        limits = np.where(dt_ < 0, 0.5 * t_now / np.maximum(-dt_, 1e-300),
                          3.0 * t_now / np.maximum(dt_, 1e-300))
        return step * min(1.0, float(limits.min(initial=1.0)))

    def solve(self, flat, eps):
        """(unknowns, solution) on the grid ``eps`` (J), starting from ``flat``;
        :class:`ConvergenceError` after ``max_iter`` steps."""
        last_step = None
        for iteration in range(self.max_iter + 1):
            r, sol = self.targets.residual(flat, eps)  # sol and the targets belong together
            if self.converged(r, sol, last_step):
                return flat, sol
            if iteration == self.max_iter:
                worst = float(np.max(np.abs(r) / self._scales(sol)))
                raise ConvergenceError("max_iter", f"the relaxation did not converge in "
                                       f"{self.max_iter} Newton steps (residual {worst:.2g} of "
                                       f"the current scale, tolerance {self.tol:g}): raise "
                                       "max_iter or refine the grid")
            last_step = self.step(flat, r, eps)
            flat = flat + last_step
        raise AssertionError("unreachable")  # pragma: no cover


def _solve_on_wide_grid(targets: _Targets, newton: _Newton, flat, scales: _BiasScales,
                        points: int, window: float):
    """Newton on a grid of ``points`` energies that holds every node's Fermi window
    (``window`` k_B T beyond its |μ|): widen it and solve again if a node ended up hotter or
    farther in μ than it allowed (heat inputs, Joule heating); a tabulated spectrum must
    hold the hottest node's window too."""
    circuit, e = targets.circuit, ELEMENTARY_CHARGE
    half = window * BOLTZMANN * scales.t_hot + 2 * scales.mu_max
    for _ in range(4):
        eps = np.linspace(-half, half, points)
        flat, sol = newton.solve(flat, eps)
        moments = as_solution(sol).states
        node_t = circuit.temperature + moments[circuit.internal, 4]
        node_mu = np.abs(e * moments[circuit.internal, 0])
        hot = [(temp, abs(mu)) for _, kind, _, _, mu, temp, _ in targets.unpack(flat)
               if kind == "ee"]
        need = max([window * BOLTZMANN * scales.t_max + scales.mu_max]
                   + [window * BOLTZMANN * t + m for t, m in zip(node_t, node_mu)]
                   + [window * BOLTZMANN * t + m for t, m in hot])
        if need <= half * (1 + 1e-9):
            break
        half = 1.25 * need
    if circuit.spectra:
        from ..circuit.conductance_spectra import required_span

        # the reservoirs' distributions too (a circuit may have no internal node)
        span = max([required_span(scales.t_max, scales.mu_max)]
                   + [required_span(t, m) for t, m in zip(node_t, node_mu)]
                   + [required_span(t, m) for t, m in hot])
        for c, spectrum in circuit.spectra.items():
            spectrum.check_covers(-span, span, where=f"{_label(circuit, c)}.spectrum")
    return flat, sol


def as_solution(sol: SpectralSolution):
    """The spectral result as a :class:`~spincaloric.circuit.solution.Solution` (same JSON document).

    Node states are the moments of the distributions, defined so that a spin-split Fermi gas
    (μ_σ = eV_c ± eV_s/2, T_σ = T_c ± T_s/2) returns exactly its own parameters:

    - V_c = ∫(f_c − f₀)dε/e and V⃗_s = ∫f⃗_↑−↓ dε/e (V);
    - A = ∫ε(f_c − f₀)dε = (eV_c)²/2 + e²|V⃗_s|²/8 + (π²/6)k_B²(T_c² + |T⃗_s|²/4 − T0²) (J²);
    - B⃗ = ∫ε f⃗_↑−↓ dε = e²V_c V⃗_s + (π²/3)k_B² T_c T⃗_s (J²);

    so with a = T0² + 6[A − (eV_c)²/2 − e²|V⃗_s|²/8]/(π²k_B²) = T_c² + |T⃗_s|²/4 and
    b⃗ = 3(B⃗ − e²V_c V⃗_s)/(π²k_B²) = T_c T⃗_s: T_c² = (a + √(a² − |b⃗|²))/2, T⃗_s = b⃗/T_c
    (K). (The spin terms matter: a node far from equilibrium with a large spin accumulation
    would otherwise be reported several kelvin too hot.) Contact currents are the integrated
    spectral currents."""
    from ..circuit.solution import Solution

    c = sol.circuit
    e, k = ELEMENTARY_CHARGE, BOLTZMANN
    eps = sol.energies
    de = eps[1] - eps[0]
    x = sol.deviations  # (K, n, 4): distributions minus f0, free of cancellation
    v = x[:, :, 0].sum(axis=0) * de / e
    vs = x[:, :, 1:].sum(axis=0) * de / e
    e1 = (eps[:, None] * x[:, :, 0]).sum(axis=0) * de
    es = (eps[:, None, None] * x[:, :, 1:]).sum(axis=0) * de
    scale = 6 / (np.pi**2 * k**2)
    a = c.temperature**2 + (e1 - 0.5 * (e * v) ** 2 - (e**2 / 8) * (vs**2).sum(axis=1)) * scale
    b = (es - e**2 * v[:, None] * vs) * (scale / 2)
    disc = np.sqrt(np.maximum(a**2 - (b**2).sum(axis=1), 0.0))
    temp = np.sqrt(np.maximum((a + disc) / 2, 0.0))
    ts = np.divide(b, temp[:, None], out=np.zeros_like(b), where=temp[:, None] > 0)
    states = np.zeros((c.n_nodes, 8))
    states[:, 0], states[:, 1:4] = v, vs
    states[:, 4], states[:, 5:8] = temp - c.temperature, ts
    res = c.reservoir
    lead_mu = c.reservoir_voltage * e if sol.lead_mu is None else sol.lead_mu
    lead_t = c.reservoir_temperature if sol.lead_temperature is None else sol.lead_temperature
    states[res, 0] = lead_mu[res] / e  # exact for the leads (solved for current-biased ones)
    states[res, 4] = lead_t[res] - c.temperature
    states[res, 1:4] = states[res, 5:8] = 0.0
    return Solution(c, states, sol.currents.copy(), c.magnetization.copy(), distributions=sol)


#: The settings :func:`solve_spectral` takes (those of :func:`solve_relaxed`).
OPTIONS = ("relaxation", "phonons", "points", "window", "tol", "max_iter")


def solve_spectral(circuit: Circuit, magnetization, voltage, temperature, current, heat,
                   **options):
    """The "spectral" back end of :meth:`Circuit.solve
    <spincaloric.circuit.device.Circuit.solve>`: :func:`solve_relaxed` with the ``options``
    relaxation, phonons ({node: S}), points, window (k_B T), tol and max_iter — with no
    relaxation the elastic limit, with strong relaxation the thermalized one; ``voltage``
    (electric potential, V) and ``temperature`` (K) override reservoirs, one number each.
    The magnetizations, currents and heat are the device's own. Returns the
    :class:`~spincaloric.circuit.solution.Solution` of :func:`as_solution`, its
    ``distributions`` the energy-resolved result."""
    for label, given in (("magnetization", magnetization), ("current", current),
                         ("heat", heat)):
        for name in given:
            raise DeviceError(f"{label}.{name}", "the energy-resolved back end solves the "
                              f"device's own {label}: change it in the device")
    for name in options:
        if name not in OPTIONS:
            close = unknown("option", name, OPTIONS)
            raise DeviceError(name, close if "did you mean" in close else "not an option of "
                              f"the 'spectral' back end (one of {', '.join(OPTIONS)})")
    sol, _ = solve_relaxed(circuit, options.pop("relaxation", None), voltage=voltage or None,
                           temperature=temperature or None, **options)
    return as_solution(sol)


register("spectral", solve_spectral, batched=False)


def relaxation_conductance(volume: float, density_of_states: float, time: float) -> float:
    """g = e² D/τ (S) of a node of ``volume`` (m³) with ``density_of_states`` (states per J per
    m³, both spins) and relaxation ``time`` τ (s): the strength :func:`solve_relaxed` takes.

    >>> round(relaxation_conductance(1e-24, 1.8e47, 1e-13) * 1e3, 1)   # mS, Cu-like, 1e-24 m³
    46.2
    """
    for name, v in (("volume", volume), ("density_of_states", density_of_states),
                    ("time", time)):
        if not (np.isfinite(v) and v > 0):
            raise DeviceError(name, f"must be positive and finite, got {v!r}")
    g = ELEMENTARY_CHARGE**2 * density_of_states * volume / time
    if not np.isfinite(g):
        raise DeviceError("time", f"g = e²DV/τ overflows for τ = {time!r} s")
    return g


def dwell_time(volume: float, density_of_states: float, conductance: float) -> float:
    """Dwell time τ_d = e² D/(4G) (s) of a node, the scale of Hatami et al. (2007) for energy
    relaxation: volume (m³), density_of_states (J⁻¹ m⁻³), conductance G (S) of a contact of
    their symmetric spin valve (for other nodes an order-of-magnitude scale)."""
    if not (np.isfinite(conductance) and conductance > 0):
        raise DeviceError("conductance", f"must be positive and finite (S), got {conductance!r}")
    return relaxation_conductance(volume, density_of_states, 1.0) / (4 * conductance)
