r"""A laser pulse as the heat it deposits in the circuit's nodes (heat drives, W).

A pulse of incident fluence F (J/m², per pulse, at the centre of the spot) falls on a device of
cross-section a (m²) small compared with the spot, so that the fluence is uniform over it. A
pulse of energy E (J) in a Gaussian spot of 1/e² intensity radius w (m) has the peak fluence

.. math::

    F = \frac{2E}{\pi w^2}.

Node n absorbs the fraction A_n of it: given, or from Beer–Lambert attenuation with the optical
penetration depth δ (m; δ = λ/(4πk) for the extinction coefficient k at the wavelength λ) for
a node standing for the depths z₁ < z₂ (m) below the surface, behind a surface of reflectance R:

.. math::

    A_n = (1 − R)\,\big(e^{−z_1/δ} − e^{−z_2/δ}\big).

Its electrons receive the absorbed power as a Gaussian pulse of full width at half maximum τ
(s) centred at t_c (s), whose time integral is the absorbed energy F A_n a (the pulse is cut
off before t = 0, where the run starts, and centred at least 5σ after it: the cut-off tail
holds 3·10⁻⁷ of the energy):

.. math::

    P_n(t) = \frac{F A_n a}{σ\sqrt{2π}}\, e^{−(t − t_c)^2/2σ^2},
    \qquad σ = \frac{τ}{2\sqrt{2\ln 2}}.

Stated approximations: the device is small compared with the spot (a ≪ πw²/2); one penetration
depth for the whole stack, and neither thin-film interference nor reflections at buried
interfaces (give ``absorbed`` fractions from a transfer-matrix calculation where they matter);
the energy is deposited where it is absorbed (no ballistic or superdiffusive transport of the
hot electrons); the pulse heats the electrons, which share it with the lattice through G_ep in
two-temperature nodes (:meth:`~spincaloric.circuit.device.Device.add_node`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..validation import real
from .drives import DriveError, GaussianPulse

#: σ = FWHM / FWHM_PER_SIGMA for a Gaussian: 2 √(2 ln 2).
FWHM_PER_SIGMA = 2.0 * math.sqrt(2.0 * math.log(2.0))
#: The pulse lies after t = 0: its centre at least this many σ after it (the power is cut off
#: before t = 0, which leaves out 3e-7 of the energy at 5σ).
LEAD_SIGMAS = 5.0


@dataclass(frozen=True, kw_only=True)
class AbsorbedPulse(GaussianPulse):
    """A :class:`~.drives.GaussianPulse` of absorbed laser power (W) that is zero before t = 0.

    A run starts from the steady state of the drives just before t = 0: a Gaussian's tail
    there would heat a weakly cooled node by P(0)/K in that steady state, which for a thermal
    time C/K ≫ σ can exceed the pulse's own heating E/C. Cut off, the light arrives at t ≥ 0
    only.

    >>> p = AbsorbedPulse(amplitude=1.0, center=5e-13, width=1e-13)
    >>> float(p(-1e-15)), float(p(0.0)) > 0, float(p(5e-13))
    (0.0, True, 1.0)
    """

    def __call__(self, t):
        t = np.asarray(t, float)
        return np.where(t < 0.0, self.base or 0.0, super().__call__(t))

    def breakpoints(self):
        return np.array([0.0])


#: The largest device area, as a share of π w², that a spot of 1/e² radius w covers uniformly
#: to 10 % (the fluence at the disc's rim, e^{−2r²/w²} with π r² = π w²/20, is 0.905 F).
SPOT_SHARE = 0.05

def _value(name: str, v, unit: str, *, low: float = 0.0, strict: bool = False,
           high: float | None = None) -> float:
    """A finite number ≥ ``low`` (> with ``strict``) and ≤ ``high``, or a DriveError naming it."""
    v = real(v, name, unit, DriveError)
    if v < low or (strict and v == low) or (high is not None and v > high):
        rule = f"{'>' if strict else '>='} {low:g}" + (f" and <= {high:g}" if high is not None
                                                       else "")
        raise DriveError(name, f"must be {rule} ({unit}), got {v:g}")
    return v


def peak_fluence(energy: float, spot_radius: float) -> float:
    """F = 2E/(πw²) (J/m²): the fluence at the centre of a Gaussian spot of 1/e² radius
    ``spot_radius`` w (m) for a pulse of ``energy`` E (J).

    >>> round(peak_fluence(1e-9, 10e-6), 4)   # 1 nJ in a 10 µm spot: 0.64 mJ/cm²
    6.3662
    """
    energy = _value("energy", energy, "J")
    w = _value("spot_radius", spot_radius, "m", strict=True)
    return 2.0 * energy / (math.pi * w * w)


def beer_lambert(depths: Mapping, penetration_depth: float, reflectance: float = 0.0) -> dict:
    """{node: A_n}, the fraction of the incident pulse absorbed by each node, A_n = (1 − R)
    (e^{−z₁/δ} − e^{−z₂/δ}), for ``depths`` {node: (z₁, z₂)} (m below the surface, 0 ≤ z₁ < z₂,
    slabs not overlapping), ``penetration_depth`` δ (m) and ``reflectance`` R (0 … 1).

    >>> a = beer_lambert({"cap": (0.0, 2e-9), "free": (2e-9, 3e-9)}, 15e-9, reflectance=0.5)
    >>> {n: round(f, 5) for n, f in a.items()}
    {'cap': 0.06241, 'free': 0.02822}
    """
    delta = _value("penetration_depth", penetration_depth, "m", strict=True)
    r = _value("reflectance", reflectance, "fraction", high=1.0)
    slabs = _slabs(depths)
    return {n: (1.0 - r) * (math.exp(-z1 / delta) - math.exp(-z2 / delta))
            for n, (z1, z2) in slabs.items()}


def _slabs(depths) -> dict:
    """``depths`` {node: (z₁, z₂)} checked: finite, 0 ≤ z₁ < z₂ (m), no two overlapping."""
    if not isinstance(depths, Mapping) or not depths:
        raise DriveError("depths", f"must map nodes to (top, bottom) depths (m), got {depths!r}")
    slabs = {}
    for node, pair in depths.items():
        where = f"depths.{node}"
        if isinstance(pair, (str, bytes, Mapping)) or not np.iterable(pair) or len(pair) != 2:
            raise DriveError(where, f"must be (top, bottom) depths (m), got {pair!r}")
        z1 = _value(f"{where}[0]", pair[0], "m")
        z2 = _value(f"{where}[1]", pair[1], "m")
        if not z2 > z1:
            raise DriveError(where, f"the bottom ({z2:g} m) must lie below the top ({z1:g} m)")
        slabs[node] = (z1, z2)
    ordered = sorted(slabs.items(), key=lambda item: item[1])
    for (a, (above, bottom)), (b, (top, below)) in zip(ordered, ordered[1:]):
        # touching layers whose depths were summed (33e-9 − 20e-9 = 1.2999999999999997e-08)
        # meet within round-off: an overlap of 1e-9 of a slab's thickness absorbs nothing
        if top < bottom - 1e-9 * max(bottom - above, below - top):
            raise DriveError(f"depths.{b}", f"overlaps {a} (from {top:g} m, above {a}'s "
                             f"bottom at {bottom:g} m): the light would be absorbed twice")
    return slabs


def _fractions(absorbed, depths, penetration_depth, reflectance) -> dict:
    """{node: A_n}: the given ``absorbed`` fractions or Beer–Lambert's, checked."""
    if (absorbed is None) == (depths is None):
        raise DriveError("absorbed", "give the absorbed fractions, or the nodes' depths with "
                         "a penetration_depth (one of the two)")
    if absorbed is None:
        if penetration_depth is None:
            raise DriveError("penetration_depth", "required with depths (m)")
        return beer_lambert(depths, penetration_depth,
                            0.0 if reflectance is None else reflectance)
    for key, value in (("penetration_depth", penetration_depth), ("reflectance", reflectance)):
        if value is not None:
            raise DriveError(key, "only with depths (absorbed fractions are the light that "
                             "remains after reflection)")
    if not isinstance(absorbed, Mapping) or not absorbed:
        raise DriveError("absorbed", f"must map nodes to fractions, got {absorbed!r}")
    fractions = {n: _value(f"absorbed.{n}", a, "fraction", high=1.0)
                 for n, a in absorbed.items()}
    if sum(fractions.values()) > 1.0 + 1e-12:
        raise DriveError("absorbed", f"the fractions add up to {sum(fractions.values()):.6g}: "
                         "a pulse is absorbed at most once")
    return fractions


def laser_heat(*, area: float, fwhm: float, center: float, fluence: float | None = None,
               energy: float | None = None, spot_radius: float | None = None,
               absorbed: Mapping | None = None, depths: Mapping | None = None,
               penetration_depth: float | None = None,
               reflectance: float | None = None) -> dict:
    """The heat drives {(node, "heat"): :class:`AbsorbedPulse` (W)} of a laser pulse
    (module docstring): pass them to :class:`~.simulation.Simulation` with the other drives,
    ``{**drives, **laser_heat(...)}`` (a node's heat drive is replaced, and
    :func:`~.heating.with_joule_heating` adds the Joule heat on top).

    area : a (m²), the device's cross-section under the spot.   fwhm : τ (s), the pulse's
    full width at half maximum.   center : t_c (s), its centre, at least 5σ = 2.1 τ after
    t = 0 (the power is cut off before t = 0, :class:`AbsorbedPulse`).
    fluence : F (J/m²), incident, per pulse, at the centre of the spot; or ``energy`` E (J)
    with ``spot_radius`` w (m, 1/e²): F = 2E/(πw²).   absorbed : {node: A_n} fractions (0 … 1,
    adding up to at most 1); or ``depths`` {node: (z₁, z₂)} (m below the surface) with
    ``penetration_depth`` δ (m) and ``reflectance`` R (default 0). Each pulse's ``base`` is
    left unset: it adds to the node's static ``heat``.

    >>> drives = laser_heat(area=1e-16, fwhm=100e-15, center=1e-12, fluence=10.0,
    ...                     absorbed={"free": 0.1, "spacer_1": 0.05})
    >>> pulse = drives[("free", "heat")]
    >>> dt = 1e-16
    >>> absorbed = float(pulse(np.arange(0.0, 2e-12, dt)).sum()) * dt   # J
    >>> round(absorbed / 1e-16, 9)   # / a = F A_n (J/m²)
    1.0
    """
    if (fluence is None) == (energy is None):
        raise DriveError("fluence", "give the fluence (J/m²), or the pulse energy (J) with the "
                         "spot_radius (m) (one of the two)")
    if fluence is None:
        if spot_radius is None:
            raise DriveError("spot_radius", "required with energy: the 1/e² radius (m)")
        fluence = peak_fluence(energy, spot_radius)
    else:
        fluence = _value("fluence", fluence, "J/m²")
        if spot_radius is not None:
            raise DriveError("spot_radius", "only with energy (the fluence is the spot's "
                             "centre's already)")
    a = _value("area", area, "m²", strict=True)
    if spot_radius is not None and a > SPOT_SHARE * math.pi * spot_radius**2:
        # a disc of area a under the spot's centre sees F e^{−2r²/w²}: uniform to 10 % only
        # while a ≤ π w²/20 (and beyond π w²/2 it would absorb more than the pulse carries)
        raise DriveError("area", f"{a:g} m² is not small against the spot (1/e² radius "
                         f"{spot_radius:g} m): the fluence varies by more than 10 % across "
                         f"it; at most {SPOT_SHARE * math.pi * spot_radius**2:.3g} m²")
    tau = _value("fwhm", fwhm, "s", strict=True)
    sigma = tau / FWHM_PER_SIGMA
    t_c = _value("center", center, "s")
    if t_c < LEAD_SIGMAS * sigma:
        raise DriveError("center", f"{t_c:g} s: the pulse must lie after t = 0 (center >= "
                         f"5σ = {LEAD_SIGMAS * sigma:g} s for a FWHM of {tau:g} s): the run "
                         "starts from the steady state at t = 0")
    drives = {}
    for node, fraction in _fractions(absorbed, depths, penetration_depth, reflectance).items():
        if not isinstance(node, str) or not node:
            raise DriveError("absorbed" if depths is None else "depths",
                             f"node names must be non-empty strings, got {node!r}")
        peak = fluence * fraction * a / (sigma * math.sqrt(2.0 * math.pi))
        if not math.isfinite(peak):
            raise DriveError("fluence", f"gives {node} an absorbed power beyond the "
                             "floating-point range")
        drives[(node, "heat")] = AbsorbedPulse(amplitude=peak, center=t_c, width=sigma)
    return drives


def layer_depths(names, widths, top: float = 0.0) -> dict:
    """{vertex: (z₁, z₂)} (m below the surface) of a layer's vertices ``names`` (in the order
    the light meets them) for its cells of ``widths`` (m, one fewer than the vertices;
    :func:`~spincaloric.layers.multilayer.cell_widths`), the layer's surface at depth ``top``
    (m): each vertex stands for half of each cell beside it, as its heat capacity does.

    >>> layer_depths(["cu_0", "cu_1", "cu_2"], [2e-9, 2e-9], top=1e-9)
    {'cu_0': (1e-09, 2e-09), 'cu_1': (2e-09, 4e-09), 'cu_2': (4e-09, 5e-09)}
    """
    names = list(names)
    dx = np.array([_value(f"widths[{i}]", w, "m", strict=True) for i, w in enumerate(widths)])
    if dx.size == 0 or dx.size != len(names) - 1:
        raise DriveError("widths", f"{len(names)} vertices have {len(names) - 1} cells between "
                         f"them (at least one), got {dx.size} widths")
    x = _value("top", top, "m") + np.concatenate([[0.0], np.cumsum(dx)])  # vertex depths
    cuts = np.concatenate([[x[0]], (x[:-1] + x[1:]) / 2, [x[-1]]])
    return {n: (float(cuts[i]), float(cuts[i + 1])) for i, n in enumerate(names)}
