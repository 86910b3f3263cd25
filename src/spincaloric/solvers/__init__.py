"""Solvers of a finalized circuit, interchangeable back ends of :meth:`Circuit.solve
<spincaloric.circuit.device.Circuit.solve>`: linear response (dense batched, sparse LU) and the
energy-resolved solver."""

from . import linear  # noqa: F401  (registers "auto", "dense" and "sparse")
