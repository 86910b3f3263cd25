r"""Diffusive bulk layers: the finite-element limit of the circuit theory.

A layer of length L and cross-section A is cut into ``cells`` equal cells of length Δx; its
``cells + 1`` vertices are circuit nodes joined by two-channel bulk resistors,

.. math::

    G_{\uparrow,\downarrow} = \frac{(1 \pm \beta)\,\sigma A}{2\,\Delta x},\qquad
    S_{\uparrow} = S + \tfrac{1-\beta}{2} S_s,\quad S_{\downarrow} = S - \tfrac{1+\beta}{2} S_s,

(σ = 1/ρ, β the spin asymmetry of the conductivity, S the Seebeck coefficient, S_s = S↑ − S↓,
so that σS = σ↑S↑ + σ↓S↓), and every vertex relaxes its spin accumulation with the spin-flip
conductance of its share of the volume (Δx inside, Δx/2 at the ends),

.. math::

    G_{sf} = \frac{\sigma (1 - \beta^2) A\, \Delta x_\text{node}}{2 \lambda^2},

which makes the discrete balance the drift–diffusion equation μ_s'' = μ_s/λ² (Valet–Fert) with
second-order accuracy in Δx. The electronic heat conductance follows Wiedemann–Franz.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

from ..circuit.contacts import ContactParameters
from ..circuit.device import Device, DeviceError, lattice_name, precession
from ..circuit.junctions import JunctionParameters
from ..circuit.kinds import HeatLink
from ..constants import ELEMENTARY_CHARGE, LORENZ, SEEBECK_BOUND
from ..errors import user_stacklevel
from ..validation import (
    SizeUnitWarning,
    UnusedSettingWarning,
    conductance_reason,
    plausible_size,
    real,
)


@dataclass(frozen=True)
class BulkMaterial:
    """Bulk transport parameters (SI).

    resistivity ρ (Ω m) > 0; spin_flip_length λ (m) > 0; spin_asymmetry β = (σ↑ − σ↓)/σ in
    (−1, 1) (0 for a normal metal); seebeck S (V/K); spin_seebeck S_s = S↑ − S↓ (V/K);
    thermal_conductivity κ (W/(m K)), optional: the measured total. Without it a layer
    conducts heat by its electrons only (Wiedemann–Franz, L0σT); with it the lattice carries
    the rest, κ − (L0 − S²)σT (the electrons' open-circuit part), in parallel with every cell.
    density_of_states ν (states per J per m³, both spins), optional: gives a normal metal's
    spin lifetime τ_sf = λ²/D with the Einstein diffusion constant D = σ/(e²ν) (used by Hanle
    precession, :func:`add_layer`).
    """

    resistivity: float
    spin_flip_length: float
    spin_asymmetry: float = 0.0
    seebeck: float = 0.0
    spin_seebeck: float = 0.0
    thermal_conductivity: float | None = None
    density_of_states: float | None = None

    def __post_init__(self):
        for name in ("resistivity", "spin_flip_length", "spin_asymmetry", "seebeck",
                     "spin_seebeck"):
            real(getattr(self, name), name, error=DeviceError)
        for name in ("resistivity", "spin_flip_length"):
            v = getattr(self, name)
            if not v > 0:
                raise DeviceError(name, f"must be positive, got {v!r}")
        if not abs(self.spin_asymmetry) < 1:
            raise DeviceError("spin_asymmetry", f"must lie in (-1, 1), got {self.spin_asymmetry!r}")
        k = self.thermal_conductivity
        if k is not None and not real(k, "thermal_conductivity", "W/(m K)", DeviceError) > 0:
            raise DeviceError("thermal_conductivity", f"must be positive (W/(m K)), got {k!r}")
        nu = self.density_of_states
        if nu is not None and not real(nu, "density_of_states", "1/(J m³)", DeviceError) > 0:
            raise DeviceError("density_of_states", f"must be positive (1/(J m³)), got {nu!r}")

    @property
    def spin_lifetime(self) -> float:
        """τ_sf = λ²/D = λ² e² ν ρ (s) of a normal metal, from its density of states ν (Einstein
        relation σ = e²νD); an error without ν."""
        if self.density_of_states is None:
            raise DeviceError("density_of_states", "needed for the spin lifetime λ²e²νρ (or give "
                              "spin_lifetime, s)")
        lam_e = self.spin_flip_length * ELEMENTARY_CHARGE  # (λe)², not λ²: no early overflow
        return lam_e * lam_e * self.density_of_states * self.resistivity

    def lattice_thermal_conductivity(self, temperature: float) -> float:
        """κ_L = κ − (L0 − S²)σT (W/(m K)) at ``temperature`` (K): the heat the lattice carries
        beside the electrons (0 without a thermal_conductivity); an error if negative."""
        if self.thermal_conductivity is None:
            return 0.0
        electrons = (LORENZ - self.seebeck * self.seebeck) * self.conductivity * temperature
        lattice = self.thermal_conductivity - electrons
        if lattice < 0:
            raise DeviceError("thermal_conductivity", f"{self.thermal_conductivity:.4g} W/(m K) "
                              f"is below the electrons' own (L0 − S²)σT = {electrons:.4g} W/(m K) "
                              f"at {temperature:g} K: leave it out, or give the resistivity "
                              "measured on the same film")
        return lattice

    @property
    def conductivity(self) -> float:
        """σ = 1/ρ (S/m)."""
        return 1.0 / self.resistivity

    @property
    def spin_resistance_area(self) -> float:
        """Spin-accumulation resistance-area product λ ρ/(1 − β²) (Ω m²), Valet–Fert's r."""
        return self.spin_flip_length * self.resistivity / (1 - self.spin_asymmetry**2)

    @property
    def channel_seebecks(self) -> tuple[float, float]:
        """(S↑, S↓) (V/K): S = (σ↑S↑ + σ↓S↓)/σ and S_s = S↑ − S↓."""
        b = self.spin_asymmetry
        return (self.seebeck + (1 - b) * self.spin_seebeck / 2,
                self.seebeck - (1 + b) * self.spin_seebeck / 2)

    def cell_contact(self, length: float, area: float, temperature: float) -> ContactParameters:
        """The two-channel resistor of a cell of ``length`` (m) and ``area`` (m²) at T (K)."""
        g = self.conductivity * area / length
        b = self.spin_asymmetry
        g_up, g_dn = (1 + b) * g / 2, (1 - b) * g / 2
        s_up, s_dn = self.channel_seebecks
        a = ELEMENTARY_CHARGE * LORENZ * temperature
        dg_up, dg_dn = -s_up * g_up / a, -s_dn * g_dn / a
        # the mixing of a bulk cell never acts (both ends are collinear or isotropic)
        return ContactParameters(g_up, g_dn, complex(g / 2, 0.0), dg_up, dg_dn,
                                 complex((dg_up + dg_dn) / 2, 0.0))

    def spin_flip_conductance(self, volume_length: float, area: float) -> float:
        """G_sf (S) of a node standing for ``volume_length`` (m) × ``area`` (m²) of material."""
        b = self.spin_asymmetry
        lam = self.spin_flip_length  # divided twice: λ² would overflow for λ > 1e154 m
        return self.conductivity * (1 - b * b) * area * volume_length / 2 / lam / lam



#: The smallest heat capacity per volume (J/(m³ K)) taken without a warning at temperatures
#: from DULONG_PETIT_FROM (K) up: solids hold 1–4 × 10⁶ near and above their Debye
#: temperatures; a specific heat per kilogram (100–1000 J/(kg K)) lies far below. (Far below
#: the Debye temperature a lattice's falls as T³: no warning there.)
SMALLEST_VOLUMETRIC_HEAT_CAPACITY, DULONG_PETIT_FROM = 5e4, 100.0


@dataclass(frozen=True)
class LayerHeat:
    r"""How a diffusive layer stores heat and loses it to the substrate (SI, per volume or
    area; :func:`add_layer` turns it into the heat capacities and conductances of the vertices).

    volumetric_heat_capacity : c (J/(m³ K)), the layer's heat capacity per volume — the whole
        of it, electrons included (the handbook c_p).
    electron_phonon_coupling : g_ep (W/(m³ K)): gives every vertex a lattice temperature of its
        own (two-temperature model): the power g_ep (T_e − T_l) per volume goes from the
        electrons to the lattice.
    electron_heat_capacity_coefficient : γ_e (J/(m³ K²)), two temperatures only: the electrons
        store C_e = γ_e T per volume (Sommerfeld, T the device temperature) and the lattice the
        rest, c − γ_e T. Without it the electrons store nothing and follow their lattice
        instantly (the usual limit on the magnetization's time scale).
    boundary_conductance : h_b (W/(m² K)), thermal boundary conductance to the substrate at the
        device temperature, through the ``footprint`` (m², default: the layer's cross-section).
        It couples the lattice (two temperatures) or the one temperature of the vertices.

    Per vertex standing for the length Δx_v of a layer of length L and cross-section A (half
    cells at the ends), V_v = Δx_v A:

    .. math::

        C_v = c V_v, \quad G_{b,v} = h_b F \Delta x_v / L
        \qquad\text{or, with } g_{ep}: \quad C_{e,v} = γ_e T V_v,\; C_{l,v} = (c − γ_e T) V_v,
        \; G_{ep,v} = g_{ep} V_v,

    F the footprint. The footprint is spread along the layer like its volume: a layer lying on
    the substrate (a lateral channel: F = width × length) loses heat along its whole length; a
    layer of a vertical pillar (F = A, the default) stands on its cross-section, which the
    spreading treats as thin enough to be isothermal across its thickness (cells ≪ the thermal
    length) — for a thick layer, give the bath to the node at its bottom face instead.

    >>> heat = LayerHeat(volumetric_heat_capacity=3.45e6, electron_phonon_coupling=1.15e17,
    ...                  electron_heat_capacity_coefficient=97.4)
    >>> [round(x, 1) for x in heat.per_volume(300.0)]   # C_e, C_l (J/(m³ K)), g_ep (W/(m³ K))
    [29220.0, 3420780.0, 1.15e+17]
    """

    volumetric_heat_capacity: float | None = None
    electron_heat_capacity_coefficient: float | None = None
    electron_phonon_coupling: float | None = None
    boundary_conductance: float | None = None
    footprint: float | None = None

    def __post_init__(self):
        units = {"volumetric_heat_capacity": "J/(m³ K)",
                 "electron_heat_capacity_coefficient": "J/(m³ K²)",
                 "electron_phonon_coupling": "W/(m³ K)", "boundary_conductance": "W/(m² K)",
                 "footprint": "m²"}
        for name, unit in units.items():
            v = getattr(self, name)
            if v is not None and not (v := real(v, name, unit, DeviceError)) > 0:
                raise DeviceError(name, f"must be positive ({unit}), got {v:.6g}")
        if self.electron_heat_capacity_coefficient is not None and not self.two_temperature:
            raise DeviceError("electron_heat_capacity_coefficient", "the electrons' own heat "
                              "capacity needs a lattice temperature beside it: give "
                              "electron_phonon_coupling (W/(m³ K)) too (one temperature "
                              "stores the total volumetric_heat_capacity)")
        if (self.two_temperature and self.volumetric_heat_capacity is None
                and self.boundary_conductance is None):
            warnings.warn("electron_phonon_coupling: the lattice it couples to stores no heat "
                          "(no volumetric_heat_capacity, J/(m³ K)) and loses none (no "
                          "boundary_conductance, W/(m² K)): it follows the electrons and "
                          "changes nothing", UnusedSettingWarning, stacklevel=user_stacklevel())
        if self.footprint is not None and self.boundary_conductance is None:
            raise DeviceError("footprint", "the area through which a boundary_conductance "
                              "(W/(m² K)) couples to the substrate: give that too")

    @property
    def two_temperature(self) -> bool:
        """True when the vertices get a lattice temperature of their own (g_ep given)."""
        return self.electron_phonon_coupling is not None

    def per_volume(self, temperature: float) -> tuple[float, float, float]:
        """(C_e, C_l, g_ep) per volume at the device ``temperature`` T (K): J/(m³ K), J/(m³ K),
        W/(m³ K). One temperature: (c, 0, 0); two: (γ_e T, c − γ_e T, g_ep), c − γ_e T > 0."""
        c = self.volumetric_heat_capacity or 0.0
        if not self.two_temperature:
            return c, 0.0, 0.0
        electrons = (self.electron_heat_capacity_coefficient or 0.0) * temperature
        if self.volumetric_heat_capacity is not None and not electrons < c:
            raise DeviceError("electron_heat_capacity_coefficient", f"γ_e T = {electrons:.4g} "
                              f"J/(m³ K) at {temperature:g} K is not below the total heat "
                              f"capacity c = {c:.4g} J/(m³ K) (c includes the electrons: the "
                              "lattice stores c − γ_e T)")
        return electrons, max(c - electrons, 0.0), self.electron_phonon_coupling

    def vertex(self, share: float, length: float, area: float, temperature: float) -> dict:
        """The :meth:`Device.add_node` keywords (J/K, W/K) of a vertex standing for ``share``
        (m) of a layer of ``length`` (m) and cross-section ``area`` (m²) at ``temperature``
        (K): heat_capacity, lattice_heat_capacity, electron_phonon and bath."""
        c_e, c_l, g_ep = self.per_volume(temperature)
        volume = share * area
        footprint = area if self.footprint is None else self.footprint
        bath = (self.boundary_conductance or 0.0) * footprint * (share / length)
        return {"heat_capacity": c_e * volume, "lattice_heat_capacity": c_l * volume,
                "electron_phonon": g_ep * volume, "bath": bath}


#: The most cells one layer may have (10⁷ nodes: about a minute of sparse LU and GBs of memory).
MAX_CELLS = 10_000_000


def vertex_positions(length: float, cells: int, through=()) -> np.ndarray:
    """Positions (m) of the ``cells`` + 1 vertices of a layer of ``length`` (m): uniform, except
    that every position in ``through`` (m, strictly inside the layer) is a vertex exactly — the
    layer is cut there into uniform segments with cells in proportion to their lengths (at least
    one each). Positions on the uniform grid leave it uniform."""
    cuts, n = _segments(length, cells, through)
    return np.concatenate([np.linspace(a, b, k + 1)[:-1] for a, b, k in
                           zip(cuts[:-1], cuts[1:], n)] + [[cuts[-1]]])


def cell_widths(length: float, cells: int, through=()) -> np.ndarray:
    """The ``cells`` widths (m) of :func:`vertex_positions` (equal within each segment)."""
    cuts, n = _segments(length, cells, through)
    return np.repeat(np.diff(cuts) / n, n)


#: Positions closer than this fraction of a mean cell (to an end or to each other) are one
#: vertex: a cell that thin would be a conductance so large that its current cancels away.
SNAP = 1e-6


def _segments(length, cells, through):
    """Cut points (m) and the cells of each uniform segment between them."""
    points = np.sort(np.asarray(through, dtype=float).reshape(-1))
    if not (np.all(np.isfinite(points)) and np.all((points > 0) & (points < length))):
        raise DeviceError("through", f"positions must lie inside the layer, 0 < x < {length:g} "
                          f"m, got {points.tolist()}")
    tol = SNAP * length / cells
    cuts = [0.0]
    for x in points:
        if x - cuts[-1] > tol and length - x > tol:
            cuts.append(float(x))
    cuts = np.array([*cuts, length])
    seg = np.diff(cuts)
    if len(seg) > cells:
        raise DeviceError("cells", f"{cells} cells cannot hold {len(seg) - 1} contact "
                          f"positions: give at least {len(seg)}")
    n = np.maximum(1, np.rint(cells * (seg / length)).astype(int))  # (no overflow)
    while n.sum() != cells:  # hand the rounding difference to the coarsest segment
        k = int(np.argmax(seg / n)) if n.sum() < cells else int(
            np.argmin(np.where(n > 1, seg / n, np.inf)))
        n[k] += 1 if n.sum() < cells else -1
    return cuts, n


#: Typical magnitudes of a layer's inputs (SI): which one lies furthest from its typical value
#: names a derived quantity that under- or overflows.
_TYPICAL = {"resistivity": 1e-7, "area": 1e-14, "length": 1e-8, "cells": 10}


def _check_representable(name, material, length, area, cells, dx) -> None:
    """The conductances a layer makes (cells σA/Δx, vertex spin flip σ(1−β²)AΔx/2λ², heat
    κA/Δx) within the range the circuit's equations represent, or a DeviceError naming
    the input that takes them out of it."""
    with np.errstate(over="ignore", divide="ignore", under="ignore"):
        g = material.conductivity * area / np.array([dx.max(), dx.min()])
        g_sf = material.spin_flip_conductance(dx.max(), area)
    for value in g:
        if reason := conductance_reason(value):
            # log10 of G = σA/Δx = σA·cells/L relative to typical: the largest term is to blame
            given = {"resistivity": material.resistivity, "area": area, "length": length,
                     "cells": cells}
            sign = {"resistivity": -1, "area": 1, "length": -1, "cells": 1}
            terms = {k: sign[k] * (math.log10(v) - math.log10(_TYPICAL[k]))
                     for k, v in given.items()}
            key = (max if value > 1 else min)(terms, key=terms.get)
            raise DeviceError(f"layers.{name}.{key}", f"gives the cells the conductance "
                              f"σA/Δx = {reason}")
    if reason := conductance_reason(g_sf, 0.0):
        raise DeviceError(f"layers.{name}.spin_flip_length", f"gives the vertices the spin-flip "
                          f"conductance σ(1−β²)AΔx/2λ² = {reason}")
    kappa = material.thermal_conductivity or 0.0  # the lattice carries at most all of κ
    if reason := conductance_reason(kappa * area / dx.min(), 0.0, "W/K"):
        raise DeviceError(f"layers.{name}.thermal_conductivity", f"gives the cells the heat "
                          f"conductance κA/Δx = {reason}")


def add_layer(device: Device, name: str, material: BulkMaterial, *, length: float, area: float,
              cells: int, magnetization=None, start: str | None = None,
              end: str | None = None, through=(), hanle_field=None,
              spin_lifetime: float | None = None, heat: LayerHeat | None = None) -> list[str]:
    """Add a diffusive layer to ``device`` and return the names of its vertices (in order).

    The vertices are new internal nodes ``{name}_0`` … ``{name}_{cells}``, except that the first
    (last) one *is* the existing node ``start`` (``end``) when given — e.g. a reservoir the layer
    ends in. ``magnetization`` makes it a ferromagnetic layer (then β, S_s may be non-zero).
    length (m) > 0, area (m²) > 0, 1 ≤ cells ≤ :data:`MAX_CELLS` (an int). ``through``:
    positions (m) that must be vertices (side contacts), see :func:`vertex_positions`.
    ``hanle_field`` (T, B⃗ = μ0H⃗) makes the spin accumulation of a normal layer's new vertices
    precess (the Hanle effect, :meth:`Device.add_node`) with the spin lifetime ``spin_lifetime``
    (s), by default the material's λ²e²νρ (:attr:`BulkMaterial.spin_lifetime`): the continuum
    limit is D∂²V⃗_s = V⃗_s/τ_sf − ω⃗_L × V⃗_s. A ferromagnetic layer's exchange field holds its
    spin accumulation along m, so there the field has nothing to turn (it is accepted, to apply
    one field to a whole device, and does nothing).

    ``heat`` (a :class:`LayerHeat`) makes the new vertices store heat and lose it to the
    substrate: each gets the heat capacities, electron–phonon conductance and bath of its share
    of the layer (Δx_v A, half cells at the ends), so that they add up to the layer's own
    (c A L with neither ``start`` nor ``end``). ``start`` and ``end`` nodes keep what they have:
    their half cells are theirs to give. With two temperatures (an electron–phonon coupling)
    every new vertex gets a lattice node (:meth:`Device.add_node`), and the lattice's heat
    conduction (the material's κ beyond the electrons) joins the lattice nodes of neighbouring
    vertices (:class:`~spincaloric.circuit.kinds.HeatLink`) instead of their electrons.
    """
    length, area = _check_layer_inputs(device, name, material, length, area, cells)
    if heat is not None and not isinstance(heat, LayerHeat):
        raise DeviceError(f"layers.{name}.heat", f"must be a LayerHeat, got {heat!r}")
    ferro = magnetization is not None
    _check_layer_thermopower(name, material, ferro)
    try:
        dx = cell_widths(length, cells, through)
    except DeviceError as err:
        raise DeviceError(f"layers.{name}.{err.field}", err.reason) from None
    _check_representable(name, material, length, area, cells, dx)
    kind = "ferromagnet" if ferro else "normal"
    hanle = _layer_hanle(name, material, ferro, hanle_field, spin_lifetime)
    _refuse_beyond_memory(device, name, cells, kind, (start, end))
    storage = _layer_storage(device, name, heat, length, area)
    names = _layer_vertices(device, name, material, area, dx, kind, magnetization, (start, end),
                            hanle, storage)
    widths = np.unique(dx)  # one contact per distinct cell width (uniform segments)
    contacts = {w: material.cell_contact(w, area, device.temperature) for w in widths}
    try:
        lattice = material.lattice_thermal_conductivity(device.temperature) * area
    except DeviceError as err:
        raise DeviceError(f"layers.{name}.{err.field}", err.reason) from None
    # the lattice's heat conduction: between the lattice temperatures of the vertices where
    # they have them (two-temperature model), else in parallel with the electrons
    two = {v: lattice_name(v) in device.nodes for v in names}
    for k, (a, b) in enumerate(zip(names, names[1:])):
        phonons = lattice / dx[k]
        split = two[a] or two[b]
        device.add_contact(a, b, contacts[dx[k]], bulk=ferro, label=f"layers.{name}.cells[{k}]",
                           heat_conductance=0.0 if split else phonons)
        if split and phonons > 0:
            device.add_contact(lattice_name(a) if two[a] else a,
                               lattice_name(b) if two[b] else b, HeatLink(phonons),
                               label=f"layers.{name}.cells[{k}].lattice")
    device.layers[name] = tuple(names)
    return names


def _check_layer_inputs(device: Device, name: str, material, length, area,
                        cells) -> tuple[float, float]:
    """A new layer's name, its length (m) and area (m²) (returned as floats), its number of
    cells and its material."""
    if name in device.layers or name in device.nodes:
        raise DeviceError(f"layers.{name}", f"a {'layer' if name in device.layers else 'node'} "
                          "of this name exists (node and layer names must differ: NAME.field "
                          "addresses either)")
    length, area = (real(value, f"layers.{name}.{key}", unit, DeviceError)
                    for key, value, unit in (("length", length, "m"), ("area", area, "m²")))
    for key, value in (("length", length), ("area", area)):
        if not value > 0:
            raise DeviceError(f"layers.{name}.{key}", f"must be positive, got {value!r}")
    if not isinstance(cells, (int, np.integer)) or isinstance(cells, bool) or cells < 1:
        raise DeviceError(f"layers.{name}.cells", f"must be a whole number >= 1, got {cells!r}")
    if cells > MAX_CELLS:
        raise DeviceError(f"layers.{name}.cells", f"at most {MAX_CELLS:,} cells per layer (a "
                          f"sparse solve of that size takes minutes), got {cells:,}")
    if not isinstance(material, BulkMaterial):
        raise DeviceError(f"layers.{name}.material", f"must be a BulkMaterial (or a database "
                          f"entry in a device file), got {material!r}")
    return length, area


def _check_layer_thermopower(name: str, material: BulkMaterial, ferro: bool) -> None:
    """Spin-dependent thermopower only in a ferromagnetic layer, and each spin channel's
    Seebeck coefficient within the entropy bound sqrt(L0) (V/K). A ferromagnetic layer
    without either (a normal metal's entry given a magnetization) warns: its exchange field
    would remove the spin accumulation transverse to m that a normal metal carries."""
    for key in ("spin_asymmetry", "spin_seebeck"):
        if not ferro and getattr(material, key):
            raise DeviceError(f"layers.{name}.{key}", "a normal layer has no spin asymmetry "
                              "or spin-dependent Seebeck coefficient; give a magnetization")
    if ferro and not material.spin_asymmetry and not material.spin_seebeck:
        warnings.warn(f"layers.{name}.magnetization: the material has no spin asymmetry "
                      "(beta = 0) and no spin-dependent Seebeck coefficient, so this layer "
                      "polarizes nothing, yet as a ferromagnet it removes the spin accumulation "
                      "transverse to m; a normal metal's layer takes no magnetization",
                      UserWarning, stacklevel=user_stacklevel())
    s_up, s_dn = material.channel_seebecks
    if max(abs(s_up), abs(s_dn)) > SEEBECK_BOUND:
        key = "seebeck" if abs(material.seebeck) > SEEBECK_BOUND or not ferro else "spin_seebeck"
        slip = " (thermopowers in V/K: -3.8e-6 is -3.8 uV/K)" if max(
            abs(material.seebeck), abs(material.spin_seebeck)) >= 1e-2 else ""
        raise DeviceError(f"layers.{name}.{key}", f"S = {material.seebeck * 1e6:.4g} uV/K and "
                          f"S_s = {material.spin_seebeck * 1e6:.4g} uV/K give a spin channel the "
                          f"thermopower {max(abs(s_up), abs(s_dn)) * 1e6:.4g} uV/K, beyond "
                          f"the entropy bound sqrt(L0) = {SEEBECK_BOUND * 1e6:.1f} uV/K{slip}")


def _layer_hanle(name: str, material: BulkMaterial, ferro: bool, hanle_field,
                 spin_lifetime) -> dict:
    """The Hanle keywords of :meth:`Device.add_node` for the new vertices of a layer in the
    field ``hanle_field`` (T), validated (τ_sf (s) by default the material's); empty without a
    field and for a ferromagnetic layer."""
    hanle = {}
    if hanle_field is not None and not ferro and spin_lifetime is None:
        try:
            spin_lifetime = material.spin_lifetime
        except DeviceError:
            raise DeviceError(f"layers.{name}.spin_lifetime", "a hanle_field needs the spin "
                              "lifetime τ_sf (s), or the material's density_of_states "
                              "(1/(J m³)) to derive it") from None
        if not 0 < spin_lifetime < math.inf:
            raise DeviceError(f"layers.{name}.spin_flip_length", f"gives the spin lifetime "
                              f"λ²e²νρ = {spin_lifetime:.3g} s, not a positive finite time")
    if hanle_field is not None or spin_lifetime is not None:
        # validated here, so that an error names the layer's field; a ferromagnetic layer's
        # vertices then leave the field out (their spin accumulation is held along m)
        precession(f"layers.{name}", "normal", False, 1.0, hanle_field,
                    1.0 if ferro and spin_lifetime is None else spin_lifetime)
        if not ferro:
            hanle = {"hanle_field": hanle_field, "spin_lifetime": spin_lifetime}
    return hanle


#: The keyword of :meth:`Device.add_node` a layer's heat storage sets -> the field of
#: :class:`LayerHeat` that gives it (how errors name it).
_STORAGE_FIELDS = {"heat_capacity": "volumetric_heat_capacity",
                   "lattice_heat_capacity": "volumetric_heat_capacity",
                   "electron_phonon": "electron_phonon_coupling",
                   "bath": "boundary_conductance"}


def _layer_storage(device: Device, name: str, heat: LayerHeat | None, length: float,
                   area: float):
    """A function of a vertex's share (m) of the layer returning its heat-storage keywords of
    :meth:`Device.add_node` (J/K, W/K; none without ``heat``), checked here once at the device
    temperature so that errors name ``layers.NAME.<field of LayerHeat>``."""
    if heat is None:
        return lambda share: {}
    try:
        heat.per_volume(device.temperature)
    except DeviceError as err:
        raise DeviceError(f"layers.{name}.{err.field}", err.reason) from None
    c = heat.volumetric_heat_capacity
    if c is not None and c < SMALLEST_VOLUMETRIC_HEAT_CAPACITY \
            and device.temperature >= DULONG_PETIT_FROM:
        warnings.warn(f"layers.{name}.volumetric_heat_capacity: {c:g} J/(m³ K) is far below a "
                      f"solid's 1–4 × 10⁶ J/(m³ K) at {device.temperature:g} K: a specific heat "
                      "in J/(kg K) where the heat per volume (times the density, kg/m³) was "
                      "meant?", SizeUnitWarning, stacklevel=user_stacklevel())
    return lambda share: heat.vertex(share, length, area, device.temperature)


def _add_vertex(device: Device, layer: str, node: str, kind: str, storage: dict,
                **node_keywords) -> None:
    """:meth:`Device.add_node` for a new vertex of ``layer``; an error in a heat-storage value
    (J/K or W/K beyond what the circuit represents) names the layer's field that made it."""
    try:
        device.add_node(node, kind, **node_keywords, **storage)
    except DeviceError as err:
        key = err.field.rsplit(".", 1)[-1]
        if key not in _STORAGE_FIELDS:
            raise
        reason = (err.reason[3:] if err.reason.startswith("is ")
                  else f"{storage[key]:.4g}: {err.reason}")
        raise DeviceError(f"layers.{layer}.{_STORAGE_FIELDS[key]}",
                          f"gives the vertex {node} {key} = {reason}") from None


def _layer_vertices(device: Device, name: str, material: BulkMaterial, area: float,
                    dx: np.ndarray, kind: str, magnetization, ends, hanle: dict,
                    storage) -> list[str]:
    """Names of a layer's vertices: the existing nodes ``ends`` (start, end) where given, new
    internal nodes ``{name}_{i}`` (added to ``device``, spin flip and heat ``storage`` from
    their share of the cells of widths ``dx``, m, and the area, m²) elsewhere."""
    cells = len(dx)
    start, end = ends
    names = []
    for i in range(cells + 1):
        given = start if i == 0 else (end if i == cells else None)
        if given is not None:
            key = f"layers.{name}.{'start' if i == 0 else 'end'}"
            if given not in device.nodes:
                raise DeviceError(key, f"unknown node {given!r}")
            spec = device.nodes[given]
            if spec.kind != kind:
                raise DeviceError(key, f"node {given!r} is not a {kind}")
            names.append(given)
            continue
        share = (dx[i - 1] if i > 0 else 0.0) / 2 + (dx[i] if i < cells else 0.0) / 2
        # (its spin flip also relaxes the vertex's spin temperature, at L0 T G_sf: elastic)
        _add_vertex(device, name, f"{name}_{i}", kind, storage(share),
                    magnetization=magnetization,
                    spin_flip=material.spin_flip_conductance(share, area), **hanle)
        names.append(f"{name}_{i}")
    return names


def _refuse_beyond_memory(device: Device, name: str, cells: int, kind: str, ends) -> None:
    """Refuse, before its nodes are made, a layer that would take the device beyond the memory
    available (the nodes already there counted as normal ones)."""
    from ..circuit.memory import circuit_bytes, refuse_beyond_memory, solved_per_node

    new = cells + 1 - sum(e is not None for e in ends)
    nodes = len(device.nodes) + new
    unknowns = (len(device.nodes) * solved_per_node("normal", device.regime)
                + new * solved_per_node(kind, device.regime))
    refuse_beyond_memory(f"layers.{name}.cells", f"{cells} cells",
                         circuit_bytes(nodes, unknowns))


def series_seebeck(conductances, seebecks) -> tuple[float, float]:
    """Series-resistor rule: (G, S) of spin-independent elements in series, 1/G = Σ 1/G_i and
    S/G = Σ S_i/G_i (G in S, S in V/K).

    The rule assumes the temperature drops in proportion to the electrical resistances
    (Wiedemann–Franz heat conductances L0 T G_i); at open circuit the heat conductance is
    (L0 − S_i²) T G_i, so the rule errs by about max|S_i| · max S_i²/L0 in absolute terms —
    which is a large *relative* error when the S_i nearly cancel (the circuit solver has no
    such error)."""
    g = np.asarray(conductances, dtype=float)
    s = np.asarray(seebecks, dtype=float)
    if g.ndim != 1 or g.size == 0 or s.shape != g.shape:
        raise DeviceError("seebecks", f"need one Seebeck coefficient per conductance, got "
                          f"{s.shape} for {g.shape}")
    if not np.all(np.isfinite(g) & (g > 0)):
        raise DeviceError("conductances", "must be positive and finite (S)")
    if not np.all(np.isfinite(s)):
        raise DeviceError("seebecks", "must be finite (V/K)")
    total = 1.0 / np.sum(1.0 / g)
    return float(total), float(total * np.sum(s / g))


@dataclass(frozen=True)
class Lead:
    """A reservoir at one end of a stack: ``kind`` "normal" or "ferromagnet" (then give
    ``magnetization``), electric potential ``voltage`` (V) or ``current`` (A), ``temperature``
    (K, default the device's)."""

    name: str
    kind: str = "normal"
    voltage: float = 0.0
    current: float | None = None
    temperature: float | None = None
    magnetization: tuple | None = None


@dataclass(frozen=True)
class Layer:
    """A diffusive layer of a stack: ``material``, ``thickness`` (m), ``cells``, a
    ``magnetization`` for a ferromagnet, and its ``heat`` storage (:class:`LayerHeat`)."""

    name: str
    material: BulkMaterial
    thickness: float
    cells: int = 10
    magnetization: tuple | None = None
    heat: LayerHeat | None = None


@dataclass(frozen=True)
class Interface:
    """An interface resistor between the neighbouring layers of a stack (its parameters for
    the whole cross-section, S and S/J): :class:`~spincaloric.circuit.contacts.ContactParameters`,
    or :class:`~spincaloric.circuit.junctions.JunctionParameters` for a tunnel barrier between two
    ferromagnetic layers (an MTJ inside the stack)."""

    parameters: ContactParameters | JunctionParameters


def multilayer(stack, *, area: float, temperature: float, regime: str = "thermalized",
               title: str = "") -> Device:
    """A pillar or nanowire: ``stack`` = [Lead, Layer | Interface, ..., Lead] in order.

    Consecutive layers without an :class:`Interface` between them are joined by a
    resistance-free link (continuous potentials). area (m²), temperature (K).
    """
    plausible_size(area, "area", "m2")
    for item in stack:
        if isinstance(item, Layer):
            plausible_size(item.thickness, f"{item.name}.thickness")
    if len(stack) < 3 or not isinstance(stack[0], Lead) or not isinstance(stack[-1], Lead):
        raise DeviceError("stack", "must start and end with a Lead and contain layers")
    dev = Device(temperature=temperature, regime=regime, title=title)
    for lead in (stack[0], stack[-1]):
        dev.add_node(lead.name, lead.kind, reservoir=True, voltage=lead.voltage,
                     current=lead.current, temperature=lead.temperature,
                     magnetization=lead.magnetization)
    prev, pending, at = stack[0].name, None, 0
    for i, item in enumerate(stack[1:-1], start=1):
        if isinstance(item, Interface):
            if pending is not None:
                raise DeviceError(f"stack[{i}]", "two interfaces in a row: combine them into "
                                  "one contact, or put a layer between them")
            pending, at = item.parameters, i
            continue
        if not isinstance(item, Layer):
            raise DeviceError("stack", f"unexpected item {item!r}")
        if not (isinstance(item.thickness, (int, float)) and 0 < item.thickness < math.inf):
            raise DeviceError(f"stack[{i}].thickness", f"must be a positive length (m), got "
                              f"{item.thickness!r}")
        names = add_layer(dev, item.name, item.material, length=item.thickness, area=area,
                          cells=item.cells, magnetization=item.magnetization, heat=item.heat)
        _join(dev, prev, names[0], pending, area, f"stack[{at if pending is not None else i}]")
        prev, pending = names[-1], None
    end = len(stack) - 1
    _join(dev, prev, stack[-1].name, pending, area, f"stack[{at if pending is not None else end}]")
    return dev


def _join(dev: Device, a: str, b: str, parameters, area: float, where: str) -> None:
    """Join two stack elements by an interface or, without one, by a resistance-free link
    (10⁶ × the conductance of a 1 nm slice of Cu-like metal: negligible in series), labelled
    ``where`` (the interface's stack item, or the one the link leads into) in errors; the
    link is marked ideal: its mixing conductance is no
    physical F|N interface's, and the dynamics refuse spin pumping through it
    (:func:`~spincaloric.dynamics.torque_model.refuse_ideal_pumping`, docs/layers.md)."""
    ideal = parameters is None
    if ideal:
        g = 1e6 * area / (1e-9 * 2e-8)
        parameters = ContactParameters.spin_independent(conductance=g, seebeck=0.0,
                                                         temperature=dev.temperature)
    both_ferro = dev.nodes[a].kind == dev.nodes[b].kind == "ferromagnet"
    junction = isinstance(parameters, JunctionParameters)
    dev.add_contact(a, b, parameters, bulk=both_ferro and not junction, ideal=ideal,
                    label=where)


def lateral_spin_valve(channel: BulkMaterial, *, length: float, cross_section: float,
                       injector_at: float, detector_at: float, injector: ContactParameters,
                       detector: ContactParameters, cells: int, temperature: float,
                       injector_magnetization=(0, 0, 1), detector_magnetization=(0, 0, 1),
                       current: float = 1e-4, regime: str = "thermalized",
                       injector_layer: BulkMaterial | None = None,
                       injector_length: float = 0.0, injector_cells: int = 10,
                       hanle_field=None, spin_lifetime: float | None = None) -> Device:
    """A lateral (non-local) spin valve: a normal channel of ``length`` (m) and
    ``cross_section`` (m²), cut into ``cells``, between two normal leads ("left" grounded,
    "right" floating at zero current); a ferromagnetic injector (a reservoir injecting
    ``current`` A through the contact ``injector``) at ``injector_at`` (m) and a detector (a
    ferromagnetic reservoir at zero current: its voltage is the non-local signal) at
    ``detector_at`` (m). The non-local voltage is V(detector) − V(right).

    ``injector_layer``: the injector as a diffusive ferromagnetic strip of ``injector_length``
    (m) and the channel's cross-section between the injector reservoir and the contact: its
    Joule heating and spin-dependent Seebeck coefficient give the thermal spin injection of
    Slachter et al., Nat. Phys. 6, 879 (2010) (see :func:`nonlocal_resistances`). The current
    crosses the channel from the injector to "left", which Joule-heats too: the strip is the
    hot side of its contact, as in the experiment, only where it dissipates more than that
    stretch of channel (injector close to "left", or a resistive strip; compare the two with
    :func:`~spincaloric.circuit.solution.joule_heat`) — else the channel heats the strip and
    the thermal signal changes sign.
    ``hanle_field`` (T) and ``spin_lifetime`` (s): a magnetic field that makes the spin
    accumulation in the channel precess (Hanle measurements), see :func:`add_layer`.
    """
    if not (math.isfinite(length) and length > 0):
        raise DeviceError("length", f"must be positive (m), got {length!r}")
    if not 0 < injector_at < detector_at < length:
        raise DeviceError("detector_at", "need 0 < injector_at < detector_at < length (m)")
    tol = SNAP * length / cells if isinstance(cells, (int, np.integer)) and cells > 0 else 0.0
    if min(injector_at, detector_at - injector_at, length - detector_at) <= tol:
        raise DeviceError("detector_at", "the contacts must be apart from each other and from "
                          "the channel's ends (they would share a vertex)")
    dev = Device(temperature=temperature, regime=regime, title="lateral spin valve")
    dev.add_node("left", "normal", reservoir=True)
    dev.add_node("right", "normal", reservoir=True, current=0.0)
    dev.add_node("injector", "ferromagnet", reservoir=True, current=current,
                 magnetization=injector_magnetization)
    dev.add_node("detector", "ferromagnet", reservoir=True, current=0.0,
                 magnetization=detector_magnetization)
    # the contacts sit exactly on vertices (a rounded position costs first-order accuracy)
    names = add_layer(dev, "channel", channel, length=length, area=cross_section, cells=cells,
                      start="left", end="right", through=(injector_at, detector_at),
                      hanle_field=hanle_field, spin_lifetime=spin_lifetime)
    x = vertex_positions(length, cells, (injector_at, detector_at))
    inj, det = int(np.argmin(abs(x - injector_at))), int(np.argmin(abs(x - detector_at)))
    if injector_layer is None:
        dev.add_contact("injector", names[inj], injector)
    else:
        strip = add_layer(dev, "strip", injector_layer, length=injector_length,
                          area=cross_section, cells=injector_cells, start="injector",
                          magnetization=injector_magnetization)
        dev.add_contact(strip[-1], names[inj], injector)
    dev.add_contact("detector", names[det], detector)
    return dev


def nonlocal_resistances(circuit, current: float, **overrides) -> tuple[float, float]:
    """(R₁ (Ω), R₂ (V/A²)) of a lateral valve: V_nl = R₁ I + R₂ I², V_nl = V(detector) −
    V(right) (electric potentials). R₁ from the linear solve at ``current`` (A); R₂ from a
    second solve driven only by the Joule heat of the first (:func:`~spincaloric.circuit.solution.
    joule_heat`) — the second harmonic of a lock-in measurement."""
    from ..circuit.solution import joule_heat

    first = circuit.solve(current={"injector": current}, **overrides)
    v1 = float(first.reservoirs["detector"].voltage) - float(first.reservoirs["right"].voltage)
    heat = joule_heat(first)
    second = circuit.solve(current={"injector": 0.0}, heat=heat, **overrides)
    v2 = float(second.reservoirs["detector"].voltage) - float(second.reservoirs["right"].voltage)
    return v1 / current, v2 / current**2
