"""Announcing the one-time compilation of the integration kernels (numba caches them on disk).

A listener on numba's ``numba:compile`` event calls back just before one of the kernels is
compiled — never when it loads from the cache (beside the package or under
``NUMBA_CACHE_DIR``), whatever file names the cache uses.
"""

from __future__ import annotations

from contextlib import contextmanager

from .ensemble import integrate_ensemble
from .kernels import integrate_fixed, integrate_rk45


@contextmanager
def announce_compilation(callback):
    """Within the block, call ``callback()`` once, just before numba starts compiling one of the
    integration kernels (or another compiled function of the package): only on a real
    compilation, which numba's dispatcher reports when the
    kernel is neither compiled in this process nor loadable from numba's on-disk cache (next
    to the package or under NUMBA_CACHE_DIR). Loading a cached kernel says nothing."""
    from numba.core import event

    kernels = (integrate_rk45, integrate_fixed, integrate_ensemble)

    def ours(dispatcher) -> bool:  # the integrators, or any other compiled function of ours
        return (any(dispatcher is k for k in kernels) or getattr(
            getattr(dispatcher, "py_func", None), "__module__", "").startswith("spincaloric."))

    class Announce(event.Listener):
        said = False

        def on_start(self, ev):
            if not self.said and ours(ev.data["dispatcher"]):
                self.said = True
                callback()

        def on_end(self, ev):
            pass

    with event.install_listener("numba:compile", Announce()):
        yield
