"""The rules every input obeys, shared by the device-file schema and the API.

Each check takes a value and the field path that names it in errors (``nodes.right.voltage``,
``temperature.right``) and returns the value as a float (or a float array), or raises the
package's field-named error: ``error`` (a :class:`~spincaloric.errors.FieldError` subclass)
with a one-line reason that states the rule. A device file and a call of the API meet the
same rules because both go through these functions.

>>> absolute_temperature(300, "temperature")
300.0
>>> absolute_temperature(-1.0, "nodes.left.temperature")
Traceback (most recent call last):
...
spincaloric.errors.FieldError: nodes.left.temperature: must be at least 0.001 K and at most 1e+06 K (an absolute temperature), got -1.0
"""

from __future__ import annotations

import math
import numbers
import os
import stat

import numpy as np

from .constants import MAX_TEMPERATURE, MIN_TEMPERATURE
from .errors import FieldError, user_stacklevel

#: Seeds of the random thermal field are whole numbers in [0, SEED_LIMIT): 64-bit signed.
SEED_LIMIT = 2**63
#: The range of a contact's conductance (S): outside it the response L0 T G, e L0 T G' of the
#: Kirchhoff equations under- or overflows. 1e-30 S carries one electron in 5e10 s at 1 V;
#: 1e30 S is 10¹³ times a square metre of copper one nanometre thick.
MIN_CONDUCTANCE = 1e-30
MAX_CONDUCTANCE = 1e30
#: The largest input file read (bytes): a device file, or a tabulated spectrum beside it.
MAX_FILE_BYTES = 64 * 2**20


def _describe(value) -> str:
    """The value as an error quotes it: a boolean as a boolean (a device file writes true,
    Python True), anything else by its repr, cut at 60 characters."""
    if isinstance(value, (bool, np.bool_)):
        return f"a boolean ({str(bool(value)).lower()})"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _in(unit: str) -> str:
    return f" ({unit})" if unit else ""


def _number(value, field: str, unit: str, error) -> float:
    """A real number (not a bool, a string or a complex number) as a float, maybe non-finite."""
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise error(field, f"must be a number{_in(unit)}, got {_describe(value)}")
    try:
        return float(value)
    except OverflowError:  # an integer beyond the float range
        return float("inf") if value > 0 else float("-inf")


def real(value, field: str, unit: str = "", error=FieldError) -> float:
    """A finite real number (int or float, NumPy scalars included; not a bool, a string or a
    complex number) as a float; ``unit`` is named in the reason."""
    x = _number(value, field, unit, error)
    if not np.isfinite(x):
        raise error(field, f"must be finite{_in(unit)}, got {_describe(value)}")
    return x


def real_array(value, field: str, unit: str = "", error=FieldError,
               finite: bool = True) -> np.ndarray:
    """A non-empty array of finite real numbers (any shape; a number is a 0-d array) as
    floats. Booleans, strings, complex numbers and ragged nestings are refused, also inside
    lists."""
    if not isinstance(value, np.ndarray):
        try:
            items = np.asarray(value, dtype=object).ravel()
        except ValueError:  # ragged
            items = None
        if items is None or any(isinstance(x, (bool, np.bool_)) or not isinstance(
                x, numbers.Real) for x in items):
            raise error(field, f"must be numbers{_in(unit)}, got {_describe(value)}")
    try:
        a = np.asarray(value)
    except (ValueError, OverflowError):
        a = np.asarray([np.nan])
    if a.dtype.kind not in "iuf":
        raise error(field, f"must be numbers{_in(unit)}, got {_describe(value)}")
    if a.size == 0:
        raise error(field, "is empty: give at least one value")
    with np.errstate(over="ignore"):
        a = a.astype(float)
    if finite and not np.all(np.isfinite(a)):
        raise error(field, f"must be finite{_in(unit)}")
    return a


def temperature_reason(low: float, high: float | None = None) -> str | None:
    """Why absolute temperatures from ``low`` to ``high`` (K) are refused, or None: they must
    lie in [MIN_TEMPERATURE, MAX_TEMPERATURE] (NaN never does)."""
    high = low if high is None else high
    if MIN_TEMPERATURE <= low and high <= MAX_TEMPERATURE:
        return None
    worst = float(high if MIN_TEMPERATURE <= low else low)
    return (f"must be at least {MIN_TEMPERATURE:g} K and at most {MAX_TEMPERATURE:g} K (an "
            f"absolute temperature), got {worst!r}")


def absolute_temperature(value, field: str, error=FieldError) -> float:
    """An absolute temperature (K) in [MIN_TEMPERATURE, MAX_TEMPERATURE]: the linear response
    coefficients scale with T (e L0 T, L0 T) and underflow below a millikelvin; the Sommerfeld
    expansion needs k_B T far below the Fermi energy (10⁴–10⁵ K in metals)."""
    t = _number(value, field, "K", error)
    reason = temperature_reason(t)
    if reason:
        raise error(field, reason)
    return t


def temperature_array(value, field: str, error=FieldError) -> np.ndarray:
    """:func:`absolute_temperature` for an array (K) of any shape."""
    t = real_array(value, field, "K", error, finite=False)
    reason = temperature_reason(float(np.min(t)), float(np.max(t))) if not np.isnan(
        t).any() else temperature_reason(float("nan"))
    if reason:
        raise error(field, reason)
    return t


def conductance_reason(g: float, least: float = MIN_CONDUCTANCE, unit: str = "S") -> str | None:
    """Why a conductance ``g`` (S; or a heat conductance, W/K) is refused, or None: it must
    lie in [least, MAX_CONDUCTANCE] (``least`` = 0 for a relaxation that may vanish)."""
    if least <= g <= MAX_CONDUCTANCE:
        return None
    return (f"{g:.3g} {unit}, outside [{least:g}, {MAX_CONDUCTANCE:g}] {unit} (the circuit's "
            "equations would under- or overflow)")


def unit_vectors(value, field: str, error=FieldError) -> np.ndarray:
    """Non-zero, finite 3-vectors (..., 3) normalised to unit length, without overflow or
    underflow: each vector is first scaled by its largest |component| (so [1e200, 1e200, 0]
    and [5e-324, 0, 0] normalise exactly)."""
    m = real_array(value, field, error=error)
    if m.shape[-1:] != (3,):
        raise error(field, f"must be a 3-vector, got shape {m.shape}")
    scale = np.max(np.abs(m), axis=-1, keepdims=True)
    if np.any(scale == 0):
        first = [int(i) for i in np.argwhere(scale[..., 0] == 0)[0]]
        where = "" if m.ndim == 1 else f" (index {first[0] if len(first) == 1 else tuple(first)})"
        raise error(field, f"must be a non-zero vector{where}")
    s = m / scale
    return s / np.sqrt(np.sum(s * s, axis=-1, keepdims=True))


def seed(value, field: str = "seed", error=FieldError) -> int:
    """A seed of the random thermal field: a whole number in [0, 2⁶³)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) \
            or not 0 <= int(value) < SEED_LIMIT:
        raise error(field, f"must be a whole number in [0, 2**63), got {_describe(value)}")
    return int(value)


def read_input_file(path, field: str, error=FieldError) -> bytes:
    """The bytes of the input file ``path``: a regular file of at most MAX_FILE_BYTES (a
    device, a pipe or a directory — ``/dev/zero`` — is refused before reading). OSError if it
    cannot be opened."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise error(field, f"{os.path.basename(path)} is not a regular file (a device, a "
                    "pipe or a directory)")
    with open(path, "rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise error(field, f"{os.path.basename(path)} is larger than "
                    f"{MAX_FILE_BYTES // 2**20} MiB: not an input file of spincaloric")
    return data


#: The optional dependencies, and the extra of ``pip install 'spincaloric[EXTRA]'`` that
#: installs each.
EXTRAS = {"matplotlib": "plot", "distributed": "parallel", "dask": "parallel", "zarr": "parallel"}


def require(module: str, field: str) -> None:
    """Refuse, naming ``field``, what needs the optional dependency ``module`` when it is not
    installed (before any work is done)."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise FieldError(field, f"needs {module}: pip install 'spincaloric[{EXTRAS[module]}]'")


class SizeUnitWarning(UserWarning):
    """A device size far beyond a device's (metres or square metres where nm, µm were meant),
    a magnetic field beyond a laboratory's (tesla where mT was meant), a tunnel
    magnetoresistance beyond any measured (per cent where a ratio was meant), or a heat
    capacity per volume far below a solid's (per kilogram where per m³ was meant)."""


class UnusedSettingWarning(UserWarning):
    """A setting given that has no effect: a run setting that the chosen integrator does not
    use (``dt`` with rk45, ``rtol`` or ``atol`` with rk4 and heun), a contact parameter that
    the form it was given in cannot express (a spin-dependent thermopower without a charge
    thermopower in the paper's form), an electron–phonon coupling to a lattice that neither
    stores heat nor loses it."""


#: The largest length (m) and area (m²) of a device's layer or contact taken without a warning:
#: 1 mm and 1 mm² (nanopillars and lateral valves are nm to tens of µm), up to what a size in
#: nm or nm² read as m or m² gives (10⁶); beyond, other checks judge the value.
LARGEST_SIZE = {"m": 1e-3, "m2": 1e-6}
SLIP_SIZE = {"m": 1e6, "m2": 1e12}
#: The largest magnetic field (T) taken without a warning: beyond the strongest laboratory
#: fields (~45 T steady, ~100 T pulsed), up to what a field in mT read as T gives (10⁵ T);
#: beyond, other checks judge the value
LARGEST_FIELD, SLIP_FIELD = 100.0, 1e5


#: The largest conductance (S) of one contact taken without a warning: a clean metallic
#: interface of 1 mm² (the largest area taken without one) conducts ~10⁹ S at 10¹⁵ S/m²;
#: tabulated conductances per area (10¹³ – 10¹⁵ S/m²) read as siemens lie beyond.
LARGEST_CONTACT_CONDUCTANCE = 1e10


def plausible_size(value, field: str, unit: str = "m"):
    """``value`` (``unit`` "m" or "m2") with a SizeUnitWarning between LARGEST_SIZE and
    SLIP_SIZE: a size in nm or µm read as metres.

    >>> plausible_size(20e-9, "thickness")
    2e-08
    """
    if isinstance(value, numbers.Real) and LARGEST_SIZE[unit] < value <= SLIP_SIZE[unit]:
        import warnings

        shown = "m²" if unit == "m2" else "m"
        warnings.warn(f"{field} = {value:g} {shown} is larger than 1 m{shown}: a size in "
                      f"another unit (nm{shown[1:]}, µm{shown[1:]}) read as {shown}?",
                      SizeUnitWarning, stacklevel=user_stacklevel())
    return value


#: The largest resistance-area product (Ω m²) of a tunnel barrier taken without a warning:
#: 1 MΩ µm² (MgO barriers are 1 … 10⁴ Ω µm²), up to what a value in Ω µm² read as Ω m² gives
LARGEST_RA, SLIP_RA = 1e-6, 1e6


def plausible_resistance_area(value, field: str):
    """``value`` (Ω m²) with a SizeUnitWarning between LARGEST_RA and SLIP_RA: a barrier's RA
    in Ω µm² read as Ω m²."""
    if isinstance(value, numbers.Real) and LARGEST_RA < value <= SLIP_RA:
        import warnings

        warnings.warn(f"{field} = {value:g} Ω m² is beyond any tunnel barrier's (1 MΩ µm²): an "
                      "RA in Ω µm² (1e-12 Ω m²) read as Ω m²?", SizeUnitWarning,
                      stacklevel=user_stacklevel())
    return value


def plausible_field(value, field: str):
    """``value`` (a field vector, T) with a SizeUnitWarning between LARGEST_FIELD and
    SLIP_FIELD: a field in mT read as tesla."""
    size = None if value is None else math.hypot(*(float(x) for x in value))  # no overflow
    if size is not None and LARGEST_FIELD < size <= SLIP_FIELD:
        import warnings

        warnings.warn(f"{field} = {size:g} T is beyond any laboratory "
                      "field (~100 T): a field in mT read as T?", SizeUnitWarning,
                      stacklevel=user_stacklevel())
    return value
