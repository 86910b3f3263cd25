"""Writing result files safely: atomically, all together, never over an input, one writer at a
time.

* :func:`write_together` writes every output of a command to a unique temporary beside its
  destination and renames them into place only once all of them succeeded — a failure leaves
  every existing file untouched and no temporary behind; a reader never sees a half-written file.
* :func:`output_problem` refuses an output that is one of the command's inputs, or that exists
  and is not to be replaced (``overwrite``), before any work is done.
* :func:`output_lock` holds an exclusive lock on an output for the length of a command, so that
  two processes writing the same file (or resuming the same map) cannot destroy each other's
  work: the second is refused with the PID of the first.

This module sits at the bottom of the package (it imports nothing of it) so that every layer
that writes files uses it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

__all__ = ["FORMAT_ATTRIBUTE", "FORMAT_VERSION", "OutputInUse", "atomic_write", "output_lock",
           "output_problem", "write_together"]

#: The dataset attribute of a result file (sweep, switching map, trajectory) that names the
#: version of its layout (docs/device-format.md, "Result files").
FORMAT_ATTRIBUTE = "spincaloric_format"
#: The layout written: every quantity one variable over ``node``, ``contact`` or ``magnet``
#: dimensions. A file without :data:`FORMAT_ATTRIBUTE` has layout 1, one variable per quantity
#: and owner (``free.voltage``), which :func:`spincaloric.io.results.columnar` reads.
FORMAT_VERSION = 2


class OutputInUse(OSError):
    """Another process holds the lock on an output file."""


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask  # the permissions of an ordinary new file, not mkstemp's 0600


def _temporary(path: Path, directory: bool) -> Path:
    """A new, unique temporary beside ``path`` (hidden, ending in ``.part``)."""
    parent = path.parent if str(path.parent) else Path(".")
    if directory:
        return Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=parent))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=parent)
    os.close(fd)
    os.chmod(tmp, _new_file_mode())
    return Path(tmp)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _put_in_place(tmp: Path, path: Path) -> None:
    """Rename ``tmp`` onto ``path``; a directory (a zarr store) replaces an existing one."""
    if tmp.is_dir() and path.exists():
        old = _temporary(path, directory=True)
        os.rmdir(old)
        os.replace(path, old)  # move the old store aside, then drop it once the new one is in
        os.replace(tmp, path)
        _remove(old)
    else:
        os.replace(tmp, path)


def write_together(outputs: Iterable[tuple[str | os.PathLike, Callable[[str], None], bool]]
                   ) -> None:
    """Write several outputs all or none.

    outputs : (path, writer, is_directory) triples; ``writer(tmp)`` writes the content to the
        temporary path ``tmp`` (an empty file, or an empty directory that the writer fills,
        e.g. a zarr store, when ``is_directory``).

    Every writer runs first, each on its own unique temporary; only when all succeeded are the
    temporaries renamed onto their paths. On any exception (or interrupt) the temporaries are
    removed and every destination keeps its previous content.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, writer, is_dir in outputs:
            path = Path(path)
            tmp = _temporary(path, is_dir)
            staged.append((tmp, path))
            writer(str(tmp))
        for tmp, path in staged:
            _put_in_place(tmp, path)
    finally:
        for tmp, _ in staged:
            if tmp.exists():
                _remove(tmp)


def atomic_write(path, writer: Callable[[str], None]) -> None:
    """Write one file atomically: ``writer(tmp)`` on a unique temporary beside ``path``, then a
    rename; on error nothing is left behind and an existing ``path`` is untouched."""
    write_together([(path, writer, False)])


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


#: Suffixes of the result datasets we write: netCDF files, or a zarr store (a directory).
DATASET_SUFFIXES = (".nc", ".nc4", ".cdf", ".zarr")


def dataset_suffix_problem(path) -> str | None:
    """Why ``path`` cannot name a result dataset (netCDF or a zarr store, by its suffix), or
    None."""
    if Path(path).suffix not in DATASET_SUFFIXES:
        return (f"{Path(path).name}: a result file is netCDF (.nc) or a zarr store (.zarr); "
                "name it so")
    return None


def output_problem(path, inputs: Iterable = (), overwrite: bool = False) -> str | None:
    """Why ``path`` cannot take an output (checked before the work, so that a bad path costs
    nothing and leaves nothing), or None.

    Refused: an empty path, a directory (unless it is a ``.zarr`` store to be overwritten), a
    missing or unwritable parent directory, one of the command's ``inputs``, and an existing
    file unless ``overwrite``.
    """
    if not str(path):
        return "empty path"
    p = Path(path)
    for given in inputs:
        if _same_file(p, Path(given)) or p.resolve() == Path(given).resolve():
            return f"{path} is an input of this command; refusing to write over it"
    if not p.parent.exists():
        return f"directory {p.parent} does not exist"
    if not os.access(p.parent, os.W_OK):
        return f"directory {p.parent} is not writable"
    if p.is_dir() and p.suffix != ".zarr":
        return f"{path} is a directory"
    if p.exists() and not overwrite:
        return f"{path} exists; pass --overwrite to replace it"
    return None


@contextlib.contextmanager
def output_lock(path):
    """Hold an exclusive lock on output ``path`` for the ``with`` block.

    The lock is ``flock`` on a hidden ``.NAME.lock`` file beside ``path`` holding the PID; it is
    released (and the file removed) on exit, and by the kernel if the process dies. Raises
    :class:`OutputInUse` naming the holder's PID if another process holds it.
    """
    path = Path(path)
    lock = path.with_name(f".{path.name}.lock")
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as err:
            os.close(fd)
            if err.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            try:
                holder = lock.read_text().strip() or "?"
            except OSError:
                holder = "?"
            raise OutputInUse(errno.EBUSY, f"{path} is in use by PID {holder} "
                              "(another spincaloric command is writing it)") from None
        try:  # the holder before us may have removed the file after we opened it: retry
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(fd)


def netcdf3_attributes(ds):
    """``ds`` with every attribute netCDF-3 can hold (SciPy's writer, used without the netCDF4
    library): whole numbers beyond 32 bits — a random seed up to 2⁶³ — as their decimal
    text; booleans as 0/1."""
    import numpy as np

    def fit(attrs: dict) -> dict:
        out = {}
        for key, value in attrs.items():
            if isinstance(value, (bool, np.bool_)):
                value = int(value)
            elif isinstance(value, (int, np.integer)) and not -2**31 <= value < 2**31:
                value = str(int(value))
            out[key] = value
        return out

    ds = ds.copy(deep=False)
    ds.attrs = fit(ds.attrs)
    for name in ds.variables:
        ds[name].attrs = fit(ds[name].attrs)
    return ds
