"""numba keys each cached kernel to the source of its own module only.

A kernel compiled with another module's functions inside it (the integrators with the torque
map of :mod:`.circuit_lanes`, the lane kernels with the expressions of :mod:`.kernels`) would
load stale machine code after that other module alone changed (an editable install updated
from version control). :func:`refresh_stale_cache` keeps a digest of such a source beside
numba's cache and, when it differs, removes the module's cached kernels, to be compiled again
on first use.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def refresh_stale_cache(dispatcher, prefix: str, source) -> None:
    """Drop the cached kernels ``prefix.*`` (numba's index and code files of the module
    ``prefix`` whose kernel ``dispatcher`` names the cache directory) when the file of the
    module ``source`` changed since they were cached; its digest lives in
    ``prefix.<source's name>-source.sha256``. A cache that cannot be read or written, or
    another numba without the attribute, is left alone."""
    try:
        cache = Path(dispatcher._cache._cache_path)  # numba's FunctionCache
        digest = hashlib.sha256(Path(source.__file__).read_bytes()).hexdigest()
        name = source.__name__.rsplit(".", 1)[-1]
        stamp = cache / f"{prefix}.{name}-source.sha256"
        if stamp.is_file() and stamp.read_text() == digest:
            return
        for old in (*cache.glob(f"{prefix}.*.nbi"), *cache.glob(f"{prefix}.*.nbc")):
            old.unlink(missing_ok=True)
        cache.mkdir(parents=True, exist_ok=True)
        stamp.write_text(digest)
    except (AttributeError, OSError):
        pass
