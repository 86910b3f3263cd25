"""Closed forms of the continuum two-current (Valet–Fert) drift–diffusion model.

Independent of the circuit solver (which reaches them as its mesh is refined, see
docs/layers.md): references for checking a discretised device, and quick estimates.

* :func:`cpp_resistance_area` — the exact CPP resistance–area product of a stack of bulk
  layers and spin-dependent interface resistances between two normal leads (Valet & Fert,
  Phys. Rev. B 48, 7099 (1993), solved exactly, any thicknesses).
* :func:`nonlocal_spin_signal` — the non-local spin signal ΔR = R_P − R_AP of a lateral spin
  valve (Takahashi & Maekawa, Phys. Rev. B 67, 052409 (2003), eq. 6 form).
* :func:`thermal_spin_accumulation` — the spin accumulation a temperature gradient in a
  ferromagnet injects into a normal metal at an open-circuit F|N junction (the mechanism of
  Slachter et al., Nat. Phys. 6, 879 (2010)).

Units: SI. β = (σ↑ − σ↓)/σ; spin accumulation V_s = (μ↑ − μ↓)/e (V).

>>> from spincaloric.layers import BulkMaterial
>>> cu = BulkMaterial(resistivity=20e-9, spin_flip_length=500e-9)
>>> r_n = cu.resistivity * cu.spin_flip_length / 5e-15          # ρλ/A (Ω)
>>> tunnel = nonlocal_spin_signal(cu, 5e-15, 500e-9, injector=(0.3, 1e3 * r_n))
>>> round(tunnel / (0.3**2 * r_n * math.exp(-1)), 2)              # the tunnel limit P²R_N e^{−L/λ}
1.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..circuit.device import DeviceError
from .multilayer import BulkMaterial


@dataclass(frozen=True)
class SpinResistor:
    """A spin-dependent interface resistance of a CPP stack: r↑,↓ = 2 AR*(1 ∓ γ) (Ω m²),
    ``resistance_area`` AR* > 0, ``asymmetry`` γ in (−1, 1); ``orientation`` +1 or −1 flips
    the spin axis (an antiparallel magnet)."""

    resistance_area: float
    asymmetry: float = 0.0
    orientation: int = 1

    def __post_init__(self):
        if not (math.isfinite(self.resistance_area) and self.resistance_area > 0):
            raise DeviceError("resistance_area", f"must be positive (Ω m²), got "
                              f"{self.resistance_area!r}")
        if not (math.isfinite(self.asymmetry) and abs(self.asymmetry) < 1):
            raise DeviceError("asymmetry", f"must lie in (-1, 1), got {self.asymmetry!r}")
        if self.orientation not in (1, -1):
            raise DeviceError("orientation", f"must be +1 or -1, got {self.orientation!r}")


def cpp_resistance_area(stack: Sequence) -> float:
    """Exact CPP resistance–area product AR (Ω m²) of ``stack`` between two normal leads that
    are ideal spin sinks (μ↑ = μ↓ at both ends).

    stack : items ``(material, thickness)`` or ``(material, thickness, orientation)`` — a
        :class:`~spincaloric.layers.BulkMaterial` layer of thickness (m), orientation ±1 of its
        spin axis (−1: antiparallel) — and :class:`SpinResistor` interfaces. Neighbouring
        layers without a SpinResistor join with continuous potentials.

    In each layer μ_s = μ↑ − μ↓ solves μ_s'' = μ_s/λ² and μ↑' = (−J + σ↓μ_s')/σ; the
    potentials and spin currents match at layer boundaries, and an interface makes μ_σ jump
    by r_σ j_σ. The linear system for (μ_s at both ends, μ↑ at the start) per layer and J is
    solved directly; it stays well conditioned from t/λ → 0 to t/λ → ∞.
    """
    layers, jumps = _cpp_stack(stack)
    n = len(layers)
    size = 3 * n + 1

    def coef(i, at_end, what):
        """Row of μ_s, μ↑ or j↑ at the start or the end of layer i in the unknowns. In a layer
        of thickness t, μ_s(x) = A sinh((t − x)/λ)/sinh(t/λ) + B sinh(x/λ)/sinh(t/λ), so A and
        B are μ_s at its ends (well conditioned for any t/λ); μ↑ follows from
        μ↑' = (−J + σ↓μ_s')/σ and j↑ = σ↑J/σ − (σ↑σ↓/σ)μ_s'."""
        mat, t, sign = layers[i]
        lam, sig, b = mat.spin_flip_length, mat.conductivity, sign * mat.spin_asymmetry
        su, sd = (1 + b) * sig / 2, (1 - b) * sig / 2
        u = t / lam
        small = math.exp(-2 * u)
        coth = (1 + small) / -math.expm1(-2 * u) / lam  # coth(u)/λ, csch(u)/λ without overflow
        csch = 2 * math.exp(-u) / -math.expm1(-2 * u) / lam
        a, bb, mu0 = 3 * i, 3 * i + 1, 3 * i + 2
        r = np.zeros(size)
        if what == "mus":
            r[bb if at_end else a] = 1.0
        elif what == "mup":
            r[mu0] = 1.0
            if at_end:
                r[a], r[bb], r[-1] = -sd / sig, sd / sig, -t / sig
        elif what == "jup":  # μ_s'(0) = −A coth/λ + B csch/λ, μ_s'(t) = −A csch/λ + B coth/λ
            slope_a, slope_b = (-csch, coth) if at_end else (-coth, csch)
            r[a], r[bb] = -su * sd / sig * slope_a, -su * sd / sig * slope_b
            r[-1] = su / sig
        return r

    def jump(res, jup):
        """(Δμ↑, Δμ_s) rows across an interface carrying j↑ (row) and J − j↑."""
        if res is None:
            return np.zeros(size), np.zeros(size)
        g = res.orientation * res.asymmetry
        r_up, r_dn = 2 * res.resistance_area * (1 - g), 2 * res.resistance_area * (1 + g)
        total = np.zeros(size)
        total[-1] = 1.0
        d_up = r_up * jup
        d_dn = r_dn * (total - jup)
        return d_up, d_up - d_dn

    # left lead: μ↑ = μ↓ = 1 V (in units of the bias), an interface may sit right after it
    d_up, d_s = jump(jumps[0], coef(0, False, "jup"))
    rows = [coef(0, False, "mup") + d_up, coef(0, False, "mus") + d_s]
    rhs = [1.0, 0.0]
    for i in range(n - 1):
        d_up, d_s = jump(jumps[i + 1], coef(i, True, "jup"))
        rows.append(coef(i, True, "mup") - d_up - coef(i + 1, False, "mup"))
        rows.append(coef(i, True, "mus") - d_s - coef(i + 1, False, "mus"))
        rows.append(coef(i, True, "jup") - coef(i + 1, False, "jup"))
        rhs += [0.0, 0.0, 0.0]
    d_up, d_s = jump(jumps[-1], coef(n - 1, True, "jup"))
    rows += [coef(n - 1, True, "mup") - d_up, coef(n - 1, True, "mus") - d_s]
    rhs += [0.0, 0.0]
    solution = np.linalg.solve(np.array(rows), np.array(rhs))
    return 1.0 / solution[-1]


def _cpp_stack(stack: Sequence) -> tuple[list, list]:
    """The layers (material, thickness (m), orientation ±1) of a CPP stack and, one more, the
    SpinResistor before each layer and before the right lead (or None)."""
    layers, jumps = [], []  # jumps[i]: the SpinResistor before layer i (or None)
    pending = None
    for k, item in enumerate(stack):
        if isinstance(item, SpinResistor):
            if pending is not None:
                raise DeviceError(f"stack[{k}]", "two interface resistances in a row")
            pending = item
            continue
        try:
            material, thickness, *rest = item
        except (TypeError, ValueError):
            raise DeviceError(f"stack[{k}]", "expected (material, thickness[, orientation]) "
                              "or a SpinResistor") from None
        orientation = rest[0] if rest else 1
        if not isinstance(material, BulkMaterial):
            raise DeviceError(f"stack[{k}]", f"not a BulkMaterial: {material!r}")
        if not (math.isfinite(thickness) and thickness > 0):
            raise DeviceError(f"stack[{k}]", f"thickness must be positive (m), got {thickness!r}")
        if orientation not in (1, -1):
            raise DeviceError(f"stack[{k}]", f"orientation must be +1 or -1, got {orientation!r}")
        layers.append((material, float(thickness), orientation))
        jumps.append(pending)
        pending = None
    if not layers:
        raise DeviceError("stack", "needs at least one layer")
    jumps.append(pending)  # before the right lead
    return layers, jumps


def nonlocal_spin_signal(channel: BulkMaterial, cross_section: float, distance: float, *,
                         injector: tuple[float, float], detector: tuple[float, float] | None = None,
                         ferromagnet: BulkMaterial | None = None,
                         junction_area: float | None = None) -> float:
    """Non-local spin signal ΔR = R_P − R_AP (Ω) of a lateral spin valve with an infinitely long
    normal channel (Takahashi & Maekawa 2003):

    ΔR = 4R_N e^{−L/λ} Π_i [P_i r_i + p_F r_F] / (Π_i [1 + 2r_i + 2r_F] − e^{−2L/λ}),

    with r_i = R_i/[R_N(1 − P_i²)], r_F = R_F/[R_N(1 − p_F²)], R_N = ρ_N λ_N/A_N (the channel's
    spin resistance), R_F = ρ_F λ_F/A_J (not divided by 1 − p_F², the common slip) and
    p_F = β of the ferromagnet.

    channel : the normal channel's material; cross_section A_N (m²); distance L (m) between
    the contacts. injector, detector : (interface polarization P_i, interface resistance R_i
    (Ω)) (detector defaults to the injector's). ferromagnet, junction_area : the injector's
    and detector's bulk material and contact area A_J (m²), omitted for spin injection by the
    interfaces alone (R_F = 0). Limits: tunnel contacts, P²R_N e^{−L/λ}; transparent contacts
    without interface polarization, 4R_N p_F² r_F² e^{−L/λ}/((1 + 2r_F)² − e^{−2L/λ}).
    """
    for name, value in (("cross_section", cross_section), ("distance", distance)):
        if not (math.isfinite(value) and value > 0):
            raise DeviceError(name, f"must be positive (m or m²), got {value!r}")
    detector = injector if detector is None else detector
    for name, (p, r) in (("injector", injector), ("detector", detector)):
        if not (math.isfinite(p) and abs(p) < 1):
            raise DeviceError(name, f"polarization must lie in (-1, 1), got {p!r}")
        if not (math.isfinite(r) and r >= 0):
            raise DeviceError(name, f"resistance must be ≥ 0 (Ω), got {r!r}")
    r_n = channel.resistivity * channel.spin_flip_length / cross_section
    if ferromagnet is None:
        r_f, p_f = 0.0, 0.0
    else:
        if not (junction_area is not None and math.isfinite(junction_area) and junction_area > 0):
            raise DeviceError("junction_area", "give the contact area A_J (m²) with a ferromagnet")
        r_f = (ferromagnet.resistivity * ferromagnet.spin_flip_length / junction_area
               / (r_n * (1 - ferromagnet.spin_asymmetry**2)))
        p_f = ferromagnet.spin_asymmetry
    decay = math.exp(-distance / channel.spin_flip_length)
    numerator, denominator = 4 * r_n * decay, 1.0
    for p, r in (injector, detector):
        r_i = r / (r_n * (1 - p * p))
        numerator *= p * r_i + p_f * r_f
        denominator *= 1 + 2 * r_i + 2 * r_f
    return numerator / (denominator - decay**2)


def hanle_nonlocal_signal(channel: BulkMaterial, cross_section: float, distance: float, *,
                          polarization: float, field: float, spin_lifetime: float) -> float:
    """Non-local spin signal ΔR(B) = R_P − R_AP (Ω) of a lateral spin valve with tunnel
    contacts in a field B (T) perpendicular to the (parallel or antiparallel) magnetizations
    (Johnson & Silsbee; Jedema et al., Nature 416, 713 (2002)):

    ΔR(B) = P² R_N Re[e^{−(L/λ)√(1 − iω_Lτ)}/√(1 − iω_Lτ)],  ω_L = γB,  R_N = ρλ/A_N,

    the solution of D∂²V⃗_s = V⃗_s/τ − ω⃗_L × V⃗_s in an infinite channel fed by a point source
    (λ = √(Dτ)); at B = 0 it is Takahashi–Maekawa's tunnel limit P²R_N e^{−L/λ}. The tunnel
    limit: contacts that neither absorb nor reflect spin (R_i ≫ R_N).

    channel : the channel's material (ρ, λ); cross_section A_N (m²); distance L (m);
    polarization P of the contacts; field B (T); spin_lifetime τ (s), e.g.
    ``channel.spin_lifetime``.
    """
    import cmath

    from ..constants import gyromagnetic_ratio

    for name, value in (("cross_section", cross_section), ("distance", distance),
                        ("spin_lifetime", spin_lifetime)):
        if not (math.isfinite(value) and value > 0):
            raise DeviceError(name, f"must be positive (m, m² or s), got {value!r}")
    if not (math.isfinite(polarization) and abs(polarization) <= 1):
        raise DeviceError("polarization", f"must lie in [-1, 1], got {polarization!r}")
    if not math.isfinite(field):
        raise DeviceError("field", f"must be finite (T), got {field!r}")
    r_n = channel.resistivity * channel.spin_flip_length / cross_section
    k = cmath.sqrt(1 - 1j * gyromagnetic_ratio() * field * spin_lifetime)
    return polarization**2 * r_n * (cmath.exp(-distance / channel.spin_flip_length * k) / k).real


def thermal_spin_accumulation(ferromagnet: BulkMaterial, normal: BulkMaterial,
                              temperature_gradient: float) -> float:
    """Spin accumulation V_s(0) = (μ↑ − μ↓)/e (V) at an open-circuit junction of a
    semi-infinite ferromagnet and a semi-infinite normal metal, with the temperature gradient
    dT/dx (K/m) in the ferromagnet next to the junction, x running from F into N:

    V_s(0) = S_s (dT/dx) λ_F R_N/(R_F + R_N),  R_F = λ_F/[σ_F(1 − β²)],  R_N = λ_N/σ_N,

    S_s = S↑ − S↓ of the ferromagnet; in N, V_s(x) = V_s(0) e^{−x/λ_N}. (A hotter ferromagnet,
    dT/dx < 0, with S_s < 0 accumulates majority spins: V_s > 0.)"""
    if not math.isfinite(temperature_gradient):
        raise DeviceError("temperature_gradient", "must be finite (K/m)")
    r_f = ferromagnet.spin_flip_length / (ferromagnet.conductivity
                                          * (1 - ferromagnet.spin_asymmetry**2))
    r_n = normal.spin_flip_length / normal.conductivity
    return (ferromagnet.spin_seebeck * temperature_gradient * ferromagnet.spin_flip_length
            * r_n / (r_f + r_n))
