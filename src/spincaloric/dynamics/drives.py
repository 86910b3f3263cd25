"""Time-dependent drives vs time t (s): a reservoir's voltage (V), current (A) or temperature
(K), or the heat (W) deposited in an internal node.

Every drive is a frozen dataclass f(t), vectorised over t (s) of any shape. ``breakpoints()``
lists the times (s) where the value or its slope jumps (integrators step onto them) and
``sample(t_end, max_step)`` turns the drive into a piecewise-linear table (times (s), values)
for the compiled integrators: |table(t) − f(t)| ≤ 1e-4 · (max f − min f) on [0, t_end], every
breakpoint listed twice (the value just before, then just after: a jump is two equal times).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields, replace

import numpy as np

from ..errors import FieldError, unknown

MAX_POINTS = 20000  #: the size limit of a sampled table
RTOL = 1e-4  #: sampling accuracy relative to the drive's peak variation on [0, t_end]


class DriveError(FieldError):
    """Invalid drive parameters; ``field`` names the parameter, ``str(err)`` is "field: reason".

    >>> str(DriveError("width", "must be > 0 (s), got 0.0"))
    'width: must be > 0 (s), got 0.0'
    """


def _number(name: str, v) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
        raise DriveError(name, f"must be a finite number, got {v!r}")
    return float(v)


def _validate(drive, times=(), positive=()):
    """Every field a finite float (``base`` may be None); ``times`` ≥ 0, ``positive`` > 0 (s)."""
    for f in fields(drive):
        v = getattr(drive, f.name)
        if not (f.name == "base" and v is None):
            object.__setattr__(drive, f.name, _number(f.name, v))
    for name in times + positive:
        if getattr(drive, name) < 0 or (name in positive and getattr(drive, name) == 0):
            rule = "> 0" if name in positive else ">= 0"
            raise DriveError(name, f"must be {rule} (s), got {getattr(drive, name)!r}")


class _Drive:
    """Shared behaviour: breakpoints, base resolution and adaptive sampling."""

    def breakpoints(self) -> np.ndarray:
        """Times (s) where the value or its slope jumps."""
        return np.zeros(0)

    def _hints(self) -> np.ndarray:  # times (s) the sampler must visit: breakpoints, features
        return self.breakpoints()

    def with_base(self, value: float):
        """The same drive with ``base`` = value (V, K, A or W) if it was left unset (None)."""
        return replace(self, base=value) if getattr(self, "base", 0.0) is None else self

    def sample(self, t_end: float, max_step: float):
        """(times (s), values): a piecewise-linear table of f on [0, t_end] with spacing at most
        ``max_step`` (s) where ~MAX_POINTS allow, bisected until the midpoint error
        |f(m) − (f(a) + f(b))/2| ≤ RTOL/4 · peak variation, every breakpoint twice."""
        t_end, max_step = _number("t_end", t_end), _number("max_step", max_step)
        if t_end < 0 or max_step <= 0:
            name, rule = ("t_end", ">= 0") if t_end < 0 else ("max_step", "> 0")
            raise DriveError(name, f"must be {rule} (s)")
        if t_end == 0:
            return np.zeros(1), np.asarray(self(np.zeros(1)), float)
        bp = np.unique(np.asarray(self.breakpoints(), float))
        bp = bp[(bp > 0) & (bp < t_end)]
        n = min(MAX_POINTS // 2, max(64, math.ceil(t_end / max_step))) + 1
        hints = np.union1d(np.asarray(self._hints(), float), bp)
        t = np.union1d(np.linspace(0.0, t_end, n), hints[(hints > 0) & (hints < t_end)])
        values = np.asarray(self(t), float)  # f(t), right-continuous
        at = np.searchsorted(t, bp)  # each breakpoint twice: the value before, then after
        t = np.insert(t, at, bp)
        values = np.insert(values, at, self(np.nextafter(bp, -np.inf)))

        def tolerance(v):
            with np.errstate(over="ignore", invalid="ignore"):  # values near the float range
                return np.maximum(0.25 * RTOL * np.ptp(v, axis=1),  # (refused by their users)
                                  1e-13 * np.max(np.abs(v), axis=1))

        t, values = bisect_table(t, values[None], lambda mid: np.asarray(self(mid), float)[None],
                                 tolerance, MAX_POINTS)
        return t, values[0]


def bisect_table(t, values, evaluate, tolerance, max_points: int, max_rounds: int | None = None):
    """Refine a piecewise-linear table until it reproduces its functions between its times.

    t (P,) non-decreasing times (s), a time listed twice being a jump (the first entry holds
    the value just before it, the second the value at and after it); values (R, P): R
    functions at t. Every round evaluates the functions at the midpoints of the intervals
    (``evaluate(mid (M,)) -> (R, M)``, one batched call) and splits each interval where some
    row's midpoint error |f(mid) − (f(a⁺) + f(b⁻))/2| exceeds ``tolerance(values) -> (R,)``
    (inf: a row carried along, never judged), worst first, until none does, the table holds
    ``max_points`` times, or after ``max_rounds`` rounds. Returns (t, values).
    """
    t, values = np.asarray(t, float), np.asarray(values, float)
    rounds = 0
    while len(t) < max_points and (max_rounds is None or rounds < max_rounds):
        rounds += 1
        mid = 0.5 * (t[:-1] + t[1:])
        inside = np.flatnonzero((mid > t[:-1]) & (mid < t[1:]))  # not a jump, not float-tight
        if inside.size == 0:
            break
        new = np.asarray(evaluate(mid[inside]), float).reshape(len(values), inside.size)
        with np.errstate(over="ignore", invalid="ignore"):  # values near the float range
            err = np.abs(new - 0.5 * (values[:, inside] + values[:, inside + 1]))
            excess = np.max(err - np.asarray(tolerance(values), float)[:, None], axis=0)
        bad = np.flatnonzero(excess > 0)
        if bad.size == 0:
            break
        bad = np.sort(bad[np.argsort(-excess[bad], kind="stable")][: max_points - len(t)])
        t = np.insert(t, inside[bad] + 1, mid[inside[bad]])
        values = np.insert(values, inside[bad] + 1, new[:, bad], axis=1)
    return t, values


@dataclass(frozen=True)
class Constant(_Drive):
    """f(t) = value (V, K, A or W) at every t (s).

    >>> Constant(2.5)([0.0, 1e-9]).tolist()
    [2.5, 2.5]
    """

    value: float

    def __post_init__(self):
        _validate(self)

    def __call__(self, t):
        return np.full(np.shape(t), self.value)


@dataclass(frozen=True)
class Step(_Drive):
    """f(t) = before for t < time, after for t ≥ time (values in V, K, A or W; time in s).

    >>> Step(before=0.0, after=1e-3, time=1e-9)([0.5e-9, 1e-9]).tolist()
    [0.0, 0.001]
    """

    before: float
    after: float
    time: float

    def __post_init__(self):
        _validate(self, times=("time",))

    def __call__(self, t):
        return np.where(np.asarray(t, float) < self.time, self.before, self.after)

    def breakpoints(self):
        return np.array([self.time])


@dataclass(frozen=True, kw_only=True)
class RectangularPulse(_Drive):
    """f(t) = base + amplitude · s(t) (V, K, A or W; times in s), s = 1 on [start, start + duration),
    0 elsewhere; with rise > 0, s(t) = clip(min(t − start, start + duration − t)/rise, 0, 1):
    linear edges of length ``rise`` inside the duration. ``base`` None: the static value.

    >>> p = RectangularPulse(base=300.0, amplitude=10.0, start=1e-9, duration=2e-9, rise=0.5e-9)
    >>> p([0.5e-9, 1.25e-9, 2e-9, 3.5e-9]).tolist()
    [300.0, 305.0, 310.0, 300.0]
    """

    base: float | None = None
    amplitude: float
    start: float
    duration: float
    rise: float = 0.0

    def __post_init__(self):
        _validate(self, times=("start", "rise"), positive=("duration",))
        if 2 * self.rise > self.duration:
            raise DriveError("rise", f"both edges (2 × {self.rise:g} s) must fit inside the "
                             f"duration ({self.duration:g} s)")

    def __call__(self, t):
        x = np.asarray(t, float) - self.start
        if self.rise > 0:
            with np.errstate(over="ignore"):  # a tiny rise: ±inf, clipped to the plateau
                s = np.clip(np.minimum(x, self.duration - x) / self.rise, 0.0, 1.0)
        else:
            s = ((x >= 0) & (x < self.duration)).astype(float)
        return (self.base or 0.0) + self.amplitude * s

    def breakpoints(self):
        s, d, r = self.start, self.duration, self.rise
        return np.array([s, s + r, s + d - r, s + d] if r > 0 else [s, s + d])


@dataclass(frozen=True, kw_only=True)
class GaussianPulse(_Drive):
    """f(t) = base + amplitude · exp(−(t − center)²/(2 width²)) (V, K, A or W; center, width in s).

    >>> g = GaussianPulse(base=1.0, amplitude=2.0, center=1e-9, width=0.1e-9)
    >>> round(float(g(1e-9)), 12), round(float(g(1.1e-9)), 6)
    (3.0, 2.213061)
    """

    base: float | None = None
    amplitude: float
    center: float
    width: float

    def __post_init__(self):
        _validate(self, times=("center",), positive=("width",))

    def __call__(self, t):
        with np.errstate(over="ignore"):  # far in the tails z² is inf: the pulse is 0
            z = (np.asarray(t, float) - self.center) / self.width
            return (self.base or 0.0) + self.amplitude * np.exp(-0.5 * z * z)

    def _hints(self):
        return self.center + self.width * np.arange(-4.0, 5.0)


@dataclass(frozen=True, kw_only=True)
class LaserPulse(_Drive):
    """Exponential heating and cooling (K; times in s): f(t) = base for t < start, else
    f(t) = base + peak · N · (1 − e^{−(t−start)/rise}) · e^{−(t−start)/decay}; the maximum is
    at t* = start + rise·ln(1 + decay/rise), where ln N = ln(1 + rise/decay) +
    (rise/decay)·ln(1 + decay/rise) makes f(t*) = base + peak exactly.

    >>> laser = LaserPulse(base=300.0, peak=40.0, start=0.1e-9, rise=0.05e-9, decay=1e-9)
    >>> round(laser.time_of_peak * 1e9, 6), round(float(laser(laser.time_of_peak)), 12)
    (0.252226, 340.0)
    >>> float(laser(0.05e-9)), round(float(laser(1e-9)), 3)
    (300.0, 319.884)
    """

    base: float | None = None
    peak: float
    start: float
    rise: float
    decay: float

    def __post_init__(self):
        _validate(self, times=("start",), positive=("rise", "decay"))
        if not math.isfinite(self.norm):
            raise DriveError("rise", f"{self.rise:g} s against a decay of {self.decay:g} s: "
                             "the pulse's normalisation overflows")

    @property
    def time_of_peak(self) -> float:
        """t* = start + rise·ln(1 + decay/rise) (s)."""
        return self.start + self.rise * math.log1p(self.decay / self.rise)

    @property
    def norm(self) -> float:
        """N = (1 + rise/decay) · (1 + decay/rise)^{rise/decay} (dimensionless)."""
        q = self.rise / self.decay
        # q ln(1 + 1/q) without overflowing 1/q for a subnormal q
        tail = q * math.log1p(1.0 / q) if q > 1 else q * (math.log1p(q) - math.log(q))
        try:
            return math.exp(math.log1p(q) + tail)
        except OverflowError:  # N ≈ e q for rise ≫ decay
            return math.inf

    def __call__(self, t):
        x = np.maximum(np.asarray(t, float) - self.start, 0.0)
        with np.errstate(over="ignore"):  # x/rise = inf for a tiny rise: the plateau
            shape = -np.expm1(-x / self.rise) * np.exp(-x / self.decay)
        return (self.base or 0.0) + self.peak * self.norm * shape

    def breakpoints(self):
        return np.array([self.start])

    def _hints(self):
        return np.array([self.start, self.time_of_peak])


def _numbers(name: str, seq) -> np.ndarray:
    if isinstance(seq, (str, bytes, Mapping)) or not np.iterable(seq):
        raise DriveError(name, f"must be a list of numbers, got {seq!r}")
    return np.array([_number(f"{name}[{i}]", x) for i, x in enumerate(seq)], float)


@dataclass(frozen=True)
class Table(_Drive):
    """Linear interpolation in (times (s), values (V, K, A or W)), constant beyond both ends:
    f(t) = v_i + (v_{i+1} − v_i)(t − t_i)/(t_{i+1} − t_i) for t_i ≤ t < t_{i+1}; two equal
    consecutive times make a jump (the later value holds from that time on).

    >>> tab = Table(times=[0.0, 1e-9, 1e-9, 2e-9], values=[0.0, 1.0, 5.0, 3.0])
    >>> tab([-1.0, 0.5e-9, 1e-9, 1.5e-9, 9.0]).tolist()
    [0.0, 0.5, 5.0, 4.0, 3.0]
    """

    times: tuple
    values: tuple

    def __post_init__(self):
        t, v = _numbers("times", self.times), _numbers("values", self.values)
        if t.size == 0:
            raise DriveError("times", "must have at least one point")
        if v.size != t.size:
            raise DriveError("values", f"must have {t.size} entries like times, got {v.size}")
        if t[0] < 0:
            raise DriveError("times[0]", f"times must be >= 0 (s), got {t[0]!r}")
        for i in range(1, t.size):
            if t[i] < t[i - 1]:
                raise DriveError(f"times[{i}]", f"times must not decrease ({t[i]:g} after "
                                 f"{t[i - 1]:g})")
            if i > 1 and t[i] == t[i - 1] == t[i - 2]:
                raise DriveError(f"times[{i}]", f"at most two equal times (a jump) at {t[i]:g}")
        object.__setattr__(self, "times", tuple(t.tolist()))
        object.__setattr__(self, "values", tuple(v.tolist()))

    def __call__(self, t):
        t = np.asarray(t, float)
        ts, vs = np.array(self.times), np.array(self.values)
        ts, vs = (np.repeat(ts, 2), np.repeat(vs, 2)) if ts.size == 1 else (ts, vs)
        i = np.clip(np.searchsorted(ts, t, side="right"), 1, ts.size - 1)  # ts[i-1] ≤ t < ts[i]
        dt = ts[i] - ts[i - 1]
        frac = np.clip((t - ts[i - 1]) / np.where(dt > 0, dt, 1.0), 0.0, 1.0)
        out = np.where(dt > 0, vs[i - 1] + frac * (vs[i] - vs[i - 1]), vs[i])
        return np.where(t < ts[0], vs[0], np.where(t >= ts[-1], vs[-1], out))

    def breakpoints(self):
        return np.unique(np.array(self.times))

    def sample(self, t_end: float, max_step: float):
        """The table itself (already exact and piecewise linear, jumps as equal times)."""
        return np.array(self.times), np.array(self.values)


SHAPES = {"constant": Constant, "step": Step, "pulse": RectangularPulse,
          "gaussian": GaussianPulse, "laser": LaserPulse, "table": Table}


def drive_from_dict(d: dict, field: str) -> _Drive:
    """A drive from a device-file table such as ``{shape = "laser", peak = 30.0, ...}``;
    ``field`` (e.g. "drives.free.temperature") prefixes every error's field. Without ``base``,
    a pulse's base is None: the caller resolves it with ``with_base(static value)``.

    >>> drive_from_dict({"shape": "step", "before": 0.0, "after": 1.0, "time": 1e-9}, "d")
    Step(before=0.0, after=1.0, time=1e-09)
    """
    if not isinstance(d, Mapping):
        raise DriveError(field, f"must be a table with a `shape`, got {d!r}")
    d = dict(d)
    shape = d.pop("shape", None)
    if not isinstance(shape, str) or shape not in SHAPES:
        raise DriveError(f"{field}.shape", f"must be one of {', '.join(SHAPES)}, got {shape!r}")
    cls = SHAPES[shape]
    names = [f.name for f in fields(cls)]
    for key in d:
        if key not in names:
            raise DriveError(f"{field}.{key}", unknown(f"key for shape {shape!r}", key,
                                                       ["shape", *names]))
    missing = [f.name for f in fields(cls) if f.default is MISSING and f.name not in d]
    if missing:
        also = f" (missing: {', '.join(missing)})" if len(missing) > 1 else ""
        raise DriveError(f"{field}.{missing[0]}", f"required for shape {shape!r}{also}")
    try:
        return cls(**d)
    except DriveError as err:
        raise DriveError(f"{field}.{err.field}", err.reason) from None

