"""Solver back ends of a finalized circuit, by name (Kwant's ``kwant.solvers`` is the model):
each back end is one function ``solve(circuit, magnetization, voltage, temperature, current,
heat, **options) -> Solution`` registered by the module that implements it
(:mod:`spincaloric.solvers`); :meth:`Circuit.solve <spincaloric.circuit.device.Circuit.solve>`
dispatches on ``method`` without knowing the solvers, so the circuit layer imports no solver."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import DeviceError

_BACKENDS: dict[str, tuple[Callable, bool]] = {}


def register(name: str, solve: Callable, batched: bool = True) -> None:
    """Make ``solve`` the back end called for ``method=name``; ``batched``: it takes arrays of
    drives and magnetizations at once (linear response), else one number each."""
    _BACKENDS[name] = (solve, batched)


def backend(method) -> Callable:
    """The back end registered as ``method``; a :class:`DeviceError` on ``method`` otherwise."""
    if isinstance(method, str) and method in _BACKENDS:
        return _BACKENDS[method][0]
    known = ", ".join(repr(k) for k in _BACKENDS)
    raise DeviceError("method", f"must be one of {known}, got {method!r}")


def batched(method) -> bool:
    """Whether the back end ``method`` solves a batch of drives in one call."""
    backend(method)
    return _BACKENDS[method][1]


def methods() -> tuple[str, ...]:
    """Names of the registered back ends."""
    return tuple(_BACKENDS)
