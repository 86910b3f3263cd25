"""Hanle precession in a Cu lateral spin valve: electrical and thermal spin injection.

A field B perpendicular to the in-plane magnetizations turns the spins on their way from the
injector to the detector (ω_L = γB) while they relax (τ_sf = λ²/D): the non-local signal
ΔR = R(P) − R(AP) falls, reverses sign and decays as B grows.

(a) Tunnel contacts: the circuit solver (markers) against the closed form of Johnson and
Silsbee, ΔR(B) = P²R_N Re[e^{−(L/λ)√(1 − iωτ)}/√(1 − iωτ)] (lines), for two distances.
(b) A permalloy injector strip through a transparent contact, as in the thermal spin injection
of Slachter et al. (Nat. Phys. 6, 879 (2010)): the first-harmonic (electrical, R₁) and the
second-harmonic (Joule heat through S_s, R₂) spin signals, each over its B = 0 value. The
thermally injected spins precess exactly like the electrically injected ones (both enter the
channel at the same contact), and both curves are broader than the tunnel limit: the
transparent contact absorbs the transverse spins (contact-induced spin relaxation).

Cu: database spin-flip length and free-electron density of states (τ_sf = λ²e²νρ) with a film
resistivity; Py: database values, S_s = −3.8 µV/K of Slachter et al. The geometry (100 × 50 nm²
wires) is illustrative, and the magnetizations are held in plane: in a real valve fields of
a few tesla (needed for ωτ ~ 1 with Cu's room-temperature τ of a few ps) would pull permalloy
out of plane.

Run:  python examples/hanle_lsv.py [--output hanle_lsv.png] [--overwrite]
"""

from __future__ import annotations

import argparse

import numpy as np

from spincaloric import ContactParameters
from spincaloric.constants import gyromagnetic_ratio
from spincaloric.io.scripts import figure_arguments, save_figure
from spincaloric.layers import lateral_spin_valve, nonlocal_resistances
from spincaloric.layers.drift_diffusion import hanle_nonlocal_signal
from spincaloric.materials import bulk_material

T = 300.0
AREA = 100e-9 * 50e-9  # m²
CU = bulk_material("Cu", resistivity=3.0e-8)  # a film
PY = bulk_material("Py", spin_seebeck=-3.8e-6)
R_N = CU.resistivity * CU.spin_flip_length / AREA  # Ω, the channel's spin resistance
TUNNEL = ContactParameters.from_paper(conductance=1e-6 / R_N, polarization=0.3, mixing=0.5,
                                      seebeck=0.0, polarization_derivative=0.0,
                                      mixing_derivative=0.0, temperature=T)
LINK = ContactParameters.spin_independent(conductance=1.0, temperature=T)  # transparent
DETECTOR = ContactParameters.from_paper(conductance=1.0, polarization=0.3, mixing=0.5,
                                        seebeck=0.0, polarization_derivative=0.0,
                                        mixing_derivative=0.5, temperature=T)


def valve(field, distance, detector_sign, thermal):
    """The valve in a field (T) along z; magnetizations along ±x; ``thermal``: the Py strip."""
    m = (detector_sign, 0, 0)
    extra = (dict(injector=LINK, detector=DETECTOR, injector_layer=PY, injector_length=100e-9,
                  injector_cells=20) if thermal else dict(injector=TUNNEL, detector=TUNNEL))
    return lateral_spin_valve(CU, length=10e-6, cross_section=AREA, injector_at=4e-6,
                              detector_at=4e-6 + distance, cells=1000, temperature=T,
                              injector_magnetization=(1, 0, 0), detector_magnetization=m,
                              hanle_field=(0, 0, field), **extra).finalize()


def signals(field, distance, thermal=False, current=1e-8):
    """(ΔR₁ (Ω), ΔR₂ (V/A²)) at ``field`` (T) and injector–detector ``distance`` (m). Both are
    per ampere (squared), whatever ``current`` (A): it only has to keep the biases within
    linear response (10 nA across the 1 MΩ tunnel contacts: 12 mV, below k_BT/e)."""
    r = [nonlocal_resistances(valve(field, distance, s, thermal), current) for s in (1, -1)]
    return r[0][0] - r[1][0], r[0][1] - r[1][1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    figure_arguments(ap, "hanle_lsv.png")
    args = ap.parse_args(argv)
    tau = CU.spin_lifetime
    print(f"Cu: λ = {CU.spin_flip_length * 1e9:.0f} nm, τ_sf = λ²e²νρ = {tau * 1e12:.2f} ps; "
          f"ωτ = 1 at B = {1 / (gyromagnetic_ratio() * tau):.3f} T")
    fields = np.linspace(-4.0, 4.0, 41)  # T
    zero = 20  # the index of B = 0
    tunnel = {}
    for distance in (0.5e-6, 1.0e-6):
        solved = np.array([signals(b, distance)[0] for b in fields])
        closed = np.array([hanle_nonlocal_signal(CU, AREA, distance, polarization=0.3, field=b,
                                                 spin_lifetime=tau) for b in fields])
        tunnel[distance] = (solved, closed)
        err = np.abs(solved - closed).max() / abs(closed).max()
        print(f"tunnel contacts, L = {distance * 1e6:.1f} µm: ΔR(0) = {closed[zero] * 1e3:.3f} mΩ; "
              f"solver vs Johnson–Silsbee, max |difference| / ΔR(0): {err:.2e}")
    thermal = np.array([signals(b, 1.0e-6, thermal=True) for b in fields])
    r1, r2 = thermal[:, 0] / thermal[zero, 0], thermal[:, 1] / thermal[zero, 1]
    print(f"Py strip, L = 1.0 µm: ΔR₁(0) = {thermal[zero, 0] * 1e3:.3f} mΩ, "
          f"ΔR₂(0) = {thermal[zero, 1]:.3g} µV/mA²; shapes ΔR₁(B)/ΔR₁(0) and "
          f"ΔR₂(B)/ΔR₂(0), max |difference|: {np.abs(r1 - r2).max():.2e}")
    tl = tunnel[1.0e-6][1] / tunnel[1.0e-6][1][zero]
    # the field at half height, interpolated on B ≥ 0 (the curves fall monotonically there
    # down to their zero crossing)
    half = []
    for c in (tl, r1):
        up = fields[zero:]
        k = int(np.argmax(c[zero:] < 0.5))
        half.append(np.interp(0.5, [c[zero + k], c[zero + k - 1]], [up[k], up[k - 1]]))
    print(f"half-height field (L = 1 µm): tunnel limit {abs(half[0]):.2f} T, "
          f"transparent Py injector {abs(half[1]):.2f} T (contact-induced spin relaxation)")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    for (distance, (solved, closed)), color in zip(tunnel.items(), ("C0", "C1")):
        a.plot(fields, closed * 1e3, color=color, label=f"Johnson–Silsbee, L = "
               f"{distance * 1e6:.1f} µm")
        a.plot(fields, solved * 1e3, "o", color=color, ms=4, mfc="none", label="circuit solver")
    a.axhline(0, color="0.7", lw=0.8)
    a.set(xlabel="field B (T)", ylabel="ΔR = R_P − R_AP (mΩ)",
          title="(a) tunnel contacts, P = 0.3")
    a.legend(fontsize=8)
    b.plot(fields, tl, "k-", lw=1, label="tunnel limit (closed form)")
    b.plot(fields, r1, "C2-", label="electrical, ΔR₁(B)/ΔR₁(0)")
    b.plot(fields, r2, "C3--", label="thermal (Joule heat, S_s), ΔR₂(B)/ΔR₂(0)")
    b.axhline(0, color="0.7", lw=0.8)
    b.set(xlabel="field B (T)", ylabel="normalized spin signal",
          title="(b) Py injector strip, L = 1 µm")
    b.legend(fontsize=8, loc="upper right")
    save_figure(fig, args)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
