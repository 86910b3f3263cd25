r"""Write-error rates: the probability that a write pulse leaves a magnet unswitched.

A cell is written by the drives of a :class:`~spincaloric.dynamics.simulation.Simulation`
(a voltage, current, heat or temperature pulse). At finite temperature the magnet starts
anywhere in the thermal well of its state (:mod:`spincaloric.dynamics.equilibrium`) and feels
Brown's thermal field (and the spin-pumping noise) throughout; the *write-error rate* is the
probability that it has not switched when the run ends,

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

Trajectories run in parts of ``chunk`` with two saved instants each (memory bounded whatever
N); trajectory i of seed s always draws its thermal field from the stream (s, i) and its
starting state from one generator of s, so the result does not depend on the chunking.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..dynamics.equilibrium import DEFENSIVE, Well, sample_well
from ..dynamics.switching import reference_direction
from ..errors import DynamicsError

#: The z value of a two-sided 95 % normal interval.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class WriteErrorRate:
    """The write-error rate of ``magnet``: ``rate`` (probability of not switching) with its
    95 % ``interval``, from ``trajectories`` runs of which ``failures`` did not switch, by
    ``method`` ("brute force" or "importance sampling", with ``sharpen``);
    ``standard_error`` of the rate; ``effective_samples`` of the failures' weights (None for
    brute force); ``temperature`` (K) of the starting well and the noise; the cross-entropy
    search's ``pilot_trajectories`` (not in N), its ``levels`` and whether it ``converged``
    (the last level's kept trajectories were failures)."""

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

    def summary(self) -> dict:
        """A JSON-ready dict of the result (SI units)."""
        return {"magnet": self.magnet, "method": self.method,
                "trajectories": self.trajectories, "failures": self.failures,
                "write_error_rate": self.rate, "interval_95": list(self.interval),
                "standard_error": self.standard_error,
                "effective_samples": self.effective_samples, "temperature": self.temperature,
                "sharpen": self.sharpen, "pilot_trajectories": self.pilot_trajectories,
                "levels": self.levels, "converged": self.converged}

    def warnings(self) -> list[str]:
        """What makes the estimate less trustworthy than its interval says."""
        out = []
        if self.converged is False:
            out.append(f"the cross-entropy search did not reach the failures in {self.levels} "
                       "levels: the sharpening is a guess (more --pilot trajectories, or "
                       "brute force)")
        if self.effective_samples is not None and 0 < self.effective_samples < 10:
            out.append(f"only {self.effective_samples:.3g} effective samples carry the failures: "
                       "the normal interval is unreliable (more trajectories)")
        return out

    def __str__(self) -> str:
        low, high = self.interval
        text = (f"{self.magnet}: write error rate {self.rate:.3g} (95 % interval {low:.3g} – "
                f"{high:.3g}), {self.failures} of {self.trajectories} trajectories unswitched "
                f"at {self.temperature:g} K, {self.method}")
        if self.method == "importance sampling":
            text += (f" (sharpen {self.sharpen:.3g}, effective samples "
                     f"{self.effective_samples or 0:.3g}"
                     + (f", {self.pilot_trajectories} pilot trajectories in {self.levels} "
                        f"levels" if self.pilot_trajectories else "") + ")")
        return text


#: Trajectories whose starting states are drawn together (from one generator per block):
#: the memory of an estimate, whatever N.
BLOCK = 2**16


def write_error_rate(simulation, until: float, trajectories: int, *, magnet: str | None = None,
                     importance: bool = False, sharpen: float | None = None, pilot: int = 1000,
                     seed: int = 0, chunk: int = 4096, dt: float | None = None,
                     progress: bool = False) -> WriteErrorRate:
    """Estimate the write-error rate of the drives of ``simulation`` over [0, ``until``] s.

    trajectories : N ≥ 1.   magnet : the dynamic magnet written (default: the only one; other
    dynamic magnets start from the circuit's magnetization).   importance : importance
    sampling of the starting state instead of brute force, with the sharpening ``sharpen``
    (s ≥ 1: the proposal's rate over the well's, :func:`~spincaloric.dynamics.equilibrium.
    sample_well`) or, by default, the one the cross-entropy method finds with ``pilot``
    trajectories per level (not counted in N).   seed : whole number in [0, 2⁶³).
    chunk : trajectories per integration call.   dt : the stochastic Heun step (s; default
    as :meth:`Simulation.run`).   progress : report on stderr.
    """
    sim = simulation
    name = _written_magnet(sim, magnet)
    if sim.transient:
        raise DynamicsError("nodes", "a write-error rate needs the thermal field, which runs "
                            "whose nodes store heat (or with time-resolved Joule heat) do not "
                            "have: impose the temperatures as drives instead")
    if not (isinstance(trajectories, (int, np.integer)) and 1 <= trajectories <= 2**31):
        raise DynamicsError("trajectories", f"must be a whole number in [1, 2**31], got "
                            f"{trajectories!r}")
    if not (isinstance(chunk, (int, np.integer)) and chunk >= 1):
        raise DynamicsError("chunk", f"must be a whole number >= 1, got {chunk!r}")
    if sharpen is not None and not (np.isfinite(sharpen) and sharpen >= 1):
        raise DynamicsError("sharpen", f"must be a number >= 1, got {sharpen!r}")
    j = sim.names.index(name)
    par = sim.magnets[name]
    start = sim.initial_state()
    ref = reference_direction(start[j], par.anisotropy_axis)
    temperature = float(sim.model.magnet_temperatures(start[None])[0, j])
    job = _Job(sim, until, start, j, ref, par, temperature, int(seed), min(chunk, BLOCK), dt)
    n = int(trajectories)
    if not importance:
        return _brute(name, n, job.count(n, None, 0, progress)[0], temperature)
    search = (None, 0, 0, None)
    if sharpen is None:
        search = job.cross_entropy(int(pilot))
        sharpen = search[0]
    sums = job.count(n, float(sharpen), 2**31, progress)  # the pilots' streams count from 0
    return _weighted(name, n, sums, temperature, float(sharpen),
                     Well(par, ref, temperature), search[1:])


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

    def starts(self, block: int, count: int, sharpen: float | None, stream: int):
        """Starting states (count, 3) and weights of ``block`` of stream ``stream`` (0: the
        estimate, 1: the cross-entropy pilots), from the generator of (seed, stream, block)."""
        rng = np.random.default_rng(np.random.SeedSequence(
            self.seed, spawn_key=(2**32 + stream, block)))
        return sample_well(self.par, self.ref, self.temperature, count, rng, sharpen)

    def count(self, n: int, sharpen: float | None, first: int, progress: bool = False):
        """(failures, Σ w f, Σ (w f)²) over n trajectories block by block (starting states of
        :meth:`starts`, thermal fields of trajectories first, first + 1, … of ``seed``)."""
        failures, total, squares = 0, 0.0, 0.0
        report = None
        if progress:
            from ..progress import Progress

            report = Progress("wer", n, f"{n} trajectories to {self.until * 1e9:g} ns")
        try:
            for lo in range(0, n, BLOCK):
                m, w = self.starts(lo // BLOCK, min(BLOCK, n - lo), sharpen, 0)
                failed = ~self.switched(m, first + lo, report)[0]
                failures += int(failed.sum())
                total += float(w[failed].sum())
                squares += float(np.sum(w[failed] ** 2))
        finally:
            if report is not None:
                report.close()
        return failures, total, squares

    def switched(self, m_start: np.ndarray, first: int, report=None):
        """((N,) bool switched, (N,) switching time (s; +inf for none)) of trajectories from
        the starting states m_start (N, 3) of the written magnet, drawing the thermal fields
        of trajectories first, first + 1, … of ``seed``."""
        sim, n = self.sim, len(m_start)
        switched, when = np.empty(n, bool), np.empty(n)
        for lo in range(0, n, self.chunk):
            part = slice(lo, min(lo + self.chunk, n))
            initial = np.repeat(self.start[None], part.stop - lo, axis=0)
            initial[:, self.j] = m_start[part]
            run = sim.run(self.until, n_save=2, ensemble=part.stop - lo, initial=initial,
                          temperature_noise=True, seed=self.seed, dt=self.dt,
                          first_trajectory=first + lo)
            result = run.switching()[sim.names[self.j]]
            switched[part] = result.switched
            when[part] = np.where(result.switched, result.time, np.inf)
            if report is not None:
                report.update(part.stop - lo)
        return switched, when

    def cross_entropy(self, pilot: int, keep: float = 0.1, levels: int = 12):
        """(sharpening s = λ/λ_p, pilot trajectories, levels, converged) by the cross-entropy
        method: at each level ``pilot`` trajectories from the current proposal; the fraction
        ``keep`` that switched last (or all failures, once there are that many) refit
        λ = Σ w / Σ w u; converged when the kept ones are failures."""
        if not (isinstance(pilot, (int, np.integer)) and pilot >= 10):
            raise DynamicsError("pilot", f"must be a whole number >= 10, got {pilot!r}")
        well = Well(self.par, self.ref, self.temperature)
        sharpen, used = 1.0, 0
        for level in range(levels):
            m_start, weight = self.starts(level, pilot, sharpen, 1)
            switched, when = self.switched(m_start, used)
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
    from scipy.stats import beta

    k = failures
    low = 0.0 if k == 0 else float(beta.ppf(0.025, k, n - k + 1))
    high = 1.0 if k == n else float(beta.ppf(0.975, k + 1, n - k))
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
        bound = 3.0 * well.bound(well.rate / 2) / DEFENSIVE / n
        return WriteErrorRate(name, method, n, 0, 0.0, (0.0, min(bound, 1.0)), 0.0, 0.0,
                              temperature, sharpen, pilots, levels, converged)
    rate = total / n
    variance = max(squares / n - rate**2, 0.0) * n / max(n - 1, 1)
    error = float(np.sqrt(variance / n))
    effective = float(total**2 / squares)
    return WriteErrorRate(name, method, n, k, rate,
                          (max(rate - Z95 * error, 0.0), rate + Z95 * error), error, effective,
                          temperature, sharpen, pilots, levels, converged)
