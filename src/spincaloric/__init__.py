"""spincaloric: thermoelectric magnetoelectronic circuit theory and thermal spin-transfer torques.

Build a device (in code with :class:`Device`, or from a TOML file with :func:`load_device`),
finalize it into an immutable :class:`Circuit`, and solve it, batched over magnetizations and
biases. Conventions and units: SI throughout; see the documentation's physics page.
"""

from .contacts import ContactParameters
from .device import Circuit, Device, DeviceError
from .solution import Solution

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
    from .io import load_device as _load

    return _load(path)
