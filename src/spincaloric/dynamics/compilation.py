"""Announcing the one-time compilation of the integration kernels (numba caches them on disk).

A listener on numba's ``numba:compile`` event calls back just before one of the kernels is
compiled — never when it loads from the cache (beside the package or under
``NUMBA_CACHE_DIR``), whatever file names the cache uses.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager

from .ensemble import integrate_ensemble
from .kernels import integrate_fixed, integrate_rk45


@contextmanager
def announce_compilation(callback, done=None, stopped=None):
    """Within the block, call ``callback()`` once, just before numba starts compiling one of the
    integration kernels (or another compiled function of the package): only on a real
    compilation, which numba's dispatcher reports when the
    kernel is neither compiled in this process nor loadable from numba's on-disk cache (next
    to the package or under NUMBA_CACHE_DIR). Loading a cached kernel says nothing. With
    ``done``, ``done(seconds)`` follows each compilation of ours that took a second or more
    (the kernel with the functions it compiles within it), so that the wait is seen to end.
    With ``stopped``, ``stopped()`` before a KeyboardInterrupt that ended a compilation leaves
    the block (nothing is cached: the next run compiles again)."""
    from numba.core import event

    kernels = (integrate_rk45, integrate_fixed, integrate_ensemble)

    def ours(dispatcher) -> bool:  # the integrators, or any other compiled function of ours
        return (any(dispatcher is k for k in kernels) or getattr(
            getattr(dispatcher, "py_func", None), "__module__", "").startswith("spincaloric."))

    class Announce(event.Listener):
        said = False
        depth = 0  # compilations of ours under way: a kernel compiles its callees within it
        began = 0.0

        def on_start(self, ev):
            if not ours(ev.data["dispatcher"]):
                return
            if self.depth == 0:
                self.began = time.monotonic()
            self.depth += 1
            if not self.said:
                self.said = True
                callback()

        def on_end(self, ev):
            if not ours(ev.data["dispatcher"]):
                return
            self.depth -= 1
            # the exception that ends the compilation, if any, is the one being handled
            # (numba's Event.is_failed reads the other way round in some versions)
            if isinstance(sys.exc_info()[1], KeyboardInterrupt):
                self.interrupted = True
            took = time.monotonic() - self.began
            if self.depth == 0 and done is not None and took >= 1.0:
                done(took)

    listener = Announce()
    listener.interrupted = False
    with event.install_listener("numba:compile", listener):
        try:
            yield
        except KeyboardInterrupt:
            if listener.interrupted and stopped is not None:
                stopped()
            raise
