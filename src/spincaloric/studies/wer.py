r"""Write-error rates: the probability that a write pulse leaves a magnet unswitched.

A cell is written by the drives of a :class:`~spincaloric.dynamics.simulation.Simulation`
(a voltage, current, heat or temperature pulse). At finite temperature the magnet starts
anywhere in the thermal well of its state (:mod:`spincaloric.dynamics.equilibrium`) and feels
Brown's thermal field (and the spin-pumping noise) throughout; the *write-error rate* is the
probability that it has not switched when the run ends: that the magnet is still on the
initial side of its barrier's top, m·ref ≥ u* at ``until`` (ref the initial well's direction,
u* where the lowest path out of the well crosses the barrier,
:func:`~spincaloric.dynamics.equilibrium.barrier_top`: 0 for a uniaxial magnet without a
field along its axis, −B/B_K,eff with a field B along ref; past it damping carries the magnet
into the other well). A magnet that has crossed the top is written, even while it is
still reversing: the estimate does not depend on how long the run lets it relax (the
threshold −0.5 of :func:`~spincaloric.dynamics.switching.detect_switching`, used by
``run`` and ``map``, would count magnets still reversing as failures — 61 of 83 on the 2.5 ns
write of ``examples/devices/pillar_write_pulse.toml`` ending 0.45 ns after the pulse). Those
that end close to the top (|m·ref − u*| < :data:`UNDECIDED`), where the thermal field may still
send them either way, are counted, and warned of when they could move the rate beyond its
interval: end the run later,

.. math::

    \mathrm{WER} = \mathbb{E}_p\big[f(m_0, \xi)\big], \qquad f = 1 \text{ if not switched},

the average over the starting states m0 ~ p and the noise ξ. Two estimators:

* **brute force**: N trajectories from exact samples of p; WER = failures/N with the exact
  (Clopper–Pearson) 95 % interval. A WER of 10⁻⁶ needs ~10⁷ trajectories.
* **importance sampling** of the starting state: failures come from starts close to the easy
  axis, where the spin-transfer torque m × (m × p) vanishes and the magnet leaves its well
  late. Starting states drawn from a sharpened, defensive mixture q (more of them near the
  axis; :func:`~spincaloric.dynamics.equilibrium.sample_well`) with weights w = p/q give the
  unbiased estimate WER = ⟨w f⟩ with the normal 95 % interval from its sample variance; the
  noise ξ is sampled as it is. The sharpening is found by the cross-entropy method
  (Rubinstein & Kroese, *The Cross-Entropy Method*, Springer 2004): pilot ensembles at
  successive levels keep the fraction ρ of trajectories that switched last (failures count
  as latest), and the rate λ of the starting-state proposal becomes the weighted
  maximum-likelihood fit to their starts, λ = Σ w / Σ w u, until the kept ones are failures.
  An over-sharpened proposal (more starts near the axis than the failures need) is unbiased
  but skewed: most failures then come from the broad part, and the interval understates the
  error; the pilot avoids it. Where failures are dominated by the starting angle — long
  enough pulses, the case of a low WER — the estimate reaches 10⁻⁶ … 10⁻⁹ with 10³–10⁴
  trajectories; where the noise during the pulse decides, it gains less. Checked against
  brute force where both are feasible (``tests/test_wer.py``).
* **adaptive multilevel splitting** (:mod:`.splitting`) steers the noise as well: n
  particles (trajectories) are ranked by how late they run, δ = t − u/2D
  (:class:`Lateness`: the thermal diffusion D against the distance u = 1 − m·ref from the
  easy direction, the order of their chance to fail); the latest are repeatedly killed and
  replaced by copies of others, cut where those got later than the killed ones and continued
  with fresh noise, and WER = Π (1 − K_i/n) without bias (Bréhier et al., Ann. Appl.
  Probab. 26, 3559 (2016)). Its relative variance is close to the −ln(WER)/n of an ideal
  score: 10⁻⁶ costs about a thousand trajectories per replica, where brute force needs ~10⁷
  for the same spread.

Trajectories run in parts of ``chunk`` with two saved instants each (memory bounded whatever
N); trajectory i of seed s always draws its thermal field from the stream (s, i) and its
starting state from one generator of s, so the result does not depend on the chunking.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..constants import BOLTZMANN
from ..dynamics.equilibrium import DEFENSIVE, Well, barrier_top, sample_well
from ..dynamics.switching import (
    circuit_pumping_damping,
    clopper_pearson,
    reference_direction,
)
from ..errors import DeviceError, DynamicsError, Interrupted
from ..validation import seed as validated_seed

#: The z value of a two-sided 95 % normal interval.
Z95 = 1.959963984540054
#: Trajectories ending within this of the barrier's top u*, |m·ref − u*| < UNDECIDED, are
#: counted as undecided: the thermal field of a well of Δ ≈ 50–100 spreads a magnet over
#: ~1/√Δ ≈ 0.1–0.14 in m·ref about the top, where it could still fall either way.
UNDECIDED = 0.2


@dataclass(frozen=True)
class WriteErrorRate:
    """The write-error rate of ``magnet``: ``rate`` (probability of not switching) with its
    95 % ``interval``, from ``trajectories`` runs of which ``failures`` did not switch, by
    ``method`` ("brute force", "importance sampling" with ``sharpen``, or "multilevel
    splitting"); ``standard_error`` of the rate; ``effective_samples`` of the failures'
    weights (None for brute force and splitting); ``temperature`` (K) of the starting well and
    the noise; the cross-entropy search's ``pilot_trajectories`` (not in N), its ``levels``
    and whether it ``converged`` (the last level's kept trajectories were failures);
    ``unfinished``: the drives still on when the runs end (a pulse cut short);
    ``barrier_top``: u*, the m·ref past which a write counts as done;
    ``undecided``: trajectories whose magnet ended close to the barrier's top
    (|m·ref − u*| < :data:`UNDECIDED`), where the thermal field may still send it either way
    (:meth:`warnings` says so when they could move the rate by more than the interval's
    half-width: end the run later).

    Multilevel splitting: ``trajectories`` = particles × ``replicas``, ``failures`` the
    particles that ended unswitched, ``levels`` the iterations of all replicas, ``cost`` all
    runs in whole-trajectory equivalents, ``interval`` Student's t interval of the replicas'
    mean (R ≥ 2) and ``ideal_interval`` the one an ideal score would give (p √(−ln p/(nR)));
    ``converged``: no replica stopped at its most iterations (1000 n) before its particles
    failed; ``extinct`` the replicas that found no particle above a level (estimate 0).
    ``dt``: the (smallest, largest) fixed step (s) of the stochastic Heun runs, one value
    unless the default step (chosen from each call's fastest precession) differed."""

    magnet: str
    method: str
    trajectories: int
    failures: int
    rate: float
    interval: tuple[float, float]
    standard_error: float
    effective_samples: float | None
    temperature: float
    sharpen: float | None = None
    pilot_trajectories: int = 0
    levels: int = 0
    converged: bool | None = None
    replicas: int = 0
    cost: float = 0.0
    ideal_interval: tuple[float, float] | None = None
    extinct: int = 0
    dt: tuple[float, float] | None = None
    undecided: int = 0
    unfinished: tuple[str, ...] = ()
    barrier_top: float = 0.0

    def summary(self) -> dict:
        """A JSON-ready dict of the result (SI units), with the keys of its method only."""
        out = {"magnet": self.magnet, "method": self.method, "write_error_rate": self.rate,
               "interval_95": list(self.interval), "standard_error": self.standard_error,
               "temperature": self.temperature, "barrier_top": self.barrier_top}
        if self.dt is not None:  # one step, or the range of the runs' default steps
            out["dt"] = self.dt[0] if self.dt[0] == self.dt[1] else list(self.dt)
        if self.replicas:  # particles, not trajectories; each ends unswitched by design
            out.update(replicas=self.replicas, particles=self.trajectories // self.replicas,
                       cost_trajectories=round(self.cost, 6),
                       ideal_interval_95=list(self.ideal_interval),
                       extinct_replicas=self.extinct, iterations=self.levels,
                       converged=self.converged)
            return out
        out.update(trajectories=self.trajectories, failures=self.failures,
                   undecided=self.undecided)
        if self.sharpen is not None:  # importance sampling
            out.update(effective_samples=self.effective_samples, sharpen=self.sharpen)
            if self.pilot_trajectories:  # the cross-entropy search that found the sharpening
                out.update(pilot_trajectories=self.pilot_trajectories, levels=self.levels,
                           converged=self.converged)
        return out

    def warnings(self) -> list[str]:
        """What makes the estimate less trustworthy than its interval says."""
        out = []
        if self.rate >= 1.0:
            out.append("no write switched the magnet: does the pulse act, and long enough, "
                       "before the end of the run (until)?")
        if self.unfinished:
            out.append(f"the runs end while {', '.join(self.unfinished)} "
                       f"{'is' if len(self.unfinished) == 1 else 'are'} still on: the rate is "
                       "that of a pulse cut short (end the run after the pulse)")
        if self.replicas:
            return out + self._splitting_warnings()
        if self.converged is False:
            out.append(f"the cross-entropy search did not reach the failures in {self.levels} "
                       "levels: the sharpening is a guess (more --pilot trajectories, brute force, "
                       "or multilevel splitting: --splitting)")
        shift = self.undecided / max(self.trajectories, 1)
        if self.undecided and shift > (self.interval[1] - self.interval[0]) / 2:
            out.append(f"{self.undecided} of the {self.trajectories} trajectories ended close "
                       f"to the barrier's top (|m·ref − u*| < {UNDECIDED:g}, u* = "
                       f"{self.barrier_top:.3g}), where the thermal "
                       "field "
                       f"may still send them either way — by up to {shift:.2g}, more than the "
                       "interval's half-width: a later until decides them")
        if self.sharpen is not None and self.sharpen > 1 and not self.pilot_trajectories:
            out.append(f"the sharpening {self.sharpen:.3g} was given, not found by the "
                       "cross-entropy search: an over-sharpened proposal misses the failures "
                       "that carry large weights and its interval understates the error "
                       "(leave out the sharpening to have the search choose it)")
        if self.effective_samples is not None and 0 < self.effective_samples < 10:
            out.append(f"only {self.effective_samples:.3g} effective samples carry the failures: "
                       "the normal interval is unreliable (more trajectories)")
        return out

    def _splitting_warnings(self) -> list[str]:
        out = []
        if self.extinct:
            out.append(f"in {self.extinct} of {self.replicas} replicas no particle got later "
                       "than a level (their estimate is 0): the lateness cannot tell the "
                       "particles apart there (more particles)")
        if self.rate == 0:
            out.append(f"no particle reached a failure: the rate is below about "
                       f"{self.interval[1]:.3g}, the chance to get as late as the last level")
        elif self.converged is False:
            out.append("a replica stopped after its most iterations before all its particles "
                       "failed: the estimate is too low")
        if 0 < self.replicas < 2:
            out.append("one replica: the interval is that of an ideal score, a lower bound "
                       "of the spread (--replicas 2 or more for a measured one)")
        return out

    def __str__(self) -> str:
        low, high = self.interval
        if self.replicas:
            return (f"{self.magnet}: write error rate {self.rate:.3g} (95 % interval "
                    f"{low:.3g} – {high:.3g}) at {self.temperature:g} K, multilevel splitting: "
                    f"{self.replicas} replica{'s' if self.replicas > 1 else ''} of "
                    f"{self.trajectories // self.replicas} particles, {self.levels} iterations, {self.cost:.0f} trajectories' worth "
                    f"of runs; an ideal score would give {self.ideal_interval[0]:.3g} – "
                    f"{self.ideal_interval[1]:.3g}" + self._step_text())
        text = (f"{self.magnet}: write error rate {self.rate:.3g} (95 % interval {low:.3g} – "
                f"{high:.3g}), {self.failures} of {self.trajectories} trajectories unswitched "
                + (f"({self.undecided} ended near the barrier's top) " if self.undecided else "")
                + f"at {self.temperature:g} K, {self.method}")
        if self.method == "importance sampling":
            text += (f" (sharpen {self.sharpen:.3g}, effective samples "
                     f"{self.effective_samples or 0:.3g}"
                     + (f", {self.pilot_trajectories} pilot trajectories in {self.levels} "
                        f"level{'s' if self.levels != 1 else ''}" if self.pilot_trajectories
                        else "") + ")")
        return text + self._step_text()

    def _step_text(self) -> str:
        from ..progress import span

        if self.dt is None:
            return ""
        low, high = self.dt
        return f", step {span(low)}" if low == high else f", steps {span(low)} – {span(high)}"


#: Trajectories whose starting states are drawn together (from one generator per block):
#: the memory of an estimate, whatever N.
BLOCK = 2**16


def write_error_rate(simulation, until: float, trajectories: int | None = None, *,
                     magnet: str | None = None, method: str | None = None,
                     importance: bool = False, sharpen: float | None = None,
                     pilot: int | None = None, particles: int | None = None,
                     replicas: int | None = None, seed: int = 0, chunk: int = 4096,
                     dt: float | None = None, progress: bool = False) -> WriteErrorRate:
    """Estimate the write-error rate of the drives of ``simulation`` over [0, ``until``] s.

    simulation : a :class:`~spincaloric.dynamics.simulation.Simulation`, or a device file's
    spec (:func:`~spincaloric.io.load_spec`: its ``[simulation]`` settings, spin pumping
    included).   method : "brute" (default), "importance" (also ``importance=True``) or
    "splitting".   trajectories : N ≥ 1 of brute force and importance sampling (default
    10 000; not of splitting).
    magnet : the dynamic magnet written (default: the only one; other dynamic magnets start
    from the circuit's magnetization).   sharpen : importance sampling of the starting state
    with the sharpening s ≥ 1 (the proposal's rate over the well's,
    :func:`~spincaloric.dynamics.equilibrium.sample_well`) or, by default, the one the
    cross-entropy method finds with ``pilot`` trajectories per level (default 1000; not
    counted in N).   particles, replicas : multilevel splitting with n ≥ 2 particles
    (default 100) in each of R ≥ 1 independent replicas (default 8), scored by their
    :class:`Lateness`; its relative error is about √(|ln WER|/(nR)) and its cost about
    nR(1 + |ln WER|) trajectories.   seed : whole number in [0, 2⁶³).   chunk : trajectories
    per integration call.   dt : the stochastic Heun step (s; default as
    :meth:`Simulation.run`).   progress : report on stderr.
    """
    sim = _simulation_of(simulation, until)
    name = _written_magnet(sim, magnet)
    method = _method(method, importance or sharpen is not None)
    seed = validated_seed(seed, error=DynamicsError)
    _check_method_fields(method, particles, replicas, pilot, sharpen)
    if method != "splitting" and trajectories is None:
        trajectories = 10_000
    if sim.transient:
        raise DynamicsError("nodes", "a write-error rate needs the thermal field, and runs "
                            "whose nodes store heat (or with time-resolved Joule heat) have "
                            "none: impose the temperatures as drives instead")
    _check_sizes(method, trajectories, chunk, sharpen, pilot)
    j = sim.names.index(name)
    par = sim.magnets[name]
    start = sim.initial_state()
    ref = reference_direction(start[j], par.anisotropy_axis)
    temperature = float(sim.model.magnet_temperatures(start[None])[0, j])
    job = _Job(sim, until, start, j, ref, par, temperature, int(seed), min(chunk, BLOCK), dt,
               barrier_top(par, ref))
    try:
        result = _estimate(job, name, method, trajectories, sharpen, pilot, particles,
                           replicas, progress)
    except Interrupted as err:  # the partial estimate names its step too
        if isinstance(err.partial, WriteErrorRate):
            err.partial = replace(err.partial, dt=job.step_range(), undecided=job.undecided,
                                  unfinished=tuple(sim.unfinished_drives(until)),
                                  barrier_top=job.top)
        raise
    return replace(result, dt=job.step_range(), undecided=job.undecided,
                   unfinished=tuple(sim.unfinished_drives(until)), barrier_top=job.top)


def _estimate(job: _Job, name: str, method: str, trajectories, sharpen, pilot, particles,
              replicas, progress: bool) -> WriteErrorRate:
    """The estimate of :func:`write_error_rate` by ``method`` with the runs of ``job``."""
    temperature = job.temperature
    if method == "splitting":
        return _splitting(job, name, 100 if particles is None else particles,
                          8 if replicas is None else replicas, progress)
    n = int(trajectories)
    if method == "brute":
        try:
            return _brute(name, n, job.count(n, None, 0, progress)[0], temperature)
        except Interrupted as err:  # the finished trajectories' estimate
            raise Interrupted(_brute(name, err.done, err.partial[0], temperature), err.done,
                              n, "trajectories") from err
    search = (None, 0, 0, None)
    if sharpen is None:
        search = job.cross_entropy(1000 if pilot is None else int(pilot), progress=progress)
        sharpen = search[0]
    well = Well(job.par, job.ref, temperature)
    try:
        sums = job.count(n, float(sharpen), 2**31, progress)  # the pilots' streams from 0
    except Interrupted as err:
        raise Interrupted(_weighted(name, err.done, err.partial, temperature, float(sharpen),
                                    well, search[1:]), err.done, n, "trajectories") from err
    return _weighted(name, n, sums, temperature, float(sharpen), well, search[1:])


METHODS = ("brute", "importance", "splitting")


def _method(method, importance: bool) -> str:
    """The estimator asked for: ``method`` (one of METHODS) or, by default, importance
    sampling when asked for with ``importance`` or a ``sharpen``, else brute force."""
    if method is None:
        return "importance" if importance else "brute"
    if not (isinstance(method, str) and method in METHODS):
        raise DynamicsError("method", f"must be one of {', '.join(METHODS)}, got {method!r}")
    if importance and method != "importance":
        raise DynamicsError("method", f"importance sampling (importance, sharpen) and "
                            f"{method!r} exclude each other")
    return method


def _simulation_of(simulation, until):
    """The Simulation of ``simulation``: itself, or that of a device file's spec with its
    ``[simulation]`` settings (:meth:`DeviceSpec.simulation_for`)."""
    if hasattr(simulation, "simulation_for") and hasattr(simulation, "device"):
        try:
            return simulation.simulation_for(simulation.device.finalize(), until)[0]
        except DeviceError as err:
            raise DynamicsError(err.field, err.reason) from None
    if not hasattr(simulation, "names") or not hasattr(simulation, "run"):
        raise DynamicsError("simulation", f"must be a Simulation or a device file's spec "
                            f"(spincaloric.io.load_spec), got {type(simulation).__name__}")
    return simulation


def _check_method_fields(method, particles, replicas, pilot, sharpen) -> None:
    """A DynamicsError naming a setting of another estimator than ``method``."""
    given = {"particles": particles, "replicas": replicas}
    if method != "splitting":
        for field, value in given.items():
            if value is not None:
                raise DynamicsError(field, f"only multilevel splitting takes {field} "
                                    "(method='splitting', wer --splitting)")
    if method == "brute" and pilot is not None:
        raise DynamicsError("pilot", "only importance sampling takes pilot runs "
                            "(method='importance', wer --importance)")
    del sharpen  # a sharpening asks for importance sampling itself (_method)


def _whole(value, least: int, most: int) -> bool:
    return (isinstance(value, (int, np.integer)) and not isinstance(value, bool)
            and least <= value <= most)


def _check_sizes(method, trajectories, chunk, sharpen, pilot) -> None:
    """DynamicsError naming a wrong N or pilot size (or either given to splitting), chunk or
    sharpening."""
    if method == "splitting":
        for field, value in (("trajectories", trajectories), ("pilot", pilot)):
            if value is not None:
                raise DynamicsError(field, "multilevel splitting takes particles and "
                                    "replicas, neither trajectories nor pilot runs")
    elif not _whole(trajectories, 1, 2**31):
        raise DynamicsError("trajectories", f"must be a whole number in [1, 2**31], got "
                            f"{trajectories!r}")
    if not _whole(chunk, 1, 2**62):
        raise DynamicsError("chunk", f"must be a whole number >= 1, got {chunk!r}")
    if sharpen is not None and not (np.isfinite(sharpen) and sharpen >= 1):
        raise DynamicsError("sharpen", f"must be a number >= 1, got {sharpen!r}")
    if pilot is not None and not _whole(pilot, 10, 2**24):
        raise DynamicsError("pilot", f"must be a whole number in [10, 2**24], got {pilot!r}")


def _written_magnet(sim, magnet) -> str:
    if magnet is None:
        if len(sim.names) != 1:
            raise DynamicsError("magnet", "name the magnet written, one of "
                                + ", ".join(sim.names))
        return sim.names[0]
    if magnet not in sim.names:
        raise DynamicsError("magnet", f"not a dynamic magnet: {magnet!r} (the dynamic "
                            f"magnets: {', '.join(sim.names)})")
    return magnet


@dataclass
class _Job:
    """The runs of one estimate: the Simulation, the end time (s), the circuit's starting
    magnetizations ``start`` (k, 3), the written magnet j with its easy direction ``ref``,
    parameters ``par`` and well temperature (K), and the run settings."""

    sim: object
    until: float
    start: np.ndarray
    j: int
    ref: np.ndarray
    par: object
    temperature: float
    seed: int
    chunk: int
    dt: float | None
    top: float = 0.0  # the barrier's top u* (m·ref) between the wells (barrier_top)
    steps: set = field(default_factory=set)  # the steps (s) the runs took
    undecided: int = 0  # trajectories of the estimate ending near the top, |m·ref − u*| small

    def step_range(self) -> tuple[float, float] | None:
        """(smallest, largest) step (s) of the runs so far, None before any."""
        return (min(self.steps), max(self.steps)) if self.steps else None

    def starts(self, block: int, count: int, sharpen: float | None, stream: int):
        """Starting states (count, 3) and weights of ``block`` of stream ``stream`` (0: the
        estimate, 1: the cross-entropy pilots), from the generator of (seed, stream, block):
        the first ``count`` of the block's :data:`BLOCK` (a whole block is always drawn, so
        that trajectory i starts from the same state whatever the number of trajectories —
        the rejection sampler's draws depend on how many it is asked for)."""
        rng = np.random.default_rng(np.random.SeedSequence(
            self.seed, spawn_key=(2**32 + stream, block)))
        m, w = sample_well(self.par, self.ref, self.temperature, BLOCK, rng, sharpen)
        return m[:count], w[:count]

    def count(self, n: int, sharpen: float | None, first: int, progress: bool = False):
        """(failures, Σ w f, Σ (w f)²) over n trajectories block by block (starting states of
        :meth:`starts`, thermal fields of trajectories first, first + 1, … of ``seed``), each
        block in calls of ``chunk`` trajectories. Ctrl-C after a call finished raises
        :class:`~spincaloric.errors.Interrupted` with the sums of the trajectories done (the
        first ones: an estimate as with that many)."""
        failures, total, squares, done = 0, 0.0, 0.0, 0
        report = None
        if progress:
            from ..progress import Progress, span

            report = Progress("wer", n, f"{n} trajectories to {span(self.until)}")
        try:
            for lo in range(0, n, BLOCK):
                m, w = self.starts(lo // BLOCK, min(BLOCK, n - lo), sharpen, 0)
                for c in range(0, len(m), self.chunk):
                    part = slice(c, min(c + self.chunk, len(m)))
                    switched, _, ends = self.switched(m[part], first + lo + c, report)
                    failed = ~switched
                    wf = w[part][failed]
                    failures += int(failed.sum())
                    self.undecided += int(np.sum(np.abs(ends - self.top) < UNDECIDED))
                    total += float(wf.sum())
                    squares += float(np.sum(wf ** 2))
                    done += part.stop - part.start
        except KeyboardInterrupt as err:
            if not done:  # nothing of this estimate (a run's own partial result is not one)
                raise KeyboardInterrupt from err
            raise Interrupted((failures, total, squares), done, n, "trajectories") from err
        finally:
            if report is not None:
                report.close()
        return failures, total, squares

    def switched(self, m_start: np.ndarray, first: int, report=None):
        """((N,) bool switched, (N,) switching time (s; +inf for none), (N,) m·ref at the end)
        of trajectories from the starting states m_start (N, 3) of the written magnet,
        drawing the thermal fields of trajectories first, first + 1, … of ``seed``."""
        sim, n = self.sim, len(m_start)
        switched, when, ends = np.empty(n, bool), np.empty(n), np.empty(n)
        for lo in range(0, n, self.chunk):
            part = slice(lo, min(lo + self.chunk, n))
            initial = np.repeat(self.start[None], part.stop - lo, axis=0)
            initial[:, self.j] = m_start[part]
            run = sim.run(self.until, n_save=2, ensemble=part.stop - lo, initial=initial,
                          temperature_noise=True, seed=self.seed, dt=self.dt,
                          first_trajectory=first + lo, progress=report or False)
            self.steps.add(run.settings["dt"])
            ends[part] = run.magnetization(sim.names[self.j])[:, -1] @ self.ref
            switched[part] = ends[part] < self.top  # past the barrier's top
            # when: the last zero crossing the integrator located (the end, for a top above 0
            # that a magnet passed without reaching the equator)
            crossed = run.crossing[:, self.j] if run.crossing is not None else None
            time = np.full(part.stop - lo, self.until) if crossed is None else np.where(
                np.isfinite(crossed), crossed, self.until)
            when[part] = np.where(switched[part], time, np.inf)
        return switched, when, ends

    def cross_entropy(self, pilot: int, keep: float = 0.1, levels: int = 12,
                      progress: bool = False):
        """(sharpening s = λ/λ_p, pilot trajectories, levels, converged) by the cross-entropy
        method: at each level ``pilot`` trajectories from the current proposal; the fraction
        ``keep`` that switched last (or all failures, once there are that many) refit
        λ = Σ w / Σ w u; converged when the kept ones are failures. ``progress``: report the
        levels' trajectories on stderr."""
        report = None
        if progress:
            from ..progress import Progress

            report = Progress("wer", levels * pilot, f"cross-entropy search: up to {levels} "
                              f"levels of {pilot} pilot trajectories")
        try:
            return self._levels(pilot, keep, levels, report)
        finally:
            if report is not None:
                report.close()

    def _levels(self, pilot: int, keep: float, levels: int, report):
        """:meth:`cross_entropy`'s levels."""
        well = Well(self.par, self.ref, self.temperature)
        sharpen, used = 1.0, 0
        for level in range(levels):
            m_start, weight = self.starts(level, pilot, sharpen, 1)
            switched, when, _ = self.switched(m_start, used, report)
            used += pilot
            failed = ~switched
            done = failed.sum() >= keep * pilot
            elite = failed if done else when >= np.quantile(when, 1 - keep)
            u = 1.0 - m_start[elite] @ self.ref
            w = weight[elite]
            sharpen = max(float(w.sum() / np.sum(w * u)) / well.rate, 1.0)
            if done:
                return sharpen, used, level + 1, True
        return sharpen, used, levels, False


def _brute(name: str, n: int, failures: int, temperature: float) -> WriteErrorRate:
    """Failures/N with the Clopper–Pearson 95 % interval."""
    k = failures
    low, high = (float(x) for x in clopper_pearson(k, n))
    rate = k / n
    return WriteErrorRate(name, "brute force", n, k, rate, (low, high),
                          float(np.sqrt(rate * (1 - rate) / n)), None, temperature)


def _weighted(name, n, sums, temperature, sharpen, well, search) -> WriteErrorRate:
    """⟨w f⟩ with its normal 95 % interval from Σ w f and Σ (w f)²; without failures, the
    upper bound 3 w_max/N of the rule of three under q (w ≤ M/ε, M the rejection envelope of
    the broad proposal)."""
    k, total, squares = sums
    pilots, levels, converged = search
    method = "importance sampling"
    if k == 0:
        bound = 3.0 * well.bound(well.broad) / DEFENSIVE / n
        return WriteErrorRate(name, method, n, 0, 0.0, (0.0, min(bound, 1.0)), 0.0, 0.0,
                              temperature, sharpen, pilots, levels, converged)
    rate = total / n
    variance = max(squares / n - rate**2, 0.0) * n / max(n - 1, 1)
    error = float(np.sqrt(variance / n))
    effective = float(total**2 / squares)
    # the weighted mean is unbiased but may pass 1 (nearly every write failing): a
    # probability is reported, as is its interval (closer to the truth, never outside it)
    return WriteErrorRate(name, method, n, k, min(rate, 1.0),
                          (min(max(rate - Z95 * error, 0.0), 1.0),
                           min(rate + Z95 * error, 1.0)), error, effective,
                          temperature, sharpen, pilots, levels, converged)


#: Saved instants of a splitting estimate on [0, until]: the time grid of the score and of
#: the branching points.
INSTANTS = 101


class Lateness:
    r"""How late a write runs: the score of multilevel splitting, an approximate committor.

    Near its easy direction ref a magnet under a write pulse is a two-dimensional
    Ornstein–Uhlenbeck process turned inside out: its transverse magnetization m⊥ grows as
    dm⊥ = (λ + iω) m⊥ dt + √(2D) dW, the spin-transfer torque above threshold giving λ > 0,
    ω the precession, and Brown's thermal field (with the spin-pumping noise) the diffusion
    D = α γ k_B T / ((1 + α²) M_s V) per component (s⁻¹; α with the pumping damping). The
    write fails when the limit Z = e^{−λt} m⊥(t→∞) — Gaussian about e^{−λt} m⊥(t) with the
    variance D e^{−2λt}/λ of the noise still to come — falls within a small ε of zero, so
    the chance to fail from (t, m) is q ≈ (λ ε²/2D) e^{2λt} exp(−λ|m⊥|²/2D):

    .. math::

        \ln q = 2λ\,\Big(t - \frac{u}{2D}\Big) + \text{const}, \qquad u = 1 - m\cdot
        \mathrm{ref} ≈ |m_⊥|^2/2,

    whatever λ (which the drive sets). The lateness δ = t − u/2D (s) therefore orders states
    as the committor does: a write that the thermal field kept close to ref for long is late,
    one that left early is not. (A lateness in ln u, the deterministic clock of the
    small-angle growth, overrates starts much closer to ref than the thermal scale, where
    the noise still to come dominates.) The score maps it into (0, 1),

    .. math::

        ξ(t, m) = \tfrac12 + \tfrac1π \arctan\frac{δ}{T}

    for a magnet not reversed (m·ref ≥ u*, ``top`` the barrier's top), ξ = 0 for one past
    it, and at the end t = T: ξ = 1 if not switched, 0 if
    switched — the event (a particle that recrosses keeps the largest score it reached, as
    every particle does: the estimate stays unbiased). The arctan only maps δ into (0, 1): splitting uses the order of
    scores, nothing else, so the value of λ and the scale T do not matter. The order is the
    committor's for an axially symmetric well (a perpendicular free layer, as the pillar's);
    in a biaxial one (an in-plane layer) m⊥ grows along an ellipse and u orders states only
    roughly — the estimate stays unbiased, with a larger spread.

    horizon : T (s).   diffusion : D (s⁻¹).   top : the barrier's top u* (m·ref;
    :func:`~spincaloric.dynamics.equilibrium.barrier_top`).
    """

    def __init__(self, horizon: float, diffusion: float, top: float = 0.0):
        self.horizon, self.diffusion, self.top = float(horizon), float(diffusion), float(top)

    @classmethod
    def of(cls, simulation, magnet: str, ref, temperature: float, horizon: float,
           top: float = 0.0):
        """The lateness of ``magnet`` of ``simulation`` in the well of ``ref`` at
        ``temperature`` (K): D from its damping, with the spin-pumping damping when the run
        pumps (:func:`~spincaloric.dynamics.switching.circuit_pumping_damping`)."""
        par = simulation.magnets[magnet]
        alpha = par.damping
        if simulation.pumps:
            alpha += circuit_pumping_damping(simulation.model, magnet, ref, par)
        d = alpha * par.gyromagnetic_ratio * BOLTZMANN * temperature / (
            (1 + alpha**2) * par.moment)
        if not d > 0:  # no friction, no thermal field: nothing for splitting to steer
            raise DynamicsError(f"{magnet}.damping", "multilevel splitting steers the thermal "
                                "field, which needs damping (Gilbert or spin pumping) > 0: "
                                "without it every write is deterministic; use brute force")
        return cls(horizon, d, top)

    def lateness(self, times, projections):
        """δ = t − u/2D (s) at the instants ``times`` (S',) s of m·ref = ``projections``."""
        return np.asarray(times, float) - (1.0 - np.asarray(projections, float)) / (
            2 * self.diffusion)

    def score(self, times, projections):
        """ξ (E, S') at the instants ``times`` (S',) s, the last one being T, of trajectories
        whose m·ref there are ``projections`` (E, S')."""
        p = np.asarray(projections, float)
        late = self.lateness(times, p)
        xi = np.minimum(0.5 + np.arctan(late / self.horizon) / np.pi, np.nextafter(1.0, 0.0))
        up = p >= self.top
        xi = np.where(up, xi, 0.0)
        if np.isclose(times[-1], self.horizon, rtol=1e-12, atol=0.0):
            xi[:, -1] = up[:, -1]
        return xi


class _Chain:
    """The writes of ``job`` as the Markov chain of multilevel splitting
    (:class:`.splitting.Model`): the dynamic magnets' states (k, 3) at INSTANTS saved
    instants of [0, until], each run with thermal-field streams never used before, the
    starting states exact samples of the well; scored by ``lateness``."""

    def __init__(self, job: _Job, instants: int = INSTANTS):
        self.job, self.instants = job, instants
        self.times = np.linspace(0.0, job.until, instants)
        self.dt = job.dt  # None: the runs' default step (1 ps where the precession allows)
        self.rng = np.random.default_rng(np.random.SeedSequence(job.seed,
                                                                spawn_key=(2**32 + 2,)))
        self.stream = 0
        self.lateness = None

    def starts(self, count: int) -> np.ndarray:
        job = self.job
        states = np.repeat(job.start[None], count, axis=0)
        states[:, job.j] = sample_well(job.par, job.ref, job.temperature, count, self.rng)[0]
        return states

    def project(self, states, start: int):
        """(states (E, S − start, k, 3), m·ref (E, S − start) of the written magnet) of runs
        from ``states`` at instant ``start``."""
        job = self.job
        if self.stream + len(states) > 2**32:
            raise DynamicsError("particles", "the thermal-field streams of one seed (2**32 "
                                "trajectories) are used up: fewer particles or replicas")
        run = job.sim.run(job.until, n_save=self.instants - start, ensemble=len(states),
                          initial=states, start=float(self.times[start]),
                          temperature_noise=True, seed=job.seed, dt=self.dt,
                          first_trajectory=self.stream)
        job.steps.add(run.settings["dt"])
        self.stream += len(states)
        return run.m, run.m[:, :, job.j] @ job.ref

    def advance(self, states, start: int):
        paths, p = self.project(states, start)
        return paths, self.lateness.score(self.times[start:], p)


def _splitting(job: _Job, name: str, particles, replicas, progress: bool) -> WriteErrorRate:
    """Multilevel splitting (:func:`.splitting.split`) of ``replicas`` independent replicas
    of ``particles``, scored by their :class:`Lateness`."""
    from .splitting import split

    if not _whole(particles, 2, 2**20):
        raise DynamicsError("particles", f"must be a whole number in [2, 2**20], got "
                            f"{particles!r}")
    if not _whole(replicas, 1, 10**4):
        raise DynamicsError("replicas", f"must be a whole number in [1, 10000], got "
                            f"{replicas!r}")
    chain = _Chain(job)
    chain.lateness = Lateness.of(job.sim, name, job.ref, job.temperature, job.until, job.top)
    report = None
    if progress:
        from ..progress import Progress, span

        report = Progress("wer", replicas, f"{replicas} replica{'s' if replicas > 1 else ''} "
                          f"of {particles} particles "
                          f"to {span(job.until)}")
    runs = []
    try:
        for r in range(replicas):
            rng = np.random.default_rng(np.random.SeedSequence(job.seed,
                                                               spawn_key=(2**32 + 3, r)))
            runs.append(split(chain, particles, rng))
            if report is not None:
                report.update(1)
    except KeyboardInterrupt as err:  # what the finished replicas found is kept
        if not runs:  # nothing (a run's own partial result is not a replica)
            raise KeyboardInterrupt from err
        raise Interrupted(_splitting_result(job, name, particles, runs), len(runs),
                          replicas, "replicas") from err
    finally:
        if report is not None:
            report.close()
    return _splitting_result(job, name, particles, runs)


def _splitting_result(job: _Job, name: str, particles: int, runs) -> WriteErrorRate:
    """The write-error rate of the replicas ``runs`` (:func:`.splitting.split`) of
    ``particles`` each."""
    from .splitting import replica_interval

    replicas = len(runs)
    rate, error, interval, ideal = replica_interval([r.estimate for r in runs], particles)
    extinct = sum(r.extinct for r in runs)
    if rate == 0:  # below the levels reached: the chance to pass the last one bounds it
        interval = ideal = (0.0, max(r.reached for r in runs))
    elif rate == 1:  # every particle failed from its start: nR independent failures
        interval = ideal = (0.025 ** (1.0 / (particles * replicas)), 1.0)
    return WriteErrorRate(
        name, "multilevel splitting", particles * replicas,
        sum(particles for r in runs if r.complete), rate, interval, error, None,
        job.temperature, None, 0, sum(r.iterations for r in runs),
        all(r.complete or r.extinct for r in runs), replicas, sum(r.cost for r in runs), ideal,
        extinct)


def write_error_rates(data: dict, axes, until: float | None = None, *,
                      pumping: bool | None = None, dt: float | None = None, on_result=None,
                      **options):
    """The write-error rate of the device file ``data`` (parsed) at every point of the grid
    spanned by ``axes`` [(key, values)] — ``--vary`` keys in their SI units: a drive's
    amplitude or duration, a magnet's parameter, any value the file writes; an amplitude ×
    duration grid is the write-error map of a cell — by :func:`write_error_rate` with
    ``options`` (method, trajectories, seed, …), every point with the same seed, so that the
    curve or map is smooth (common random numbers: neighbouring estimates are correlated).
    ``until`` (s): the end of each run (default: the file's); ``pumping``: spin pumping on or
    off (default: the file's); ``dt`` (s): the Heun step (default: the file's).
    ``on_result({key: value}, estimate)`` is called as each point finishes (row-major). An
    xarray Dataset over the keys: ``write_error_rate``, its ``write_error_rate_interval``
    (dimension ``bound``: low, high), ``standard_error``, ``trajectories``, ``failures``,
    ``undecided`` (counts) and the method's settings as attributes."""
    import copy
    import itertools

    import xarray as xr

    from ..files import FORMAT_ATTRIBUTE, FORMAT_VERSION
    from ..io.devicefile import spec_from_dict
    from ..io.paths import describe_key, set_path, unit_of

    keys = [key for key, _ in axes]
    grids = [np.asarray(values, float) for _, values in axes]
    results = []
    for point in itertools.product(*grids):
        d = copy.deepcopy(data)
        for key, value in zip(keys, point):
            set_path(d, key, float(value))
        spec = spec_from_dict(d)
        if pumping is not None:
            spec.simulation["pumping"] = pumping
        end = until or spec.until
        sim, opts = spec.simulation_for(spec.device.finalize(), end)
        result = write_error_rate(sim, end, dt=dt or opts.get("dt"), **options)
        results.append(result)
        if on_result is not None:
            on_result(dict(zip(keys, map(float, point))), result)
    first, shape = results[0], tuple(len(g) for g in grids)

    def grid(values):
        return np.asarray(values).reshape(shape + np.shape(values)[1:])

    coords = {key: (key, g, {"units": unit_of(key), "long_name": describe_key(data, key)})
              for key, g in zip(keys, grids)}
    coords["bound"] = ("bound", ["low", "high"], {"long_name": "bound of the interval"})
    ds = xr.Dataset(coords=coords)
    counts = {"units": "1"}
    ds["write_error_rate"] = (keys, grid([r.rate for r in results]), {
        "units": "1", "long_name": "write-error rate (probability of ending unswitched)"})
    ds["write_error_rate_interval"] = ((*keys, "bound"), grid([r.interval for r in results]), {
        "units": "1", "long_name": "95 % interval of the write-error rate"})
    ds["standard_error"] = (keys, grid([r.standard_error for r in results]), {
        "units": "1", "long_name": "standard error of the write-error rate",
        "comment": "brute force: sqrt(p (1 - p) / N), 0 where no write failed or every write "
                   "did (the interval bounds the rate there)"})
    ds["trajectories"] = (keys, grid([r.trajectories for r in results]),
                          {**counts, "long_name": "trajectories (particles × replicas of "
                           "splitting)"})
    ds["failures"] = (keys, grid([r.failures for r in results]),
                      {**counts, "long_name": "trajectories that ended unswitched"})
    ds["undecided"] = (keys, grid([r.undecided for r in results]),
                       {**counts, "long_name": "trajectories ending near the barrier's top"})
    per = (f"{first.trajectories // first.replicas} particles × {first.replicas} replicas"
           if first.replicas else f"{first.trajectories} trajectories")
    ds.attrs.update({FORMAT_ATTRIBUTE: FORMAT_VERSION, "magnet": first.magnet,
                     "method": first.method, "temperature": first.temperature,
                     "temperature_units": "K", "seed": int(options.get("seed", 0)),
                     "title": f"write-error rate of {first.magnet}: {first.method}, {per} per "
                              f"point, T0 = {first.temperature:g} K"})
    return ds
