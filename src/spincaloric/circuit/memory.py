"""The memory a circuit needs, estimated before it is built, against what this machine has.

A device too large for the machine is refused with the figures (``layers.channel.cells:
10000000 cells need ~106 GB (more than the 24 GB available)``) instead of exhausting the
memory. Measured on diffusive chains of 10⁴–3 × 10⁵ cells (peak resident memory of ``check`` and
``solve``): building costs about :data:`NODE_BYTES` per node (its node and contact objects and
the circuit's arrays), and the sparse solve about :data:`UNKNOWN_BYTES` per unknown (assembly and
the LU factors of a chain). The dense torque maps of dynamic magnets
(:mod:`spincaloric.dynamics.torque_model`) take the Kirchhoff system padded to 8 unknowns
per node and assembled at 13 magnetizations (72 sample directions for a layer or internal magnet,
fitted on the sphere), the node states of every unit unknown and drive, and k q u (u + 3n) map
entries (q = 13 or 25 features); those of large layers are sparse
(:mod:`spincaloric.dynamics.sparse_maps`), linear in the cells.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from .device import DeviceError

#: Bytes per node of a built device (measured: 1.9–2.1 kB).
NODE_BYTES = 2100
#: Bytes per unknown of a sparse solve, beyond the built device (measured: 1.1–1.6 kB).
UNKNOWN_BYTES = 1700


def available_bytes() -> int | None:
    """Memory (bytes) this process can still take: the kernel's MemAvailable (free memory and
    reclaimable caches), else free physical pages (``os.sysconf``), within a cgroup limit if
    any; None when unknown (nothing is then refused)."""
    avail = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                avail = int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    if avail is None:
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, AttributeError):
            return None
    try:  # a container's limit (cgroup v2)
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            used = int(Path("/sys/fs/cgroup/memory.current").read_text())
            avail = min(avail, max(int(limit) - used, 0))
    except (OSError, ValueError):
        pass
    return avail


def solved_per_node(kind: str, regime: str) -> int:
    """Unknowns of one internal node of ``kind`` ("normal", "ferromagnet", "lattice") in
    ``regime``."""
    from .system import active_components

    stand_in = SimpleNamespace(regime=regime, ferromagnet=np.array([kind == "ferromagnet"]),
                               reservoir=np.array([False]), current_biased=np.array([False]),
                               temperature_state=np.array([False]),
                               lattice=np.array([kind == "lattice"]))
    return int(active_components(stand_in).sum())


def device_counts(device) -> tuple[int, int, int]:
    """(nodes, nodes with unknowns, unknowns) of a :class:`~spincaloric.circuit.device.Device` before
    it is finalized (a current-biased reservoir has one unknown, its voltage)."""
    per = {kind: solved_per_node(kind, device.regime)
           for kind in ("normal", "ferromagnet", "lattice")}
    unknown_nodes = unknowns = 0
    for spec in device.nodes.values():
        if not spec.reservoir:
            unknown_nodes += 1
            unknowns += per[spec.kind]
        elif spec.current is not None:
            unknown_nodes += 1
            unknowns += 1
    return len(device.nodes), unknown_nodes, unknowns


def circuit_bytes(nodes: int, unknowns: int) -> float:
    """Bytes to build and solve a circuit of ``nodes`` nodes and ``unknowns`` unknowns."""
    return NODE_BYTES * nodes + UNKNOWN_BYTES * unknowns


def torque_map_bytes(nodes: int, unknown_nodes: int, unknowns: int, magnets: int,
                     sampled: bool) -> float:
    """Bytes to build the torque maps of ``magnets`` dynamic magnets: ``sampled`` for a layer
    or internal magnet (72 sample directions, 25 features), else 13 features."""
    batch, q = (72, 25) if sampled else (13, 13)
    padded, columns = 8 * unknown_nodes, unknowns + 3 * nodes
    return 8.0 * (batch * (padded * (padded + 3 * nodes) + unknowns * padded + 3 * unknowns**2)
                  + magnets * q * unknowns * (columns + 3) + 8 * columns * (nodes + padded))


def physical_bytes() -> int | None:
    """The machine's physical memory (bytes); None where the system does not say."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def byte_size(n: float) -> str:
    """A byte count in words: "2.4 GB", "106 GB", "38 MB"."""
    value, unit = (n / 1e9, "GB") if n >= 1e9 else (n / 1e6, "MB")
    return f"{value:.2g} {unit}" if value < 10 else f"{value:.0f} {unit}"


def refuse_beyond_memory(field: str, what: str, need: float) -> None:
    """DeviceError(``field``, "<what> need ~X GB (more than the Y GB available)") when ``need``
    (bytes) exceeds :func:`available_bytes`."""
    avail = available_bytes()
    if avail is not None and need > avail:
        raise DeviceError(field, f"{what} need ~{byte_size(need)} (more than the "
                          f"{byte_size(avail)} "
                          "available)")


#: Dense torque maps of layers and internal magnets beyond this many bytes are built on the
#: circuit's sparse pattern (:mod:`spincaloric.dynamics.sparse_maps`): a dense solve costs u³
#: and its maps u², the sparse ones grow as u.
SPARSE_ABOVE = 2e8


def sparse_torque_map_bytes(nodes: int, contacts: int, unknowns: int, magnets: int,
                            entries: int | None = None) -> float:
    """Bytes to build the sparse torque maps of ``magnets`` dynamic layers: ``entries`` the
    pattern's non-zero entries of A and R (default: the most a chain of contacts has, 256 a
    contact); per sample direction the assembled values, the absorbed-current and pumping
    maps, and the fitted maps (25 features)."""
    q, samples = 25, 72
    entries = 256 * contacts if entries is None else entries
    return 8.0 * (samples * (entries + 3 * (unknowns + 3 * nodes) + 3 * unknowns)
                  + magnets * q * (entries + 3 * (unknowns + 3 * nodes) + 3 * unknowns)
                  + 8 * 64 * contacts + 64 * 8 * nodes)


def torque_maps_sparse(dense_bytes: float, sampled: bool, stores_heat: bool) -> bool:
    """Whether the torque maps are built sparse: those of layers or internal magnets
    (``sampled``) in a circuit without temperature states whose dense form would take more
    than :data:`SPARSE_ABOVE` bytes."""
    return sampled and not stores_heat and dense_bytes > SPARSE_ABOVE
