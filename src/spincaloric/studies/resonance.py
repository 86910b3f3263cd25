"""Ferromagnetic resonance over device-file parameters: damping and frequency against, e.g.,
the free layer's thickness (``nodes.free.magnet.thickness``) or a spacer's spin-flip
conductance — the plots FMR experiments are compared with.

Each point rebuilds the device from the file with the varied values (keys and values as in
:func:`~spincaloric.io.paths.parse_vary`) and computes the small-angle mode of one dynamic
magnet with :func:`spincaloric.dynamics.resonance.resonance` (the linearised LLGS eigenproblem
about the equilibrium with the circuit torque of the static drives and, unless the file sets
``[simulation] pumping = false``, the circuit's spin pumping: the damping is then α0 + α', the
quantity a Mizukami-type α against 1/thickness plot measures). The result is an
:class:`xarray.Dataset` with one dimension per varied key.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np

from ..circuit.device import DeviceError
from ..dynamics.resonance import NoResonanceWarning, ResonanceError
from ..errors import FieldError, at_point, unknown, user_stacklevel
from ..io.paths import check_keys, set_path, unit_of
from .sweep import checked_axes

#: The scalar results of a point: (name, attribute of Resonance, unit, description).
RESULTS = (
    ("frequency", "frequency", "Hz", "resonance frequency f = ω/2π"),
    ("angular_frequency", "angular_frequency", "rad/s", "resonance angular frequency ω"),
    ("decay_rate", "decay_rate", "1/s", "amplitude decay rate Γ (linewidth 2Γ in ω)"),
    ("damping", "damping", "1", "effective Gilbert damping α_eff"),
    ("gyromagnetic_ratio", "gyromagnetic_ratio", "rad/(s T)", "effective gyromagnetic ratio"),
    ("g_factor", "g_factor", "1", "effective Landé g"),
)


def resonance_of_file(data: dict, magnet: str):
    """The :class:`~spincaloric.dynamics.resonance.Resonance` of ``magnet`` (a dynamic magnet
    of the parsed device file ``data``); FieldErrors name the culprit."""
    from ..dynamics.resonance import resonance
    from ..dynamics.simulation import Simulation
    from ..io.devicefile import spec_from_dict

    spec = spec_from_dict(data)
    if magnet not in spec.magnets:
        raise DeviceError("magnet", f"{magnet!r}: " + unknown("dynamic magnet", str(magnet),
                                                              spec.magnets))
    return resonance(Simulation(spec.device.finalize(), spec.magnets, pumping=spec.pumping),
                     magnet)


def _missing(missing: dict, shape: tuple, dims: list):
    """The ``no_resonance`` variable (why a point has none; empty where it has one) of the
    points ``missing`` {index: (ResonanceError, point)}: all of them an error (the first
    point's), some a warning."""
    first = at_point(*next(iter(missing.values())))
    total = int(np.prod(shape))
    if len(missing) == total:
        raise first
    warnings.warn(f"{len(missing)} of {total} points have no resonance (NaN there, the reason "
                  f"in no_resonance); {first.field}: {first.reason}", NoResonanceWarning,
                  stacklevel=user_stacklevel())
    reasons = np.full(shape, "", dtype=object)
    for index, (err, _) in missing.items():
        reasons[index] = err.reason
    return dims, reasons.astype(str), {"long_name": "why the point has no resonance (empty: "
                                                    "it has one)"}


def resonance_sweep(data: dict, magnet: str, axes):
    """The resonance of ``magnet`` over the grid of ``axes`` [(key, values)] of the parsed
    device file ``data`` (every point a rebuilt device; no axes: the file's device), as an xarray Dataset: ``frequency``
    (Hz), ``angular_frequency`` (rad/s), ``decay_rate`` (1/s), ``damping``,
    ``gyromagnetic_ratio`` (rad s⁻¹ T⁻¹), ``g_factor``, ``stiffness`` (T, per ``mode_axis``)
    and ``equilibrium`` (per ``component``). Points without a resonance (a growing or an
    overdamped mode, no restoring field) are NaN, their reasons in ``no_resonance``, with a
    :class:`~spincaloric.dynamics.resonance.NoResonanceWarning`; if no point has one, the
    first point's ResonanceError naming the key and the values there."""
    import xarray as xr

    from ..io.devicefile import spec_from_dict

    axes = checked_axes(axes)
    if len({k for k, _ in axes}) != len(axes):
        raise DeviceError("vary", "each parameter may be varied once")
    for key, _ in axes:
        if key.split(".")[0] == "drives":
            raise DeviceError(f"vary.{key}", "the resonance is about the static drives: a "
                              "time-dependent drive does not change it (vary a node's "
                              "voltage or temperature instead)")
    spec = spec_from_dict(data)
    check_keys(data, spec.device.finalize(), [k for k, _ in axes])
    shape = tuple(len(v) for _, v in axes)
    grids = np.meshgrid(*[v for _, v in axes], indexing="ij")
    scalars = np.full((len(RESULTS),) + shape, np.nan)
    stiffness, m0 = np.full(shape + (2,), np.nan), np.full(shape + (3,), np.nan)
    missing = {}  # the points without a resonance: their errors
    for index in np.ndindex(shape):
        d = copy.deepcopy(data)
        point = [(key, float(g[index])) for (key, _), g in zip(axes, grids)]
        for key, value in point:
            set_path(d, key, value)
        try:
            res = resonance_of_file(d, magnet)
        except ResonanceError as err:
            if not point:  # no axes: the device as written
                raise
            missing[index] = err, point
            continue
        except FieldError as err:
            if not point:
                raise
            raise at_point(err, point) from None
        scalars[(slice(None),) + index] = [getattr(res, attr) for _, attr, _, _ in RESULTS]
        stiffness[index], m0[index] = res.stiffness, res.equilibrium
    dims = [k for k, _ in axes]
    variables = {name: (dims, scalars[i], {"units": unit, "long_name": text})
                 for i, (name, _, unit, text) in enumerate(RESULTS)}
    if missing:
        variables["no_resonance"] = _missing(missing, shape, dims)
    variables["stiffness"] = (dims + ["mode_axis"], stiffness,
                              {"units": "T", "long_name": "stiffness fields B1, B2"})
    variables["equilibrium"] = (dims + ["component"], m0,
                                {"units": "1", "long_name": f"equilibrium direction of {magnet}"})
    coords = {k: (k, v, {"units": unit_of(k)}) for k, v in axes}
    coords.update(component=["x", "y", "z"], mode_axis=[1, 2])
    return xr.Dataset(variables, coords=coords,
                      attrs={"title": str(data.get("title", "")), "magnet": magnet,
                             "method": "linearised LLGS eigenproblem about the equilibrium",
                             "spin_pumping": int(spec.pumping)})
