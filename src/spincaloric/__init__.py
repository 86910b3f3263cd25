"""spincaloric: thermoelectric magnetoelectronic circuit theory and thermal spin-transfer torques.

Build a device (in code with :class:`Device`, or from a TOML file with :func:`load_device`),
finalize it into an immutable :class:`Circuit`, and solve it, batched over magnetizations and
biases. Conventions and units: SI throughout; see the documentation's physics page.
"""

from . import solvers  # noqa: F401  (importing the solvers registers their back ends)
from .circuit.contacts import ContactParameters
from .circuit.device import Circuit, Device, DeviceError
from .circuit.solution import Solution
from .moved import install as _install_moved_paths

_install_moved_paths()

__version__ = "0.1.0"
__all__ = [
    "Circuit",
    "ContactParameters",
    "Device",
    "DeviceError",
    "Solution",
    "__version__",
    "load_device",
]


def load_device(path):
    """Read and validate a device file (TOML, see device-format docs) into a :class:`Device`.

    Raises :class:`DeviceError` (``field: reason``) for invalid content, and for an unreadable
    file one that is also an ``OSError``.
    """
    from .io.devicefile import load_device as _load

    return _load(path)
