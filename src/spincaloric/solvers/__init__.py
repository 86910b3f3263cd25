"""Solvers of a finalized circuit, interchangeable back ends of :meth:`Circuit.solve
<spincaloric.circuit.device.Circuit.solve>`: linear response (dense batched, sparse LU) and the
energy-resolved solver."""

# importing a solver registers its back ends: "auto", "dense", "sparse"; "spectral"
from . import linear, spectral  # noqa: F401
