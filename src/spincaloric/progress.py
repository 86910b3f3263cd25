"""Progress of long jobs (dynamics runs, switching maps) on stderr.

On a terminal a bar (tqdm) appears once the job has lasted :data:`EVERY` seconds. Anywhere
else (a pipe, a file, a batch system's log) a bar would be hidden or garbled, so the job writes
plain lines instead, at most one every :data:`EVERY` seconds and none before, e.g.

    run: 34% of 10000 trajectories to 8 ns, 12 s elapsed, ~24 s left

A job shorter than that prints nothing at all.
"""

from __future__ import annotations

import math
import sys
import time
import weakref

#: Seconds before the first report and between two plain lines.
EVERY = 5.0
#: The jobs under way, whose clocks :func:`discount` shifts.
_LIVE: weakref.WeakSet = weakref.WeakSet()


def _duration(seconds: float) -> str:
    """A readable duration: "12 s", "3.5 min", "2.1 h"."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def span(seconds: float) -> str:
    """A simulated time in its natural unit: "800 ps", "3.1 ns", "12 µs", "3 ms"."""
    for scale, unit in ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"), (1e-9, "ns")):
        if abs(seconds) >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-12:.3g} ps"


def _is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


class Progress:
    """``total`` units of work (any unit: trajectories, chunks) of the job ``label``, described
    by ``what`` (e.g. "10000 trajectories to 8 ns"); ``initial`` units were done before (a
    resumed job: they count for the percentage, not for the rate). ``clock`` gives seconds."""

    def __init__(self, label: str, total: float, what: str, *, initial: float = 0.0,
                 stream=None, every: float = EVERY, clock=time.monotonic):
        self.label, self.total, self.what = label, float(total), what
        self.stream = sys.stderr if stream is None else stream
        self.every, self.clock = every, clock
        self.done = self.initial = float(initial)
        self.start = self.last = clock()
        self.first = None  # (time, units done) at the first update: the rate is measured
        # from there, so that a first call's one-time costs (compiling) do not enter it
        self.bar = None
        _LIVE.add(self)
        if _is_terminal(self.stream):
            from tqdm.auto import tqdm

            self.bar = tqdm(total=self.total, initial=self.initial, file=self.stream,
                            desc=f"{label}: {what}", delay=every,
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}")

    def update(self, amount: float) -> None:
        """``amount`` more units done; on a plain stream, a line if the last one (or the start)
        is at least ``every`` seconds ago."""
        self.done += amount
        if self.bar is not None:
            self.bar.update(amount)
            return
        now = self.clock()
        if self.first is None:
            self.first = (now, self.done)
        if now - self.last >= self.every:
            self.last = now
            self.stream.write(self.line(now) + "\n")
            self.stream.flush()

    def line(self, now: float) -> str:
        """The plain progress line at time ``now`` (s of ``clock``)."""
        elapsed = now - self.start
        rate = 0.0  # no estimate before a second update: the first may include compiling
        if self.first is not None and now > self.first[0] and self.done > self.first[1]:
            rate = (self.done - self.first[1]) / (now - self.first[0])  # since the first
        left = (self.total - self.done) / rate if rate > 0 else math.inf
        share = 100.0 * self.done / self.total if self.total > 0 else 100.0
        eta = f", ~{_duration(left)} left" if math.isfinite(left) else ""
        return (f"{self.label}: {share:.0f}% of {self.what}, {_duration(elapsed)} elapsed"
                f"{eta}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def discount(seconds: float) -> None:
    """Leave ``seconds`` of a one-time wait (compiling the kernels) out of the elapsed time of
    every job under way: a job that is short once compiled stays silent, and the time it
    reports is its own."""
    for job in list(_LIVE):
        job.start += seconds
        job.last += seconds
        if job.bar is not None:
            job.bar.start_t += seconds
