"""The device-file format (TOML) as validated models; see docs/device-format.md.

Unknown keys are errors (they are usually typos). Validation errors are reported as one line,
``<field path>: <reason>``, by :func:`first_error`.
"""

from __future__ import annotations

import math
import types
import typing
import warnings
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticUndefined

from ..errors import FieldError, unknown, user_stacklevel
from ..validation import (
    absolute_temperature,
    plausible_field,
    plausible_resistance_area,
    plausible_size,
    real,
)
from ..validation import seed as seed_rule


def quantity(unit: str, default=PydanticUndefined, description: str | None = None, **kw):
    """A numeric field of the device file in ``unit`` ("1" for a pure number): the units of
    swept and mapped parameters are read from these fields (:func:`unit_of`)."""
    return Field(default, description=description, json_schema_extra={"unit": unit}, **kw)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


def _shared(rule):
    """A pydantic validator from a rule of :mod:`spincaloric.validation` (the API applies the
    same rule): None passes, a refusal becomes the ValueError pydantic reports."""

    def check(v):
        if v is None:
            return v
        try:
            return rule(v, "value")
        except FieldError as err:
            raise ValueError(err.reason) from None

    return check


_finite = _shared(real)
_temperature = _shared(absolute_temperature)


class AngleUnitWarning(UserWarning):
    """An angle in degrees whose value is a common angle in radians (π/2 given as 1.5708)."""


def _plausible_size(value, info):
    """``value`` (m or m², by the field's unit) with a SizeUnitWarning beyond a device's sizes
    (:func:`~spincaloric.validation.plausible_size`)."""
    unit = "m2" if info.field_name in ("area", "footprint") else "m"
    return plausible_size(value, info.field_name, unit)


def _plausible_field(value, info):
    """``value`` (a field vector, T) with a SizeUnitWarning beyond a laboratory's
    (:func:`~spincaloric.validation.plausible_field`)."""
    return plausible_field(value, info.field_name)


def radians_hint(value: float) -> str | None:
    """'π/2 rad = 90°' when ``value`` (deg) is within 10⁻³ of a multiple of π/12 between
    π/12 and 2π but no whole number of degrees — an angle most likely meant in radians."""
    if not 0.2 < abs(value) < 6.5:  # between π/12 and 2π only (inf and NaN too)
        return None
    k = round(abs(value) / (math.pi / 12))
    if not 1 <= k <= 24 or value == round(value):
        return None
    if abs(abs(value) - k * math.pi / 12) > 1e-3 * abs(value):
        return None
    g = math.gcd(k, 12)
    num, den = k // g, 12 // g
    name = ("π" if num == 1 else f"{num}π") + (f"/{den}" if den != 1 else "")
    return f"{'−' if value < 0 else ''}{name} rad = {math.copysign(k * 15, value):g}°"


def _not_radians(value: float, info) -> float:
    hint = radians_hint(value)
    if hint is not None:
        warnings.warn(f"magnetization.{info.field_name} = {value:g} is read in degrees "
                      f"({value:g}°); if you meant radians, {hint}", AngleUnitWarning,
                      stacklevel=user_stacklevel())
    return value


class Angles(_Strict):
    """A direction by polar angle ``theta`` and azimuth ``phi`` in degrees (a value that is a
    common angle in radians, 1.5708 say, warns: :class:`AngleUnitWarning`)."""

    theta: float = quantity("deg")
    phi: float = quantity("deg", 0.0)

    _check = field_validator("theta", "phi")(_finite)
    _units = field_validator("theta", "phi")(_not_radians)


Vector3 = list[float]


class MagnetTable(_Strict):
    """``[nodes.NAME.magnet]`` or ``[layers.NAME.magnet]``: makes a ferromagnet dynamic (SI
    units)."""

    saturation_magnetization: float = quantity("A/m", description="M_s")
    damping: float = quantity("1", description="Gilbert α")
    volume: float | None = quantity("m3", None)
    thickness: float | None = quantity("m", None)
    area: float | None = quantity("m2", None)
    anisotropy_axis: Vector3 = quantity("1", [0.0, 0.0, 1.0])
    anisotropy_field: float | None = quantity("T", None, description="B_k = μ0 H_k")
    anisotropy_energy: float | None = quantity("J/m3", None, description="K_u")
    demagnetizing_factors: Vector3 = quantity("1", [0.0, 0.0, 0.0])
    applied_field: Vector3 = quantity("T", [0.0, 0.0, 0.0], description="μ0 H")
    g_factor: float | None = quantity("1", None, description="Landé g (default 2.0023)")

    _check = field_validator("saturation_magnetization", "damping", "volume", "thickness",
                             "area", "anisotropy_field", "anisotropy_energy", "g_factor")(_finite)
    _field = field_validator("applied_field")(_plausible_field)


class NodeTable(_Strict):
    """``[nodes.NAME]``."""

    type: Literal["ferromagnet", "normal"]
    reservoir: bool = False
    voltage: float | None = quantity("V", None, description="electric potential")
    current: float | None = quantity("A", None, description="conventional current into the device")
    temperature: float | None = quantity("K", None, description="absolute")
    magnetization: Vector3 | Angles | None = quantity("1", None)
    spin_flip: float = quantity("S", 0.0, description="spin-flip conductance of an internal node")
    bath: float = quantity("W/K", 0.0, description="heat conductance to the phonon bath")
    spin_heat_relaxation: float = quantity("W/K", 0.0, description="spin-temperature relaxation")
    heat: float = quantity("W", 0.0, description="heat deposited in an internal node")
    heat_capacity: float = quantity("J/K", 0.0, description="heat stored by an internal node's "
                                    "electrons (dynamics: its temperature becomes a state)")
    electron_phonon: float = quantity("W/K", 0.0, description="G_ep: gives the node a lattice "
                                      "temperature, which bath then joins to the substrate")
    lattice_heat_capacity: float = quantity("J/K", 0.0, description="heat stored by the node's "
                                            "lattice (with electron_phonon)")
    hanle_field: Vector3 | None = quantity(
        "T", None, description="B = μ0 H precessing the spin accumulation of a normal node")
    spin_lifetime: float | None = quantity("s", None, description="τ_sf with hanle_field")
    magnet: MagnetTable | None = None

    _check = field_validator("voltage", "current", "spin_flip", "bath",
                             "spin_heat_relaxation", "heat", "spin_lifetime",
                             "heat_capacity", "electron_phonon",
                             "lattice_heat_capacity")(_finite)
    _field = field_validator("hanle_field")(_plausible_field)
    _absolute = field_validator("temperature")(_temperature)

    @field_validator("magnetization")
    @classmethod
    def _vector(cls, v):
        if isinstance(v, list):
            if len(v) != 3:
                raise ValueError(f"must have 3 components, got {len(v)}")
            if not all(math.isfinite(x) for x in v):
                raise ValueError("components must be finite")
            if all(x == 0 for x in v):
                raise ValueError("must be a non-zero vector")
        return v

    @model_validator(mode="after")
    def _consistent(self):
        if self.type == "ferromagnet" and self.magnetization is None:
            raise ValueError("magnetization: a ferromagnet needs a magnetization")
        if self.type == "normal" and self.magnetization is not None:
            raise ValueError("magnetization: only a ferromagnet has a magnetization")
        if not self.reservoir:
            for key in ("voltage", "current", "temperature"):
                if getattr(self, key) is not None:
                    raise ValueError(f"{key}: only a reservoir has a fixed {key}")
        if self.voltage is not None and self.current is not None:
            raise ValueError("current: give a voltage or a current bias, not both")
        if self.magnet is not None and self.type != "ferromagnet":
            raise ValueError("magnet: only a ferromagnet can be a dynamic magnet")
        return self


RAW = ("g_up", "g_down", "g_mix", "dg_up", "dg_down", "dg_mix")
PAPER = ("conductance", "polarization", "mixing", "mixing_imag", "seebeck",
         "polarization_derivative", "mixing_derivative", "mixing_imag_derivative")
DATABASE = ("interface", "area", "conductance_per_area")
SPECTRUM = ("spectrum", "energy_unit")


class JunctionTable(_Strict):
    """``junction = {...}`` of a contact joining two ferromagnets: a magnetic tunnel junction,
    either as measured (symmetric: resistance_area, tmr, seebeck_parallel,
    seebeck_antiparallel, with the contact's ``area``) or raw (g0, polarization_a,
    polarization_b and the derivatives dg0, dg0_pa, dg0_pb, dg0_papb in S/J)."""

    resistance_area: float | None = quantity("ohm m2", None, description="RA of the parallel state")
    tmr: float | None = quantity("1", None, description="G_P/G_AP − 1")
    seebeck_parallel: float | None = quantity("V/K", None, description="S_P")
    seebeck_antiparallel: float | None = quantity("V/K", None, description="S_AP")
    g0: float | None = quantity("S", None, description="G_0 (S): G(θ) = G_0(1 + P_a P_b cos θ)")
    polarization_a: float | None = quantity("1", None)
    polarization_b: float | None = quantity("1", None)
    dg0: float | None = quantity("S/J", None)
    dg0_pa: float | None = quantity("S/J", None)
    dg0_pb: float | None = quantity("S/J", None)
    dg0_papb: float | None = quantity("S/J", None)

    _check = field_validator("*")(_finite)
    _ra = field_validator("resistance_area")(
        lambda value, info: plausible_resistance_area(value, info.field_name))

    def form(self) -> str:
        """"measured" or "raw"; ValueError naming the first missing or mixed key."""
        measured = ("resistance_area", "tmr", "seebeck_parallel", "seebeck_antiparallel")
        raw = ("g0", "polarization_a", "polarization_b")
        extra = ("dg0", "dg0_pa", "dg0_pb", "dg0_papb")
        used_m = [k for k in measured if getattr(self, k) is not None]
        used_r = [k for k in raw + extra if getattr(self, k) is not None]
        if used_m and used_r:
            raise ValueError(f"{used_r[0]}: give the measured form (resistance_area, tmr, "
                             "seebeck_parallel, seebeck_antiparallel) or the raw one, not both")
        keys = measured if used_m or not used_r else raw
        missing = [k for k in keys if getattr(self, k) is None]
        if missing:
            raise ValueError(f"{missing[0]}: required")
        return "measured" if used_m else "raw"


class ContactTable(_Strict):
    """``[[contacts]]`` in one of five forms: raw conductances, the paper's parameters, a
    database interface times an area, a tabulated spectrum, or a tunnel junction."""

    between: list[str]
    # form 1: raw (S, S/J), complex values as [re, im]
    g_up: float | None = quantity("S", None)
    g_down: float | None = quantity("S", None)
    g_mix: list[float] | None = quantity("S", None)
    dg_up: float | None = quantity("S/J", None)
    dg_down: float | None = quantity("S/J", None)
    dg_mix: list[float] | None = quantity("S/J", None)
    # form 2: the paper's parameters
    conductance: float | None = quantity("S", None)
    polarization: float | None = quantity("1", None)
    mixing: float | None = quantity("1", None)
    mixing_imag: float | None = quantity("1", None)
    seebeck: float | None = quantity("V/K", None)
    polarization_derivative: float | None = quantity("1", None)
    mixing_derivative: float | None = quantity("1", None)
    mixing_imag_derivative: float | None = quantity("1", None)
    # form 3: database
    interface: str | None = None
    area: float | None = quantity("m2", None)
    conductance_per_area: float | None = quantity("S/m2", None)
    # form 4: a tabulated spectrum G(ε) (a file beside the device file; per area with area)
    spectrum: str | None = None
    energy_unit: Literal["eV", "J"] | None = None
    # form 5: a tunnel junction between two ferromagnets (measured: per area with area)
    junction: JunctionTable | None = None
    # with any form but a junction: lattice heat conduction in parallel (W/K, whole contact)
    heat_conductance: float | None = quantity("W/K", None, description="heat only (phonons)")
    # form 6: a heat conductance alone, between lattice temperatures (NODE/lattice) or a
    # lattice and a node (an interface's phonon conductance)
    heat_link: float | None = quantity("W/K", None, description="a heat conductance alone")

    _check = field_validator("g_up", "g_down", "dg_up", "dg_down", "conductance",
                             "polarization", "mixing", "mixing_imag", "seebeck",
                             "polarization_derivative", "mixing_derivative",
                             "mixing_imag_derivative", "area", "conductance_per_area",
                             "heat_conductance", "heat_link")(_finite)
    _size = field_validator("area")(_plausible_size)

    @field_validator("between")
    @classmethod
    def _pair(cls, v):
        if len(v) != 2:
            raise ValueError(f"must name exactly two nodes, got {len(v)}")
        return v

    @field_validator("g_mix", "dg_mix")
    @classmethod
    def _complex(cls, v):
        if v is not None and (len(v) != 2 or not all(math.isfinite(x) for x in v)):
            raise ValueError("must be [real, imaginary], two finite numbers")
        return v

    def form(self) -> str:
        """"raw", "paper", "database", "spectrum", "junction" or "heat link"; ValueError unless
        exactly one
        form is used (a spectrum or a junction may take an area: then per area)."""
        if self.spectrum is None and self.energy_unit is not None:
            raise ValueError("energy_unit: only with a spectrum file (spectrum = \"...\")")
        per_area = self.spectrum is not None or self.junction is not None
        database = ("interface", "conductance_per_area") if per_area else DATABASE
        used = [name for name, keys in (("raw", RAW), ("paper", PAPER), ("database", database),
                                        ("spectrum", SPECTRUM), ("junction", ("junction",)),
                                        ("heat link", ("heat_link",)))
                if any(getattr(self, k) is not None for k in keys)]
        if len(used) != 1:
            raise ValueError("give exactly one contact form (raw conductances, the paper's "
                             "parameters, interface + area, a spectrum file, a junction, or a "
                             f"heat_link); found {used or 'none'}")
        return used[0]


class DriveTable(BaseModel):
    """``[drives.NODE.QUANTITY]``: a time-dependent drive (checked by the drives module)."""

    model_config = ConfigDict(extra="allow")
    shape: str


class LaserTable(_Strict):
    """``[laser]``: a laser pulse, as the heat its nodes absorb (heat drives; see
    :func:`spincaloric.dynamics.laser.laser_heat`)."""

    fluence: float | None = quantity("J/m2", None, description="incident, at the spot's centre")
    energy: float | None = quantity("J", None, description="pulse energy, with spot_radius")
    spot_radius: float | None = quantity("m", None, description="1/e² radius of the spot")
    area: float = quantity("m2", description="the device's cross-section under the spot")
    fwhm: float = quantity("s", description="full width at half maximum of the pulse")
    center: float = quantity("s", description="time of the pulse's maximum")
    penetration_depth: float | None = quantity("m", None, description="δ, with depths")
    reflectance: float | None = quantity("1", None, description="R, with depths")
    depths: dict[str, list[float]] | None = quantity(
        "m", None, description="node = [top, bottom]; layer = [first vertex, last vertex]")
    absorbed: dict[str, float] | None = quantity("1", None, description="node = fraction")

    _check = field_validator("fluence", "energy", "spot_radius", "area", "fwhm", "center",
                             "penetration_depth", "reflectance")(_finite)


class SimulationTable(_Strict):
    """``[simulation]``: defaults of ``spincaloric run`` (command-line flags override them)."""

    until: float | None = quantity("s", None)
    n_save: int | None = None
    ensemble: int | None = None
    method: Literal["rk45", "rk4", "heun", "lsoda"] | None = None
    temperature_noise: bool | None = None
    dt: float | None = quantity("s", None)
    seed: int | None = None
    joule_heating: bool | None = Field(None, description="add the drives' Joule heat")
    pumping: bool | None = Field(None, description="spin pumping by the moving magnets "
                                 "(default true; false: static-magnet torques only)")
    thermal_start: bool | None = Field(None, description="start every trajectory from "
                                       "the magnets' thermal equilibrium in their wells")

    _seed = field_validator("seed")(_shared(seed_rule))


class SweepTable(_Strict):
    """``[sweep]``: the default ``--vary`` specifications of ``spincaloric sweep`` / ``map``."""

    vary: list[str]


class SpectralNodeTable(_Strict):
    """``[spectral.nodes.NAME]``: a node's relaxation from its size and material,
    g = e² D V/τ with D the density of states (J⁻¹ m⁻³, both spins)."""

    volume: float = quantity("m3")
    material: str | None = Field(None, description="bulk database entry giving D")
    density_of_states: float | None = quantity("1/(J m3)", None)
    tau_ee: float | None = quantity("s", None, description="electron–electron relaxation time")
    tau_ep: float | None = quantity("s", None, description="electron–phonon relaxation time")

    @field_validator("volume", "density_of_states", "tau_ee", "tau_ep")
    @classmethod
    def _positive(cls, v):
        if v is not None and not (math.isfinite(v) and v > 0):
            raise ValueError(f"must be positive, got {v}")
        return v

    @model_validator(mode="after")
    def _consistent(self):
        if (self.material is None) == (self.density_of_states is None):
            raise ValueError("material: give a material or a density_of_states (not both)")
        if self.tau_ee is None and self.tau_ep is None:
            raise ValueError("tau_ee: give tau_ee and/or tau_ep (s)")
        return self


class SpectralTable(_Strict):
    """``[spectral]``: the energy grid and the relaxation of a ``regime = "spectral"`` device."""

    points: int = quantity("1", 2001, ge=3, le=1_000_000)
    window: float = quantity("1", 40.0, ge=18, le=1000, description="half-width of the grid in "
                             "k_B T (the Fermi window reaches 18 k_B T beyond the biases)")
    relaxation: dict[str, float] = quantity("S", {}, description="node: g_ee = e²D/τ_ee (S)")
    phonons: dict[str, float] = quantity("S", {}, description="node: g_ep (S)")
    nodes: dict[str, SpectralNodeTable] = {}
    tol: float = quantity("1", 1e-6, gt=0, lt=1, description="Newton tolerance, relative")
    max_iter: int = quantity("1", 30, ge=0, description="Newton steps")


class LayerTable(_Strict):
    """``[layers.NAME]``: a diffusive layer cut into ``cells`` cells; its vertices are nodes
    ``NAME_0`` … ``NAME_cells`` (the first/last is the node named in ``start``/``end`` when
    given). Parameters come from the bulk database entry ``material`` and/or are given here."""

    material: str | None = Field(None, description="bulk database entry (Co, Cu, Py, ...)")
    resistivity: float | None = quantity("ohm m", None)
    spin_flip_length: float | None = quantity("m", None)
    spin_asymmetry: float | None = quantity("1", None, description="β")
    seebeck: float | None = quantity("V/K", None)
    spin_seebeck: float | None = quantity("V/K", None, description="S↑ − S↓")
    thermal_conductivity: float | None = quantity(
        "W/(m K)", None, description="total κ: the lattice carries κ − (L0 − S²)σT")
    density_of_states: float | None = quantity("1/(J m3)", None, description="ν, both spins")
    hanle_field: Vector3 | None = quantity(
        "T", None, description="B = μ0 H precessing the spin accumulation of a normal layer")
    spin_lifetime: float | None = quantity(
        "s", None, description="τ_sf with hanle_field (default λ²e²νρ)")
    length: float = quantity("m")
    area: float = quantity("m2")
    cells: int = quantity("1", ge=1, le=10_000_000, strict=True)
    magnetization: Vector3 | Angles | None = quantity("1", None)
    start: str | None = None
    end: str | None = None
    magnet: MagnetTable | None = None
    # heat storage of the new vertices (LayerHeat): a number or "material" (the database)
    volumetric_heat_capacity: float | Literal["material"] | None = quantity(
        "J/(m3 K)", None, description='c, electrons included; "material": the database c_p')
    electron_heat_capacity_coefficient: float | Literal["material"] | None = quantity(
        "J/(m3 K2)", None, description="γ_e: the electrons store γ_e T (two temperatures)")
    electron_phonon_coupling: float | Literal["material"] | None = quantity(
        "W/(m3 K)", None, description="g_ep: gives the vertices a lattice temperature")
    boundary_conductance: float | None = quantity(
        "W/(m2 K)", None, description="h_b to the substrate, through the footprint")
    footprint: float | None = quantity(
        "m2", None, description="area joined to the substrate (default: area)")

    _check = field_validator("resistivity", "spin_flip_length", "spin_asymmetry", "seebeck",
                             "spin_seebeck", "thermal_conductivity", "density_of_states",
                             "spin_lifetime", "length", "area", "boundary_conductance",
                             "footprint")(_finite)
    # λ_sf too (∞, a layer without spin flip, lies beyond the range that warns)
    _size = field_validator("length", "area", "footprint", "spin_flip_length")(_plausible_size)
    _field = field_validator("hanle_field")(_plausible_field)

    @field_validator("volumetric_heat_capacity", "electron_heat_capacity_coefficient",
                     "electron_phonon_coupling", mode="before")
    @classmethod
    def _number_or_material(cls, v, info):
        # before the union's own checks: one reason, not one per alternative
        if v is None or v == "material":
            return v
        unit = cls.model_fields[info.field_name].json_schema_extra["unit"]
        try:
            return real(v, "value", unit)
        except FieldError:
            raise ValueError(f'must be a number ({unit}) or "material", got {v!r}') from None

    @field_validator("magnetization")
    @classmethod
    def _vector(cls, v):
        return NodeTable._vector(v)


class DeviceFile(_Strict):
    """A whole device file."""

    title: str = ""
    temperature: float = quantity("K")
    regime: Literal["thermalized", "noninteracting", "spectral"] = "thermalized"
    nodes: dict[str, NodeTable]
    layers: dict[str, LayerTable] = {}
    contacts: list[ContactTable] = []
    drives: dict[str, dict[str, DriveTable]] = {}
    simulation: SimulationTable | None = None
    laser: LaserTable | None = None
    sweep: SweepTable | None = None
    spectral: SpectralTable | None = None

    _absolute = field_validator("temperature")(_temperature)


def _table_type(annotation):
    """The model or container type behind an annotation (``X | None`` -> X; a union with one
    model, such as a vector or angles, -> the model)."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if models else (args[0] if len(args) == 1 else None)
    return annotation


def _walk(path):
    """(the type at ``path``, the last model field on the way) through the format's models
    (table keys and list indices from the top); None for a path the format does not have, or
    one inside a drive (its keys depend on its shape)."""
    kind, last = DeviceFile, None
    for part in path:
        kind = _table_type(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel) and kind is not DriveTable:
            field = kind.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            kind, last = field.annotation, field
        elif typing.get_origin(kind) in (dict, list):
            kind = typing.get_args(kind)[-1]
        else:
            return None
    return kind, last


def known_keys(path) -> tuple[str, ...] | None:
    """The keys that the device-file format defines in the table at ``path`` (table keys and
    list indices from the top, e.g. ``("nodes", "free", "magnet")``): the fields of its model.
    None where the table's keys are names the file chooses (``nodes``, ``layers``, the nodes
    of ``drives``), for a drive (its keys depend on its shape) and for a path the format does
    not have."""
    found = _walk(path)
    kind = _table_type(found[0]) if found else None
    if isinstance(kind, type) and issubclass(kind, BaseModel) and kind is not DriveTable:
        return tuple(kind.model_fields)
    return None


def field_unit(path) -> str | None:
    """The unit of the numeric field at ``path`` (table keys and list indices from the top, e.g.
    ``("contacts", 1, "conductance")``; a vector's component or a table's entry keeps its
    field's unit) as its :func:`quantity` declares it; None where the format has no such
    field or the field is not a quantity."""
    found = _walk(path)
    if found is None or found[1] is None:
        return None
    return (found[1].json_schema_extra or {}).get("unit")


def _path(loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("list[float]", "Angles", "function-after[_vector(), list[float]]"):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


#: pydantic's range errors and the relation each asks for.
_BOUNDS = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
           "less_than": "<"}


def first_error(err: ValidationError) -> tuple[str, str]:
    """(field path, reason) of the most specific error of a pydantic ValidationError."""
    errors = err.errors()
    # an unknown key first: a misspelt required key is also missing, and the typo is the news;
    # with a union (vector or angles), prefer the error of the alternative that was meant
    unknown_keys = [e for e in errors if e["type"] == "extra_forbidden"]
    best = unknown_keys[0] if unknown_keys else errors[0]
    for e in errors if not unknown_keys else ():
        if e["type"] not in ("model_type", "list_type"):
            best = e
            break
    loc = [p for p in best["loc"] if not (isinstance(p, str) and ("[" in p or p in (
        "list[float]", "Angles")))]
    msg = best["msg"]
    if best["type"] == "extra_forbidden":
        msg = unknown("key", str(loc[-1]), known_keys(loc[:-1]) or ())
    elif best["type"] == "missing":
        msg = "required"
    elif best["type"] in ("float_parsing", "float_type", "int_parsing", "int_type",
                          "int_from_float"):
        given = best.get("input")
        whole = best["type"].startswith("int")
        shown = f"a boolean ({str(given).lower()})" if isinstance(given, bool) else repr(given)
        msg = (f"must be a number in SI units, without a unit suffix (V, K, A, S, m, s, T), "
               f"got {given!r}" if isinstance(given, str) else
               f"must be written as an integer ({int(given)}, not {given!r}: TOML reads a "
               f"number with a decimal point or an exponent, as 1e6, as a float)"
               if whole and isinstance(given, float) and given.is_integer() else
               f"must be a {'whole ' if whole else ''}number, got {shown}")
    elif best["type"] in ("bool_parsing", "bool_type"):
        msg = f"must be true or false, got {best.get('input')!r}"
    elif best["type"] in _BOUNDS and len(best.get("ctx") or {}) == 1:
        (bound,) = best["ctx"].values()
        msg = f"must be {_BOUNDS[best['type']]} {bound}, got {best.get('input')!r}"
    elif msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    path = _path(loc)
    # a model-level check reports "field: reason"; lift the field into the path
    if ": " in msg and best["type"] == "value_error" and msg.split(": ", 1)[0].isidentifier():
        field, msg = msg.split(": ", 1)
        path = f"{path}.{field}" if path else field
    return path or "<file>", msg
