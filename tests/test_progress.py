"""Progress of long runs and maps when stderr is not a terminal: plain lines, at most one every
few seconds, none for short jobs."""

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spincaloric.progress import EVERY, Progress

ROOT = Path(__file__).parent.parent
PILLAR = ROOT / "examples" / "devices" / "thermal_switching_pillar.toml"
LEFT = r"(, ~\d+(\.\d)? (s|min|h) left)?"
#: the elapsed time as the lines write it (minutes beyond a minute: a loaded machine)
ELAPSED = r"\d+(\.\d)? (s|min|h) elapsed"


class Clock:
    """A settable clock (s)."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_plain_lines_are_spaced_by_the_interval_and_absent_for_short_jobs():
    clock, out = Clock(), io.StringIO()
    p = Progress("run", 10000, "10000 trajectories to 8 ns", stream=out, clock=clock)
    for _ in range(4):  # 4 s of work: nothing yet
        clock.now += 1.0
        p.update(500)
    assert out.getvalue() == ""
    clock.now += 1.5
    p.update(1000)  # 5.5 s, 3000 done: the first line (rate since the first update)
    assert out.getvalue() == "run: 30% of 10000 trajectories to 8 ns, 6 s elapsed, ~13 s left\n"
    for _ in range(4):  # every second, but a line only 5 s after the last one
        clock.now += 1.0
        p.update(100)
    assert out.getvalue().count("\n") == 1
    clock.now += 1.5
    p.update(100)  # 11 s, 3500 done
    lines = out.getvalue().splitlines()
    # the rate since the first update (3000 in 10 s): 6500 left in ~22 s
    assert lines[1] == "run: 35% of 10000 trajectories to 8 ns, 11 s elapsed, ~22 s left"
    p.close()


def test_compiling_is_left_out_of_a_jobs_time():
    """52 s of compiling, then 3 s of work: a job that short stays silent, and a longer one
    reports the time it worked, not the wait."""
    from spincaloric.progress import discount

    clock, out = Clock(), io.StringIO()
    p = Progress("run", 10, "1 trajectory to 50 ps", stream=out, clock=clock)
    clock.now += 52.0
    discount(52.0)
    clock.now += 3.0
    p.update(5)
    assert out.getvalue() == ""
    clock.now += 3.0
    p.update(5)
    assert out.getvalue() == "run: 100% of 1 trajectory to 50 ps, 6 s elapsed, ~0 s left\n"
    p.close()


def test_the_first_calls_one_time_cost_does_not_enter_the_estimate():
    """A first update after 40 s (compiling), then 10 % every 2 s: the time left is the
    steady rate's, not the average with the compile."""
    clock, out = Clock(), io.StringIO()
    p = Progress("run", 100, "100 trajectories to 8 ns", stream=out, clock=clock)
    clock.now += 40.0
    p.update(10)  # compiled and the first call done
    for _ in range(3):
        clock.now += 2.0
        p.update(10)
    assert out.getvalue().splitlines()[-1] == ("run: 40% of 100 trajectories to 8 ns, 46 s "
                                               "elapsed, ~12 s left")


def test_a_resumed_job_estimates_its_rate_from_this_session_only():
    clock, out = Clock(), io.StringIO()
    p = Progress("map", 10, "40 points in 10 chunks", initial=6, stream=out, clock=clock)
    clock.now += 10.0
    p.update(1)  # the first chunk of this session (it may have compiled): no estimate yet
    assert out.getvalue() == "map: 70% of 40 points in 10 chunks, 10 s elapsed\n"
    clock.now += 6.0
    p.update(1)  # 1 chunk in 6 s, 2 chunks left
    assert out.getvalue().splitlines()[-1] == ("map: 80% of 40 points in 10 chunks, 16 s "
                                               "elapsed, ~12 s left")


def _stderr_lines(*args):
    """Run `spincaloric ARGS` with stderr a pipe: ([(arrival (s after start), line)], total
    duration (s))."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "spincaloric", *map(str, args)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = [(time.monotonic() - start, line.rstrip("\n")) for line in proc.stderr]
    assert proc.wait(timeout=900) == 0, lines
    return lines, time.monotonic() - start


def _check_progress(lines, duration, pattern):
    """Every line is a plain progress line (or the compile notice, or a warning of the job's
    results), the first no earlier than EVERY s after the start and the others at least
    EVERY s apart; one at least if the job lasted long enough (compiling left out: its
    seconds are not the job's)."""
    progress = [(t, line) for t, line in lines if not line.startswith(("compiling",
                                                                        "warning: "))]
    duration -= sum(float(m.group(1)) for _, line in lines if (m := re.match(
        r"compiling the integration kernels: done in (\d+) s", line)))
    for _, line in progress:
        assert re.fullmatch(pattern, line), line
    times = [t for t, _ in progress]
    assert all(t >= EVERY for t in times)
    assert all(b - a >= EVERY - 0.5 for a, b in zip(times, times[1:])), times  # pipe jitter
    if duration < EVERY + 2:
        pytest.skip(f"the job took {duration:.1f} s here: too short to be reported")
    assert progress, lines


@pytest.mark.slow
def test_run_logs_plain_progress_lines_to_a_pipe():
    lines, duration = _stderr_lines("run", PILLAR, "--ensemble", 1100, "--temperature-noise",
                                    "--until", "4ns", "--n-save", 101)
    _check_progress(lines, duration, r"run: \d+% of 1100 trajectories to 4 ns, " + ELAPSED
                    + LEFT)


@pytest.mark.slow
def test_map_logs_plain_progress_lines_to_a_pipe(tmp_path):
    lines, duration = _stderr_lines("map", PILLAR, "--vary", "drives.free.temperature.peak=10:60:10",
                                    "--vary", "free.magnet.damping=0.01:0.03:10", "--chunk", 5,
                                    "--until", "30ns", "-o", tmp_path / "map.nc")
    _check_progress(lines, duration, r"map: \d+% of 100 points in 20 chunks, " + ELAPSED
                    + LEFT)


@pytest.mark.slow
def test_short_jobs_report_nothing():
    lines, _ = _stderr_lines("run", PILLAR, "--until", "50ps", "--n-save", 3)
    # (50 ps ends before the file's laser pulse: a warning says so, no progress line)
    assert [line for _, line in lines if not line.startswith(("compiling", "warning"))] == []


def test_a_compilation_stopped_by_ctrl_c_is_said_so():
    """announce_compilation calls ``stopped`` when a KeyboardInterrupt that ended one of our
    compilations leaves its block — not for an interrupt outside a compilation."""
    from numba.core import event

    from spincaloric.dynamics.compilation import announce_compilation
    from spincaloric.dynamics.kernels import integrate_fixed

    said = []
    data = {"dispatcher": integrate_fixed}
    with pytest.raises(KeyboardInterrupt):
        with announce_compilation(lambda: said.append("start"), stopped=lambda: said.append(
                "stopped")):
            event.start_event("numba:compile", data=data)
            try:  # as numba's trigger_event ends a compilation that an interrupt stops
                raise KeyboardInterrupt
            except KeyboardInterrupt:
                event.end_event("numba:compile", data=data, exc_details=sys.exc_info())
                raise
    assert said == ["start", "stopped"]
    said.clear()
    with pytest.raises(KeyboardInterrupt):
        with announce_compilation(lambda: said.append("start"), stopped=lambda: said.append(
                "stopped")):
            event.start_event("numba:compile", data=data)  # a compilation that finished
            event.end_event("numba:compile", data=data, exc_details=(None, None, None))
            raise KeyboardInterrupt  # while running: nothing was being compiled
    assert said == ["start"]


def test_an_interrupt_after_a_finished_compilation_says_what_is_cached(capsys, monkeypatch):
    """The command's notice: a compilation interrupted after another finished in the same
    command says the finished ones are cached (not "nothing cached")."""
    from numba.core import event

    from spincaloric.cli import _compile_notice
    from spincaloric.dynamics import compilation
    from spincaloric.dynamics.kernels import integrate_fixed

    clock = iter(range(0, 1000, 5))
    monkeypatch.setattr(compilation.time, "monotonic", lambda: float(next(clock)))
    data = {"dispatcher": integrate_fixed}
    with pytest.raises(KeyboardInterrupt):
        with _compile_notice():
            event.start_event("numba:compile", data=data)  # finished: 5 s
            event.end_event("numba:compile", data=data, exc_details=(None, None, None))
            event.start_event("numba:compile", data=data)
            try:
                raise KeyboardInterrupt
            except KeyboardInterrupt:
                event.end_event("numba:compile", data=data, exc_details=sys.exc_info())
                raise
    err = capsys.readouterr().err
    assert "done in 5 s; running" in err
    assert ("interrupted (those compiled before it are cached; the next run of this kind "
            "compiles the rest)") in err and "nothing computed" not in err
