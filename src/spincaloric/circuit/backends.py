"""Solver back ends of a finalized circuit, by name (Kwant's ``kwant.solvers`` is the model):
each back end is one function ``solve(circuit, magnetization, voltage, temperature, current,
heat, **options) -> Solution`` registered by the module that implements it
(:mod:`spincaloric.solvers`); :meth:`Circuit.solve <spincaloric.circuit.device.Circuit.solve>`
dispatches on ``method`` without knowing the solvers, so the circuit layer imports no solver."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import DeviceError

_BACKENDS: dict[str, Callable] = {}


def register(name: str, solve: Callable) -> None:
    """Make ``solve`` the back end called for ``method=name``."""
    _BACKENDS[name] = solve


def backend(method) -> Callable:
    """The back end registered as ``method``; a :class:`DeviceError` on ``method`` otherwise."""
    if isinstance(method, str) and method in _BACKENDS:
        return _BACKENDS[method]
    known = ", ".join(repr(k) for k in _BACKENDS)
    raise DeviceError("method", f"must be one of {known}, got {method!r}")


def methods() -> tuple[str, ...]:
    """Names of the registered back ends."""
    return tuple(_BACKENDS)
