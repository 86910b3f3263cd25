r"""Ferromagnetic resonance of a dynamic magnet: the small-angle mode about its equilibrium.

The LLGS equation of every dynamic magnet j (physics.md §4, with a torque linear in the rates
as spin pumping gives it, physics.md §9),

.. math::

    \dot m_j = -\gamma_j\, m_j \times B_j(m_j) + \alpha_j\, m_j \times \dot m_j
               + \frac{\gamma_j}{M_{s,j} V_j}\Big(\tau_j(m, d) + \sum_l D_{jl}(m)\,\dot m_l\Big),

is solved for the rates as one linear system, :math:`\mathsf M \dot m = \Omega`, with
:math:`\Omega_j = -\gamma_j m_j \times B_j + (\gamma_j/M_{s,j}V_j)\,\tau_j` and
:math:`\mathsf M_{jl} = \delta_{jl}(1 - \alpha_j [m_j\times]) - (\gamma_j/M_{s,j}V_j) D_{jl}`
(:func:`llgs_rate`). τ is the circuit's spin-transfer torque at the static drives d
(:meth:`CircuitTorqueModel.torques`), D (N·m·s) a torque per rate — the pumping torque, by
default the circuit's own (:meth:`CircuitTorqueModel.damping_matrix`) whenever the simulation
pumps, so that the eigenproblem and the runs share one D; without one, M is 1 − α[m×] and
ṁ = (Ω + α m × Ω)/(1 + α²).

* The **equilibrium** m0 is a zero of Ω (M does not move it): relaxed along the flow m × Ω,
  which descends the magnetic energy, then polished by Newton's method on the tangent planes.
* The **linearised dynamics** about m0 is δṁ = J δm on the tangent planes (2k × 2k, k dynamic
  magnets), J by central differences of :func:`llgs_rate`. Its eigenvalues are −Γ ± iω: ω
  (rad/s) the resonance, Γ (1/s) the amplitude decay rate (2Γ the full width at half maximum
  of the Lorentzian in ω). The mode reported for a magnet is the oscillating pair with the
  largest weight on it.
* **Effective damping and g-factor.** For one macrospin with stiffness fields B1, B2 (the
  eigenvalues of its energy's tangent Hessian, as in :func:`spincaloric.analytic.small_angle_mode`)
  the linearised LLG with α̃, γ̃ has trace −2Γ = −α̃γ̃(B1 + B2)/(1 + α̃²) and determinant
  Γ² + ω² = γ̃²B1B2/(1 + α̃²), so

  .. math::

      \tilde\alpha^2 = \frac{4\Gamma^2 B_1 B_2}{(B_1 + B_2)^2(\Gamma^2 + \omega^2)
                                                 - 4\Gamma^2 B_1 B_2}, \qquad
      \tilde\gamma^2 = \frac{(\Gamma^2 + \omega^2)(1 + \tilde\alpha^2)}{B_1 B_2}.

  These are the damping and gyromagnetic ratio an FMR experiment reads from the linewidth and
  the resonance field: α0 + α' and γ for pumping into a sink (α0 + α' and γ divided by 1 − β'
  with Im G↑↓, physics.md §9); a static spin-transfer torque enters them as in spin-torque FMR.

:func:`ring_down` checks the eigenvalues independently: the package's own integrator from a
small tilt, and a damped sinusoid fitted to the transverse components.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..circuit.contacts import cross_matrix
from ..constants import BOHR_MAGNETON, HBAR
from ..errors import FieldError, user_stacklevel
from ..validation import real, unit_vectors
from .simulation import DynamicsError, Simulation


class OtherWellWarning(UserWarning):
    """The resonance is about the well opposite the initial direction (that one unstable)."""


class NoResonanceWarning(UserWarning):
    """Points of a resonance sweep without a resonance (NaN there, the reason kept)."""


class ResonanceError(FieldError):
    """No resonance to report (an unstable equilibrium, an overdamped mode, a wrong magnet);
    ``field`` names the culprit."""


#: Tangent displacement (rad) of the central differences of the Jacobian: truncation ~h²,
#: round-off ~ε/h of the rates, both below 1e-9 of Γ and ω.
JACOBIAN_STEP = 1e-5
#: The equilibrium residual |Ω|/γ (T) is polished below this fraction of the magnet's field
#: scale (|B_app| + |B_k| + μ0 M_s max N + the torque field).
EQUILIBRIUM_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Resonance:
    """The small-angle mode of ``magnet`` about the equilibrium (SI units).

    Attributes
    ----------
    magnet : the magnet's name.
    equilibrium : (3,) its equilibrium direction m0.
    equilibria : (k, 3) the equilibria of all dynamic magnets (in the simulation's order).
    angular_frequency : ω (rad/s);   frequency : f = ω/2π (Hz).
    decay_rate : Γ (1/s), the amplitude decay rate; the linewidth (FWHM in ω) is 2Γ.
    damping : α_eff (dimensionless), from Γ, ω and the stiffness fields (module docstring).
    gyromagnetic_ratio : γ_eff (rad s⁻¹ T⁻¹);   g_factor : γ_eff ħ/μ_B.
    stiffness : (B1, B2) (T), the stiffness fields of the magnet's energy about m0.
    eigenvalues : (2k,) complex, all eigenvalues (1/s) of the linearised dynamics.
    """

    magnet: str
    equilibrium: np.ndarray
    equilibria: np.ndarray
    angular_frequency: float
    decay_rate: float
    damping: float
    gyromagnetic_ratio: float
    stiffness: tuple
    eigenvalues: np.ndarray = field(repr=False)

    @property
    def frequency(self) -> float:
        """f = ω/2π (Hz)."""
        return self.angular_frequency / (2 * math.pi)

    @property
    def linewidth(self) -> float:
        """Full width at half maximum of the Lorentzian in ω, 2Γ (rad/s)."""
        return 2 * self.decay_rate

    @property
    def g_factor(self) -> float:
        """Effective Landé g = γ_eff ħ/μ_B (dimensionless)."""
        return self.gyromagnetic_ratio * HBAR / BOHR_MAGNETON

    def to_dict(self) -> dict:
        """Plain numbers (SI units) for JSON."""
        return {"magnet": self.magnet, "frequency": self.frequency,
                "angular_frequency": self.angular_frequency, "decay_rate": self.decay_rate,
                "linewidth": self.linewidth, "damping": self.damping,
                "gyromagnetic_ratio": self.gyromagnetic_ratio, "g_factor": self.g_factor,
                "stiffness": [float(b) for b in self.stiffness],
                "equilibrium": [float(x) for x in self.equilibrium]}


#: A pumping hook: m (k, 3) -> D, (k, 3, 3) the torque on each magnet per its own rate, or
#: (k, 3, k, 3) per the rate of every magnet (N·m·s).
PumpingHook = Callable[[np.ndarray], np.ndarray]


def _simulation(obj) -> Simulation:
    """A Simulation, or one built from a device description with ``device`` (a Device),
    ``magnets`` ({name: MagnetParameters}) and optionally ``pumping`` (bool, default on),
    e.g. a device file's spec."""
    if isinstance(obj, Simulation):
        return obj
    if hasattr(obj, "device") and hasattr(obj, "magnets") and hasattr(obj.device, "finalize"):
        return Simulation(obj.device.finalize(), obj.magnets,
                          pumping=bool(getattr(obj, "pumping", True)))
    raise DynamicsError("simulation", f"must be a Simulation or a device spec, got {obj!r}")


def _parameters(sim: Simulation):
    """(k,) arrays: α, γ (rad s⁻¹ T⁻¹), M_s V (A m²) of the dynamic magnets."""
    ps = [sim.magnets[n] for n in sim.names]
    return (np.array([p.damping for p in ps]), np.array([p.gyromagnetic_ratio for p in ps]),
            np.array([p.moment for p in ps]))


def _fields(sim: Simulation, m: np.ndarray) -> np.ndarray:
    """(k, 3) B_eff (T) of each magnet at its own m."""
    return np.stack([sim.magnets[n].effective_field(m[j]) for j, n in enumerate(sim.names)])


def static_torques(sim: Simulation, m: np.ndarray, drive=None) -> np.ndarray:
    """(k, 3) the spin-transfer torques (N·m) of ``sim`` at magnetizations m (k, 3) and the
    drive vector ``drive`` (default: the circuit's static drives): the circuit's, none, or the
    prescribed Slonczewski torque a_J M_s V m × (m × p) of ``sim.slonczewski``."""
    if sim.torque == "circuit":
        return sim.model.torques(m, drive)
    tau = np.zeros_like(m)
    if sim.torque == "slonczewski":
        for j, name in enumerate(sim.names):
            if name in sim.slonczewski:
                aj, p = sim.slonczewski[name]
                p = np.asarray(p, float) / np.linalg.norm(p)
                tau[j] = aj * sim.magnets[name].moment * np.cross(m[j], np.cross(m[j], p))
    return tau


def precession_drive(sim: Simulation, m: np.ndarray, drive=None) -> np.ndarray:
    """Ω (k, 3) in rad/s: −γ m × B_eff + γ τ/(M_s V), the LLGS right-hand side without the
    terms in ṁ; its zeros are the equilibria."""
    _, gamma, moment = _parameters(sim)
    tau = static_torques(sim, m, drive)
    return gamma[:, None] * (-np.cross(m, _fields(sim, m)) + tau / moment[:, None])


def _rate_matrix(sim: Simulation, m: np.ndarray, pumping: PumpingHook | None) -> np.ndarray:
    """M (3k, 3k) = 1 − α[m×] − (γ/M_s V) D of M ṁ = Ω."""
    alpha, gamma, moment = _parameters(sim)
    k = len(m)
    mat = np.zeros((k, 3, k, 3))
    mat[np.arange(k), :, np.arange(k), :] = np.eye(3) - alpha[:, None, None] * cross_matrix(m)
    if pumping is not None:
        d = np.asarray(pumping(m), float)
        if d.shape == (k, 3, 3):
            full = np.zeros((k, 3, k, 3))
            full[np.arange(k), :, np.arange(k), :] = d
            d = full
        if d.shape != (k, 3, k, 3) or not np.all(np.isfinite(d)):
            raise DynamicsError("pumping", f"must give finite (k, 3, 3) or (k, 3, k, 3) "
                                f"torques per rate (N·m·s), k = {k}; got shape {d.shape}")
        mat -= (gamma / moment)[:, None, None, None] * d
    return mat.reshape(3 * k, 3 * k)


def llgs_rate(simulation, m, *, drive=None, pumping: PumpingHook | None = None) -> np.ndarray:
    """ṁ (k, 3) in 1/s: the LLGS right-hand side of the dynamic magnets of ``simulation`` at
    unit magnetizations m (k, 3), drive vector ``drive`` (theory variables, default static),
    solved exactly for the rates with the torque per rate D of ``pumping`` (module docstring:
    M ṁ = Ω, M = 1 − α[m×] − (γ/M_s V) D); projected onto the tangent planes."""
    sim = _simulation(simulation)
    m = unit_vectors(m, "m", DynamicsError)
    omega = precession_drive(sim, m, drive)
    mdot = np.linalg.solve(_rate_matrix(sim, m, pumping), omega.reshape(-1)).reshape(m.shape)
    return mdot - np.sum(mdot * m, axis=1, keepdims=True) * m


def tangent_bases(m: np.ndarray) -> np.ndarray:
    """(k, 2, 3) orthonormal bases (e1, e2 = m × e1) of the tangent planes of unit m (k, 3)."""
    ref = np.where(np.abs(m[:, :1]) < 0.9, [[1.0, 0, 0]], [[0, 1.0, 0]])
    e1 = np.cross(m, ref)
    e1 /= np.linalg.norm(e1, axis=1, keepdims=True)
    return np.stack([e1, np.cross(m, e1)], axis=1)


def _retract(m: np.ndarray, basis: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Unit vectors m + x·basis, normalised (x (2k,) tangent displacements, rad)."""
    v = m + np.einsum("ka,kac->kc", x.reshape(-1, 2), basis)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _field_scale(sim: Simulation, m: np.ndarray, drive) -> float:
    """A field (T) bounding the magnets' fields and torque fields at m."""
    _, _, moment = _parameters(sim)
    tau = np.linalg.norm(static_torques(sim, m, drive), axis=1) / moment
    own = np.array([p.precession_rate / p.gyromagnetic_ratio
                    for p in (sim.magnets[n] for n in sim.names)])
    return float(max(np.max(own + tau), 1e-12))


def equilibrium(simulation, *, initial=None, drive=None) -> np.ndarray:
    """(k, 3) a stationary state of the dynamic magnets (Ω = 0) at the drive vector ``drive``
    (default static), reached from ``initial`` (k, 3) (default: the circuit's magnetizations)
    by the flow m × Ω/γ, then Newton's method. A ResonanceError if none is found."""
    from scipy.integrate import solve_ivp

    sim = _simulation(simulation)
    m = sim.initial_state() if initial is None else initial
    m = np.array(unit_vectors(m, "initial", DynamicsError), float).reshape(-1, 3)
    if m.shape != (len(sim.names), 3):
        raise DynamicsError("initial", f"must be ({len(sim.names)}, 3) magnetizations")
    _, gamma, _ = _parameters(sim)
    scale = _field_scale(sim, m, drive)

    def residual(mm):
        return np.linalg.norm(precession_drive(sim, mm, drive) / gamma[:, None])

    def flow(_, y):  # descends the energy at the rate of the stiffness fields (time in 1/T)
        mm = y.reshape(-1, 3) / np.linalg.norm(y.reshape(-1, 3), axis=1, keepdims=True)
        return np.cross(mm, precession_drive(sim, mm, drive) / gamma[:, None]).ravel()

    span = 10.0 / scale
    while residual(m) > 1e-4 * scale and span < 1e9 / scale:
        y = solve_ivp(flow, (0.0, span), m.ravel(), rtol=1e-8, atol=1e-10).y[:, -1]
        m = y.reshape(-1, 3) / np.linalg.norm(y.reshape(-1, 3), axis=1, keepdims=True)
        span *= 4
    return _polish(sim, m, drive, scale, residual)


def _polish(sim, m, drive, scale, residual) -> np.ndarray:
    """Newton's method on the tangent planes of m for Ω = 0."""
    from scipy.optimize import root

    _, gamma, _ = _parameters(sim)
    for _ in range(5):
        if residual(m) <= EQUILIBRIUM_TOLERANCE * scale:
            return m
        basis = tangent_bases(m)

        def tangent(x, m=m, basis=basis):
            mm = _retract(m, basis, x)
            return np.einsum("kac,kc->ka", basis, precession_drive(sim, mm, drive)
                             / gamma[:, None]).ravel() / scale

        sol = root(tangent, np.zeros(2 * len(m)), method="hybr", options={"xtol": 1e-15})
        m = _retract(m, basis, sol.x)
    if residual(m) > 1e3 * EQUILIBRIUM_TOLERANCE * scale:
        raise ResonanceError("initial", f"no equilibrium found: |m × B_eff + torque field| = "
                             f"{residual(m):.3g} T after relaxation; start closer to one")
    return m


def tangent_jacobian(simulation, m0, *, drive=None, pumping: PumpingHook | None = None):
    """(J (2k, 2k) in 1/s, bases (k, 2, 3)): the linearised LLGS dynamics about the
    stationary m0 (k, 3) on the tangent bases, by central differences of :func:`llgs_rate`."""
    sim = _simulation(simulation)
    m0 = np.asarray(m0, float)
    basis = tangent_bases(m0)
    n = 2 * len(m0)
    jac = np.zeros((n, n))
    for c in range(n):
        step = np.zeros(n)
        step[c] = JACOBIAN_STEP
        up = llgs_rate(sim, _retract(m0, basis, step), drive=drive, pumping=pumping)
        down = llgs_rate(sim, _retract(m0, basis, -step), drive=drive, pumping=pumping)
        jac[:, c] = np.einsum("kac,kc->ka", basis, up - down).ravel() / (2 * JACOBIAN_STEP)
    return jac, basis


def stiffness_fields(magnet, m0) -> tuple[float, float]:
    """(B1, B2) (T): eigenvalues of the tangent Hessian of the energy of ``magnet``
    (MagnetParameters) at the unit direction m0, B0 𝟙 − C with B_eff(m) = B_app + C m and
    B0 = B_eff(m0)·m0 (E = E0 + (M_s V/2)(B1 δ1² + B2 δ2²) at an equilibrium)."""
    m0 = np.asarray(m0, float)
    origin = magnet.effective_field(np.zeros(3))
    c = np.stack([magnet.effective_field(e) - origin for e in np.eye(3)], axis=1)
    basis = tangent_bases(m0[None])[0]
    hess = float(magnet.effective_field(m0) @ m0) * np.eye(2) - basis @ c @ basis.T
    b1, b2 = np.linalg.eigvalsh(0.5 * (hess + hess.T))
    return float(b1), float(b2)


def effective_llg(decay_rate: float, angular_frequency: float, stiffness) -> tuple[float, float]:
    """(α̃, γ̃ in rad s⁻¹ T⁻¹) of the macrospin LLG with stiffness fields (B1, B2) (T) whose
    small-angle eigenvalues are −Γ ± iω (Γ, ω in 1/s; module docstring)."""
    b1, b2 = stiffness
    s, p = b1 + b2, b1 * b2
    det = decay_rate**2 + angular_frequency**2
    if not (b1 > 0 and b2 > 0 and det > 0):
        raise ResonanceError("magnet", f"the magnet's own stiffness fields ({b1:.3g} T, "
                             f"{b2:.3g} T) are not both positive: a mode held by the torque "
                             "has no effective damping")
    alpha2 = 4 * decay_rate**2 * p / (s**2 * det - 4 * decay_rate**2 * p)
    return math.sqrt(alpha2), math.sqrt(det * (1 + alpha2) / p)


def circuit_pumping(simulation) -> PumpingHook | None:
    """The torque per rate of the circuit's spin pumping as a :data:`PumpingHook`: the torque
    model's :meth:`~.torque_model.CircuitTorqueModel.damping_matrix` (N·m·s) when
    ``simulation`` pumps (:attr:`Simulation.pumps`), else None — the D that its runs use."""
    sim = _simulation(simulation)
    return sim.model.damping_matrix if sim.pumps else None


def _checked_drive(sim, drive):
    """``drive`` as a float array of the circuit's 3n drive slots (None stays None); a
    DynamicsError ``drive`` for another shape or a non-finite value."""
    if drive is None:
        return None
    size = 3 * sim.circuit.n_nodes
    try:
        d = np.asarray(drive, float)
    except (TypeError, ValueError):
        d = None
    if d is None or d.shape != (size,) or not np.all(np.isfinite(d)):
        got = "non-finite values" if d is not None and d.shape == (size,) else (
            f"shape {np.shape(d)}" if d is not None else repr(drive))
        raise DynamicsError("drive", f"must be the circuit's drive vector of {size} finite "
                            f"values (3 slots of each of its {sim.circuit.n_nodes} nodes: V, "
                            f"T − T0, current or heat; spincaloric.circuit.drives), got {got}")
    return d


def resonance(simulation, magnet: str, *, initial=None, drive=None,
              pumping: PumpingHook | bool | None = None) -> Resonance:
    """The ferromagnetic resonance of ``magnet`` (a dynamic magnet of ``simulation``, a
    Simulation or a device spec) about the equilibrium reached from ``initial`` (k, 3) at
    the drive vector ``drive`` (default: the circuit's static drives; the simulation's
    time-dependent drives are not applied; else 3n values in the layout and theory
    convention of :mod:`spincaloric.circuit.drives` — node r's slots 3r: V = (μ − μ0)/e
    (V, minus the electric potential), 3r + 1: T − T0 (K), 3r + 2: conventional current
    (A) or heat (W) — e.g. ``drive_layout(circuit).drives({"voltage": {"free": -1e-3}})
    .ravel()`` from boundary values, :mod:`spincaloric.circuit.drives`), with the torque per
    rate D (N·m·s) of the terms
    in ṁ (it enters the linearised dynamics, not the equilibrium): ``pumping`` None (default)
    takes the circuit's spin pumping when the simulation pumps (:func:`circuit_pumping`, the
    D of its runs: α_eff = α0 + α'), none when it was built with ``pumping=False``; False
    leaves D out; a :data:`PumpingHook` replaces the circuit's D by its own.

    Without ``initial``, an unstable equilibrium (a torque that destabilises the well the
    circuit's magnetization sits in) gives way to the one reached from the magnet's opposite
    direction, if that one is stable. A ResonanceError if no stable equilibrium is found (a
    growing mode), if the magnet's mode is overdamped (no oscillation), or if it has no
    restoring field along one direction."""
    sim = _simulation(simulation)
    if magnet not in sim.names:
        from ..errors import unknown

        raise ResonanceError("magnet", f"{magnet!r}: " + unknown("dynamic magnet", str(magnet),
                                                                 sim.names))
    drive = _checked_drive(sim, drive)
    if pumping is None:
        pumping = circuit_pumping(sim)
    elif pumping is False or pumping is np.False_:
        pumping = None
    elif not callable(pumping):
        raise DynamicsError("pumping", f"must be None, False or a function of m (k, 3) giving "
                            f"D (N·m·s), got {pumping!r}")
    j = sim.names.index(magnet)
    m0 = equilibrium(sim, initial=initial, drive=drive)
    values, vectors, grow = _modes(sim, m0, drive, pumping)
    if grow > 0 and initial is None:  # a torque that destabilises one well: the other one
        opposite = m0.copy()
        opposite[j] = -m0[j]
        try:
            other = equilibrium(sim, initial=opposite, drive=drive)
        except ResonanceError:
            other = None
        if other is not None:
            found = _modes(sim, other, drive, pumping)
            if found[2] <= 0:
                m0, (values, vectors, grow) = other, found
                warnings.warn(f"{magnet}: the equilibrium near its initial direction is "
                              "unstable; the resonance is about the opposite well (its "
                              "equilibrium says which)", OtherWellWarning, stacklevel=user_stacklevel())
    if grow > 0:
        raise ResonanceError("magnet", f"the equilibrium is unstable: a mode grows at "
                             f"{grow:.3g} 1/s (the static torque beats the damping, or a "
                             "saddle of the energy)" + (", and so is the one reached from "
                             "the opposite direction" if initial is None else "")
                             + ": change the drives or `initial`")
    scale = np.abs(values).max(initial=0.0)
    weight = np.sum(np.abs(vectors[2 * j:2 * j + 2]) ** 2, axis=0)
    weight = np.where(values.imag > 1e-9 * scale, weight, -1.0)
    stiffness = stiffness_fields(sim.magnets[magnet], m0[j])
    if weight.max() <= 0:
        b1, b2 = (float(b) for b in stiffness)
        if min(abs(b1), abs(b2)) <= 1e-6 * max(abs(b1), abs(b2)):
            raise ResonanceError("magnet", f"{magnet} has no restoring field along one "
                                 f"direction about its equilibrium (stiffness fields {b1:.3g} "
                                 f"T and {b2:.3g} T): its small-angle mode does not precess; "
                                 "an anisotropy or an applied field along it gives one")
        raise ResonanceError("magnet", f"{magnet}'s small-angle mode is overdamped (real "
                             "eigenvalues): no resonance")
    value = values[int(np.argmax(weight))]
    alpha, gamma = effective_llg(-value.real, value.imag, stiffness)
    return Resonance(magnet, m0[j].copy(), m0, float(value.imag), float(-value.real), alpha,
                     gamma, stiffness, values)


def _modes(sim, m0, drive, pumping):
    """(eigenvalues, eigenvectors, fastest growth rate (1/s; ≤ 0 for a stable state)) of the
    linearised dynamics about ``m0``."""
    jac, _ = tangent_jacobian(sim, m0, drive=drive, pumping=pumping)
    values, vectors = np.linalg.eig(jac)
    scale = np.abs(values).max(initial=0.0)
    grow = float(values.real.max(initial=0.0))
    return values, vectors, grow if grow > 1e-9 * scale else 0.0


@dataclass(frozen=True)
class RingDown:
    """A fitted ring-down: x(t) = e^{−Γt}(a cos ωt + b sin ωt) + c of each transverse
    component of the magnet. ``time`` (S,) s, ``signal`` (S, 2) the tangent components
    (rad) about the equilibrium, ``angular_frequency`` ω (rad/s), ``decay_rate`` Γ (1/s)."""

    angular_frequency: float
    decay_rate: float
    time: np.ndarray = field(repr=False)
    signal: np.ndarray = field(repr=False)

    @property
    def frequency(self) -> float:
        """f = ω/2π (Hz)."""
        return self.angular_frequency / (2 * math.pi)


def ring_down(simulation, magnet: str, *, tilt: float = 1e-4, periods: float = 60.0,
              samples: int = 32, initial=None, rtol: float = 1e-10,
              atol: float = 1e-12) -> RingDown:
    """Tilt ``magnet`` by ``tilt`` (rad) from its equilibrium, integrate ``periods``
    precession periods with the package's integrator (rk45, tolerances ``rtol``, ``atol``;
    static drives; the simulation's spin pumping, if it pumps, as in :func:`resonance`'s
    default) saving ``samples`` instants per period, and fit a damped sinusoid to the
    transverse components (Prony's linear prediction, refined by least squares). The period
    is taken from :func:`resonance` only to size the run; the fit does not use its Γ or ω.
    The fit assumes one mode: with several coupled dynamic magnets the tilt excites all the
    modes it overlaps, and the fit checks the magnet's mode only when it dominates."""
    sim = _simulation(simulation)
    tilt = real(tilt, "tilt", "rad", DynamicsError)
    if not 0 < tilt < 0.1:
        raise DynamicsError("tilt", f"a small angle in (0, 0.1) rad, got {tilt!r}")
    guide = resonance(sim, magnet, initial=initial)
    m0, j = guide.equilibria, sim.names.index(magnet)
    basis = tangent_bases(m0)
    start = m0.copy()
    start[j] = math.cos(tilt) * m0[j] + math.sin(tilt) * basis[j, 0]
    period = 2 * math.pi / guide.angular_frequency
    until = periods * period
    static = Simulation(sim.circuit, sim.magnets, {}, sim.torque, sim.slonczewski,
                        pumping=sim.pumping)
    traj = static.run(until, n_save=int(periods * samples) + 1, initial=start, method="rk45",
                      rtol=rtol, atol=atol, max_step=period / 20)
    m = traj.magnetization(magnet)[0]
    signal = np.einsum("ac,sc->sa", basis[j], m - m0[j])
    decay, omega = fit_damped_sinusoid(traj.time, signal)
    return RingDown(omega, decay, traj.time, signal)


def fit_damped_sinusoid(time: np.ndarray, signal: np.ndarray) -> tuple[float, float]:
    """(Γ (1/s), ω (rad/s)) of x(t) = e^{−Γt}(a cos ωt + b sin ωt) + c fitted to every column of
    ``signal`` (S, n) sampled at the evenly spaced ``time`` (S,) s, with common Γ and ω."""
    from scipy.optimize import least_squares

    dt = float(time[1] - time[0])
    x = np.asarray(signal, float).reshape(len(time), -1) / np.abs(signal).max()
    # Prony: x_{n+3} = p2 x_{n+2} + p1 x_{n+1} + p0 x_n for a pair and a constant
    rows = np.concatenate([np.stack([x[i:len(x) - 3 + i, c] for i in range(3)], axis=1)
                           for c in range(x.shape[1])])
    rhs = np.concatenate([x[3:, c] for c in range(x.shape[1])])
    p = np.linalg.lstsq(rows, rhs, rcond=None)[0]
    roots = np.roots([1.0, -p[2], -p[1], -p[0]])
    z = roots[np.argmax(roots.imag)]
    s = np.log(z) / dt
    t = (time - time[0]) / dt

    def residuals(q):  # q = (Γ dt, ω dt): the linear coefficients solved for each column
        env = np.exp(-q[0] * t)
        basis = np.stack([env * np.cos(q[1] * t), env * np.sin(q[1] * t), np.ones_like(t)], 1)
        coef = np.linalg.lstsq(basis, x, rcond=None)[0]
        return (basis @ coef - x).ravel()

    q = least_squares(residuals, [-s.real * dt, abs(s.imag) * dt], x_scale="jac",
                      xtol=1e-15, ftol=1e-15, gtol=1e-15).x
    return float(q[0] / dt), float(q[1] / dt)
