"""Adaptive multilevel splitting against closed forms: the tail of Brownian motion at a
fixed time, P(W_T > a) = erfc(a/√(2T))/2, exact for the Gaussian random walk on any grid."""

import numpy as np
import pytest
from scipy.special import erfc

from spincaloric.studies.splitting import replica_interval, split


class Walk:
    """W at S instants of [0, 1] (Gaussian increments, variance 1/(S − 1) each); the event
    W_1 > a, scored 1 at t = 1; before the end the score is ``score`` (< 1): "committor" Φ((W −
    a)/√(1 − t)) (the ideal score), "crude" (1 + t)/2 · clip(W/a, 0, 1), or "steps" the crude
    one rounded down to tenths (ties at every level). Unbiasedness depends on none of them."""

    def __init__(self, a, instants=41, seed=0, score="committor"):
        self.a, self.instants, self.score = a, instants, score
        self.t = np.linspace(0.0, 1.0, instants)
        self.rng = np.random.default_rng(seed)
        self.runs = 0

    def starts(self, count):
        return np.zeros(count)

    def advance(self, states, start):
        steps = self.rng.normal(0.0, np.sqrt(1 / (self.instants - 1)),
                                (len(states), self.instants - 1 - start))
        paths = states[:, None] + np.concatenate([np.zeros((len(states), 1)),
                                                  np.cumsum(steps, axis=1)], axis=1)
        t = self.t[start:]
        if self.score == "committor":
            with np.errstate(divide="ignore"):
                score = 0.5 * erfc((self.a - paths) / np.sqrt(2 * (1 - t)))
            score = np.minimum(score, 1 - 1e-12)
        else:
            score = (1 + t) / 2 * np.clip(paths / self.a, 0.0, 1.0)
            if self.score == "steps":
                score = np.floor(10 * score) / 10
        score[:, -1] = np.where(paths[:, -1] > self.a, 1.0, np.minimum(score[:, -1], 0.99))
        self.runs += len(states)
        return paths, score


def tail(a):
    return 0.5 * erfc(a / np.sqrt(2.0))


@pytest.mark.slow
def test_a_probability_of_one_in_a_million():
    """P(W_1 > 4.753) = 1.0e-6: the mean of 10 replicas of 200 particles lies within its
    95 % interval of the closed form; the cost is a few thousand paths, where brute force
    would need ~10⁸ for the same spread."""
    a = 4.753424
    model = Walk(a, seed=1)
    runs = [split(model, 200, np.random.default_rng([7, r])) for r in range(10)]
    assert all(r.complete and not r.extinct for r in runs)
    mean, error, interval, ideal = replica_interval([r.estimate for r in runs], 200)
    assert interval[0] < tail(a) < interval[1]
    assert abs(mean - tail(a)) < 3 * error
    assert sum(r.cost for r in runs) < 3e4


def test_the_estimator_is_unbiased():
    """P(W_1 > 3.09) = 1.0e-3: the mean of 300 replicas of 20 particles each is the closed
    form within 3 standard errors (a biased estimator, e.g. one that kills a single particle
    of a tie, is off by several)."""
    a = 3.090232
    model = Walk(a, instants=21, seed=2, score="steps")
    est = [split(model, 20, np.random.default_rng([8, r])).estimate for r in range(300)]
    mean, error, _, _ = replica_interval(est, 20)
    assert abs(mean - tail(a)) < 3 * error
    assert error < 0.15 * tail(a)


def test_replicas_that_agree_by_chance_keep_the_ideal_interval():
    """The ideal score's spread p̄ √(−ln p̄/(nR)) bounds any score's from below: replicas
    that happen to agree closer (here exactly) report the ideal interval and error, not a
    narrower one; replicas that spread more keep Student's t interval."""
    mean, error, interval, ideal = replica_interval([1e-3, 1e-3, 1e-3], 20)
    assert interval == ideal and error == pytest.approx(
        1e-3 * np.sqrt(-np.log(1e-3) / 60), rel=1e-12, abs=0)
    wide = replica_interval([2e-4, 1e-3, 1.8e-3], 20)
    assert wide[2][0] < ideal[0] and wide[2][1] > ideal[1] and wide[3] == ideal


def test_ties_are_killed_together_and_the_estimate_is_a_product():
    """Paths that never rise above 0 all score 0: they die together in the first iteration;
    p̂ = Π (1 − K_i/n) with the recorded K_i."""
    model = Walk(2.0, seed=3, score="crude")
    run = split(model, 50, np.random.default_rng(4))
    assert run.killed[0] > 1
    assert run.estimate == pytest.approx(np.prod([1 - k / 50 for k in run.killed]), rel=1e-12,
                                         abs=0)
    assert run.cost < model.runs  # branches continue part-way paths


def test_extinction_gives_zero():
    """An event no path can reach (a score stuck at 0): every particle dies in the first
    iteration and the estimate is 0."""

    class Stuck(Walk):
        def advance(self, states, start):
            paths, _ = super().advance(states, start)
            return paths, np.zeros(paths.shape)

    run = split(Stuck(3.0), 10, np.random.default_rng(5))
    assert run.extinct and run.estimate == 0.0 and run.iterations == 1


def test_a_run_stopped_at_its_iteration_limit_says_so():
    """Stopped after 5 iterations, short of the event: not complete, and the estimate is the
    product times the fraction of particles already there."""
    run = split(Walk(3.5), 20, np.random.default_rng(2), max_iterations=5)
    assert run.iterations == 5 and not run.complete and not run.extinct
    product = np.prod([1 - k / 20 for k in run.killed])
    assert run.estimate <= run.reached == pytest.approx(product, rel=1e-12, abs=0)


def test_the_same_generators_give_the_same_estimate():
    a, b = (split(Walk(3.0, seed=6), 30, np.random.default_rng(9)) for _ in range(2))
    assert a == b
