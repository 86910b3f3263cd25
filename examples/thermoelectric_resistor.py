r"""A new contact kind in one file: a spin-independent thermoelectric resistor.

A resistor of conductance G (S) and Seebeck coefficient S (V/K) whose heat conductance κ (W/K)
is its own (phonons and electrons together), not the electrons' Wiedemann–Franz value L0 T G.
Between two normal nodes, in the theory variables of docs/physics.md §2 (a = e L0 T,
a G' = −G S), its current J = K ΔX is

    I_c = G ΔV_c − G S ΔT_c             I⃗_s = (G/2) ΔV⃗_s − (G S/2) ΔT⃗_s
    Q_c = −T G S ΔV_c + κ ΔT_c          Q⃗_s = −(T G S/2) ΔV⃗_s + (L0 T G/2) ΔT⃗_s

the K of a spin-independent contact (G↑ = G↓ = G↑↓ = G/2) with its Wiedemann–Franz entry
L0 T G replaced by κ. It is Onsager symmetric (K_Qc,Vc = T K_Ic,Tc) and produces no entropy of
either sign iff G > 0, |S| ≤ √L0 (the spin channels keep Wiedemann–Franz) and κ ≥ T G S².
The energy-resolved solver sees its electrons, G(ε) = G + G'ε; the part κ − L0 T G it
carries beside them is its ``heat_conductance`` (the energy-resolved solver, electrons only,
refuses it unless zero). docs/contact-kinds.md explains every method.

Run ``python examples/thermoelectric_resistor.py`` for a thermocouple-like demonstration.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

import numpy as np

from spincaloric import Device
from spincaloric.circuit.contacts import ContactError
from spincaloric.circuit.kinds import ContactGroup, check_parameters, register
from spincaloric.constants import ELEMENTARY_CHARGE, LORENZ, SEEBECK_BOUND
from spincaloric.errors import DeviceError
from spincaloric.validation import real


@dataclass(frozen=True)
class ThermoelectricResistor:
    """conductance G (S) > 0, seebeck S (V/K), heat_conductance κ (W/K) ≥ T G S²."""

    conductance: float
    seebeck: float
    heat_conductance: float

    def validate(self, temperature: float) -> None:
        """Raise ContactError (naming the field) unless physical at ``temperature`` (K)."""
        g, s, kappa = (real(getattr(self, k), k, error=ContactError)
                       for k in ("conductance", "seebeck", "heat_conductance"))
        if not g > 0:
            raise ContactError("conductance", f"must be positive (S), got {g!r}")
        if not abs(s) <= SEEBECK_BOUND:
            raise ContactError("seebeck", f"|S| must not exceed sqrt(L0) = "
                               f"{SEEBECK_BOUND * 1e6:.1f} uV/K, got {s * 1e6:.4g} uV/K")
        if not kappa >= temperature * g * s * s:
            raise ContactError("heat_conductance", f"must be at least T G S² = "
                               f"{temperature * g * s * s:.3g} W/K (the second law), got "
                               f"{kappa:.3g} W/K")


@register
@dataclass(frozen=True, eq=False)
class ThermoelectricResistors(ContactGroup):
    """The kind: arrays (k,) of G (S), S (V/K) and κ (W/K) of every such contact."""

    g: np.ndarray
    s: np.ndarray
    kappa: np.ndarray

    @classmethod
    def claims(cls, spec) -> bool:
        return isinstance(spec.parameters, ThermoelectricResistor)

    @classmethod
    def check(cls, where, spec, ferro, mag_rows, temperature) -> None:
        if ferro[0] or ferro[1]:
            raise DeviceError(f"{where}.between", "a thermoelectric resistor joins two normal "
                              "nodes")
        if spec.bulk or spec.spectrum is not None or spec.heat_conductance:
            raise DeviceError(where, "a thermoelectric resistor is neither a bulk cell nor "
                              "a spectrum; give its heat conductance in its parameters")
        check_parameters(where, spec.parameters, temperature)

    @classmethod
    def build(cls, contacts, ends, labels, specs, ferro, temperature):
        g, s, kappa = (np.array([getattr(x.parameters, k) for x in specs], float)
                       for k in ("conductance", "seebeck", "heat_conductance"))
        return cls(contacts, ends, labels, temperature, kappa - LORENZ * temperature * g,
                   g, s, kappa)

    def parameters(self, i: int) -> ThermoelectricResistor:
        return ThermoelectricResistor(float(self.g[i]), float(self.s[i]), float(self.kappa[i]))

    @property
    def conductance(self) -> np.ndarray:
        return self.g

    def response(self, m, which=None):
        """K (k, 1…, 8, 8), the same for every magnetization (m (n, *B, 3) sets the batch)."""
        sel = slice(None) if which is None else which
        g, s, kappa, t = self.g[sel], self.s[sel], self.kappa[sel], self.temperature
        k = np.zeros((len(g), 8, 8))
        k[:, 0, 0], k[:, 0, 4] = g, -g * s
        k[:, 4, 0], k[:, 4, 4] = -t * g * s, kappa
        for i in range(1, 4):
            k[:, i, i], k[:, i, 4 + i] = g / 2, -g * s / 2
            k[:, 4 + i, i], k[:, 4 + i, 4 + i] = -t * g * s / 2, LORENZ * t * g / 2
        k = k.reshape((len(g),) + (1,) * (m.ndim - 2) + (8, 8))
        return k, k

    def spectral_blocks(self, eps, m, window, span, curvature):
        """Both spins conduct G(ε)/2 = (G + G'ε)/2 (Mott: G' = −G S/(e L0 T)), floored at
        1e-12 G where the line would turn negative outside the Fermi window."""
        if curvature:
            raise DeviceError(self.labels[min(curvature)], "takes no curvature")
        slope = -self.g * self.s / (ELEMENTARY_CHARGE * LORENZ * self.temperature)
        g = self.g[None] + slope[None] * eps[:, None]  # (E, k)
        inside = np.abs(eps) <= window
        if (g[inside] < 0).any():
            i = int(np.flatnonzero((g[inside] < 0).any(axis=0))[0])
            raise DeviceError(self.labels[i], "G(ε) = G + G'ε is negative inside the Fermi "
                              "window")
        g = np.maximum(g, 1e-12 * self.g[None])
        k = np.zeros(g.shape + (4, 4))
        k[..., 0, 0] = g
        for i in range(1, 4):
            k[..., i, i] = g / 2
        return k, k


def thermocouple(conductance=1e-2, seebeck=20e-6, kappa=5e-4, delta_t=10.0, temperature=300.0):
    """Two normal leads joined by the resistor, the right one open (zero current) and
    ``delta_t`` (K) colder: returns (thermovoltage (V), heat current (W))."""
    dev = Device(temperature=temperature)
    dev.add_node("hot", "normal", reservoir=True, temperature=temperature + delta_t / 2)
    dev.add_node("cold", "normal", reservoir=True, current=0.0,
                 temperature=temperature - delta_t / 2)
    dev.add_contact("hot", "cold", ThermoelectricResistor(conductance, seebeck, kappa))
    sol = dev.finalize().solve()
    return float(sol.state("cold").voltage - sol.state("hot").voltage), \
        float(sol.contacts[0].heat_current)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--output", help="unused (no figure); kept for the gallery runner")
    ap.parse_args()
    g, s, kappa, dt, t = 1e-2, 20e-6, 5e-4, 10.0, 300.0
    v, q = thermocouple(g, s, kappa, dt, t)
    print(f"open-circuit thermovoltage: {v * 1e6:.4f} uV (S ΔT = {s * dt * 1e6:.4f} uV)")
    print(f"heat current: {q * 1e3:.6f} mW ((κ − T G S²) ΔT = "
          f"{(kappa - t * g * s * s) * dt * 1e3:.6f} mW)")


if __name__ == "__main__":
    main()
