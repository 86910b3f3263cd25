"""Time-dependent drives: a reservoir's voltage (V), current (A) or temperature (K) vs time (s).

Every drive is callable, vectorised over t (s), lists its ``breakpoints()`` (times where the
value or its slope jumps, which integrators step onto) and ``sample(t_end, max_step)``s itself
into a piecewise-linear table for the compiled integrators (a jump is two equal times).

>>> laser = LaserPulse(base=300.0, peak=40.0, start=0.1e-9, rise=0.05e-9, decay=1e-9)
>>> round(float(laser(laser.time_of_peak)), 9)
340.0
>>> float(RectangularPulse(base=0.0, amplitude=1e-3, start=1e-9, duration=2e-9)(2e-9))
0.001
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..errors import FieldError


class DriveError(FieldError):
    """Invalid drive parameters; ``field`` names the parameter."""


def _finite(**values):
    for name, v in values.items():
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise DriveError(name, f"must be a finite number, got {v!r}")


def _non_negative(**values):
    for name, v in values.items():
        if v < 0:
            raise DriveError(name, f"must be >= 0 (s), got {v!r}")


def _positive(**values):
    for name, v in values.items():
        if not v > 0:
            raise DriveError(name, f"must be > 0 (s), got {v!r}")


class _Drive:
    """Shared sampling: a fine uniform grid plus every breakpoint, both sides of a jump."""

    base: float | None

    def breakpoints(self) -> np.ndarray:
        return np.zeros(0)

    def with_base(self, value: float):
        """The same drive with ``base`` set where it was left unset (None)."""
        return self if getattr(self, "base", 0.0) is not None else replace(self, base=value)

    def sample(self, t_end: float, max_step: float, points: int = 20000):
        """(times, values): a table of at most ~``points`` points up to ``t_end`` (s), spacing
        at most ``max_step`` where possible, with every breakpoint."""
        n = int(min(points, max(2, math.ceil(t_end / max_step) + 1)))
        t = np.linspace(0.0, t_end, n)
        bp = self.breakpoints()
        bp = bp[(bp > 0) & (bp < t_end)]
        t = np.union1d(t, bp)
        v = np.asarray(self(t), dtype=float)
        if bp.size:  # a jump: the value just before, then just after, at the same time
            eps = 1e-9 * max(t_end, 1e-30)
            at = np.searchsorted(t, bp)
            v[at] = np.asarray(self(bp + eps), dtype=float)
            t = np.insert(t, at, bp)
            v = np.insert(v, at, np.asarray(self(bp - eps), dtype=float))
        return t, v


@dataclass(frozen=True)
class Constant(_Drive):
    """f(t) = value."""

    value: float
    base: float | None = None

    def __post_init__(self):
        _finite(value=self.value)

    def __call__(self, t):
        return np.full(np.shape(t), float(self.value))


@dataclass(frozen=True)
class Step(_Drive):
    """f(t) = before for t < time, after for t ≥ time."""

    before: float
    after: float
    time: float

    def __post_init__(self):
        _finite(before=self.before, after=self.after, time=self.time)
        _non_negative(time=self.time)

    @property
    def base(self):
        return self.before

    def __call__(self, t):
        t = np.asarray(t, dtype=float)
        return np.where(t < self.time, self.before, self.after)

    def breakpoints(self):
        return np.array([self.time])


@dataclass(frozen=True)
class RectangularPulse(_Drive):
    """f(t) = base + amplitude on [start, start + duration), with linear edges of ``rise``
    (inside the duration) if rise > 0; base elsewhere."""

    amplitude: float
    start: float
    duration: float
    rise: float = 0.0
    base: float | None = None

    def __post_init__(self):
        _finite(base=self.base, amplitude=self.amplitude, start=self.start,
                duration=self.duration, rise=self.rise)
        _non_negative(start=self.start, rise=self.rise)
        _positive(duration=self.duration)
        if 2 * self.rise > self.duration:
            raise DriveError("rise", "two edges must fit inside the duration")

    def __call__(self, t):
        t = np.asarray(t, dtype=float)
        base = self.base or 0.0
        x = t - self.start
        if self.rise > 0:
            shape = np.clip(np.minimum(x, self.duration - x) / self.rise, 0.0, 1.0)
        else:
            shape = ((x >= 0) & (x < self.duration)).astype(float)
        return base + self.amplitude * shape

    def breakpoints(self):
        s, d, r = self.start, self.duration, self.rise
        return np.array([s, s + r, s + d - r, s + d]) if r > 0 else np.array([s, s + d])


@dataclass(frozen=True)
class GaussianPulse(_Drive):
    """f(t) = base + amplitude exp(−(t − center)²/(2 width²))."""

    amplitude: float
    center: float
    width: float
    base: float | None = None

    def __post_init__(self):
        _finite(base=self.base, amplitude=self.amplitude, center=self.center, width=self.width)
        _non_negative(center=self.center)
        _positive(width=self.width)

    def __call__(self, t):
        t = np.asarray(t, dtype=float)
        return (self.base or 0.0) + self.amplitude * np.exp(
            -((t - self.center) ** 2) / (2 * self.width**2))


@dataclass(frozen=True)
class LaserPulse(_Drive):
    """Exponential heating and cooling: for t ≥ start,
    f(t) = base + peak N (1 − e^{−(t−start)/rise}) e^{−(t−start)/decay}, base before;
    N normalises the maximum, reached at t* = start + rise ln(1 + decay/rise), to ``peak``."""

    peak: float
    start: float
    rise: float
    decay: float
    base: float | None = None

    def __post_init__(self):
        _finite(base=self.base, peak=self.peak, start=self.start, rise=self.rise,
                decay=self.decay)
        _non_negative(start=self.start)
        _positive(rise=self.rise, decay=self.decay)

    @property
    def time_of_peak(self) -> float:
        """t* (s)."""
        return self.start + self.rise * math.log1p(self.decay / self.rise)

    def _norm(self) -> float:
        x = self.time_of_peak - self.start
        return 1.0 / ((1 - math.exp(-x / self.rise)) * math.exp(-x / self.decay))

    def __call__(self, t):
        x = np.asarray(t, dtype=float) - self.start
        xp = np.maximum(x, 0.0)
        shape = np.where(x >= 0, -np.expm1(-xp / self.rise) * np.exp(-xp / self.decay), 0.0)
        return (self.base or 0.0) + self.peak * self._norm() * shape

    def breakpoints(self):
        return np.array([self.start])


@dataclass(frozen=True)
class Table(_Drive):
    """Linear interpolation in (times (s), values), constant beyond the ends; two equal
    consecutive times make a jump."""

    times: tuple
    values: tuple

    def __post_init__(self):
        t = np.asarray(self.times, dtype=float)
        v = np.asarray(self.values, dtype=float)
        if t.ndim != 1 or t.size == 0:
            raise DriveError("times", "must be a non-empty list")
        if v.shape != t.shape:
            raise DriveError("values", f"must have as many entries as times ({t.size})")
        for name, a in (("times", t), ("values", v)):
            bad = np.flatnonzero(~np.isfinite(a))
            if bad.size:
                raise DriveError(f"{name}[{bad[0]}]", "must be finite")
        if t[0] < 0:
            raise DriveError("times[0]", "times must be >= 0 (s)")
        for i in range(1, t.size):
            if t[i] < t[i - 1]:
                raise DriveError(f"times[{i}]", f"times must not decrease ({t[i]:g} after "
                                 f"{t[i - 1]:g})")
            if i > 1 and t[i] == t[i - 1] == t[i - 2]:
                raise DriveError(f"times[{i}]", "at most two equal times (one jump)")
        object.__setattr__(self, "times", tuple(t.tolist()))
        object.__setattr__(self, "values", tuple(v.tolist()))

    @property
    def base(self):
        return self.values[0]

    def __call__(self, t):
        t = np.asarray(t, dtype=float)
        times, values = np.asarray(self.times), np.asarray(self.values)
        idx = np.clip(np.searchsorted(times, t, side="right"), 1, len(times) - 1) \
            if len(times) > 1 else np.zeros(t.shape, int)
        if len(times) == 1:
            return np.full(t.shape, values[0])
        t0, t1 = times[idx - 1], times[idx]
        v0, v1 = values[idx - 1], values[idx]
        with np.errstate(invalid="ignore", divide="ignore"):
            frac = np.where(t1 > t0, (t - t0) / (t1 - t0), 1.0)
        out = v0 + np.clip(frac, 0.0, 1.0) * (v1 - v0)
        return np.where(t < times[0], values[0], np.where(t >= times[-1], values[-1], out))

    def breakpoints(self):
        return np.unique(np.asarray(self.times))

    def sample(self, t_end: float, max_step: float, points: int = 20000):
        return np.asarray(self.times), np.asarray(self.values)


SHAPES = {"constant": Constant, "step": Step, "pulse": RectangularPulse,
          "gaussian": GaussianPulse, "laser": LaserPulse, "table": Table}


def drive_from_dict(d: dict, field: str):
    """A drive from a device-file table such as ``{shape = "laser", peak = 30.0, ...}``;
    ``field`` (e.g. "drives.right.temperature") prefixes error messages."""
    import dataclasses

    d = dict(d)
    shape = d.pop("shape", None)
    if shape not in SHAPES:
        raise DriveError(f"{field}.shape", f"must be one of {sorted(SHAPES)}, got {shape!r}")
    cls = SHAPES[shape]
    names = [f.name for f in dataclasses.fields(cls)]
    required = [f.name for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    for key in d:
        if key not in names:
            raise DriveError(f"{field}.{key}", f"unknown key for shape {shape!r} "
                             f"(allowed: {', '.join(names)})")
    for key in required:
        if key not in d:
            raise DriveError(f"{field}.{key}", f"required for shape {shape!r}")
    try:
        return cls(**d)
    except DriveError as err:
        raise DriveError(f"{field}.{err.field}", err.reason) from None
    except TypeError as err:  # pragma: no cover - wrong value types
        raise DriveError(field, str(err)) from None
