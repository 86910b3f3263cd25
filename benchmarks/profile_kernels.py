"""Where the compiled kernels spend their time: the write-error-rate job under ``perf``, with
the numba functions named.

Run (Linux, ``perf`` installed):

    perf record -F 2000 -o perf.data python benchmarks/profile_kernels.py --repeat 40
    perf report -i perf.data --no-children --sort symbol | grep spincaloric

numba compiles into anonymous memory, which ``perf report`` cannot name; this script compiles
the kernels in its own process (into a fresh cache directory, so that the object code is at
hand) and writes ``/tmp/perf-PID.map``, the symbol map ``perf report`` reads for such code:
every function of the ensemble kernel and of the functions it calls, at the address the JIT
gave it (``nm`` lists each one's size in the object code). Inlined functions appear as part
of their caller. The job: ``thermal_switching_pillar.toml`` (series in m·p, laser drive,
Brown's field, spin pumping unless ``--no-pumping``), 1024 trajectories to 8 ns at 1 ps,
``--repeat`` times after the compilation; the compilation's own samples are in the profile
too (LLVM's symbols), the kernels' shares are read against each other.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _libraries(library, found: dict) -> None:
    """``library`` and the code libraries linked into it, recursively, into ``found``."""
    if id(library) in found:
        return
    found[id(library)] = library
    for linked in getattr(library, "_linking_libraries", ()):
        _libraries(linked, found)


def write_perf_map(dispatchers, path: Path | None = None) -> int:
    """Write the perf symbol map (``/tmp/perf-PID.map``: start, size, name, hexadecimal) of
    every function compiled for ``dispatchers`` in this process; returns how many."""
    found: dict = {}
    for dispatcher in dispatchers:
        for result in dispatcher.overloads.values():
            _libraries(result.library, found)
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        obj = Path(tmp) / "kernel.o"
        for library in found.values():
            try:
                obj.write_bytes(library._get_compiled_object())
            except (RuntimeError, ValueError):  # from a cache, or a wrapper not cached
                continue
            listing = subprocess.run(["nm", "-S", "--defined-only", str(obj)],
                                     capture_output=True, text=True, check=True).stdout
            engine = library.codegen._engine
            for row in listing.splitlines():
                parts = row.split()
                if len(parts) == 4 and parts[2] in "TtWw":
                    address = engine.get_function_address(parts[3])
                    if address:
                        lines.append(f"{address:x} {parts[1]} {parts[3]}\n")
    (path or Path(f"/tmp/perf-{os.getpid()}.map")).write_text("".join(lines))
    return len(lines)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20, help="runs of the job after compiling")
    ap.add_argument("--no-pumping", action="store_true", help="the job without spin pumping")
    args = ap.parse_args(argv)
    if "NUMBA_CACHE_DIR" not in os.environ:  # compile here: the object code is then kept
        os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="numba-profile-")
        os.execv(sys.executable, [sys.executable, *sys.argv])
    sys.path.insert(0, str(Path(__file__).parent))
    from bench_driven import simulation

    from spincaloric.dynamics import ensemble
    from spincaloric.dynamics.simulation import Simulation

    base = simulation("thermal_switching_pillar.toml", 8e-9, True)
    sim = Simulation(base.circuit, base.magnets, base.drives, pumping=not args.no_pumping,
                     tabulate=True)
    sim.run(1e-10, n_save=2, ensemble=64, temperature_noise=True, dt=1e-12)  # compile
    print(f"{write_perf_map([ensemble.integrate_ensemble])} functions mapped", file=sys.stderr)
    start = time.perf_counter()
    for _ in range(args.repeat):
        sim.run(8e-9, n_save=2, ensemble=1024, temperature_noise=True, dt=1e-12)
    seconds = time.perf_counter() - start
    print(f"{1024 * args.repeat / seconds:.0f} trajectories/s "
          f"({seconds / (1024 * args.repeat * 8000) * 1e9:.1f} ns a lane-step)")


if __name__ == "__main__":
    main()
