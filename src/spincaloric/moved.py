"""Module paths that moved into the package's layers (``circuit``, ``solvers``, ``layers``,
``studies``, ``io``). Importing an old path gives a module that forwards every name to its new
home with a :class:`DeprecationWarning` naming that home; no file is kept at the old path."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
import warnings

#: old module (under ``spincaloric.``) -> its home
MOVED = {
    "contacts": "circuit.contacts", "junctions": "circuit.junctions", "tunnel": "circuit.tunnel",
    "conductance_spectra": "circuit.conductance_spectra", "device": "circuit.device",
    "system": "circuit.system", "solution": "circuit.solution", "memory": "circuit.memory",
    "solver": "solvers.linear", "spectral": "solvers.spectral",
    "drift_diffusion": "layers.drift_diffusion", "schema": "io.schema", "paths": "io.paths",
    "plotting": "io.plotting", "sweep": "studies.sweep", "maps": "studies.maps",
}


def forwarding_module(old: str, new: str) -> types.ModuleType:
    """A module ``old`` whose attributes are those of module ``new``, each access warned."""
    module = types.ModuleType(old, f"Deprecated module path: see :mod:`{new}`.")

    def __getattr__(name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            value = getattr(importlib.import_module(new), name)
        except AttributeError:
            raise AttributeError(f"module {old!r} has no attribute {name!r}") from None
        warnings.warn(f"{old}.{name}: import it from {new}", DeprecationWarning, stacklevel=2)
        return value

    module.__getattr__ = __getattr__
    module.__dir__ = lambda: dir(importlib.import_module(new))
    return module


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the old paths of :data:`MOVED` (``spincaloric.device`` …)."""

    def find_spec(self, fullname, path=None, target=None):
        package, _, name = fullname.rpartition(".")
        if package == __package__ and name in MOVED:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        name = spec.name.rpartition(".")[2]
        return forwarding_module(spec.name, f"{__package__}.{MOVED[name]}")

    def exec_module(self, module):
        """Nothing to run: the module forwards."""


def install() -> None:
    """Let the old paths import (once per interpreter)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())
