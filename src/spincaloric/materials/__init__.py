"""The materials databases: interfaces (Table I of Hatami et al., PRL 99, 066603 (2007);
:mod:`.interfaces`) and bulk metals for diffusive layers (:mod:`.bulk`), each value cited.

>>> round(get_interface("Cu/Co(111)*").polarization, 3)
0.69
"""

from .bulk import (
    BULK_QUANTITIES,
    BulkData,
    Measured,
    bulk_material,
    bulk_table,
    get_bulk,
    layer_heat,
)
from .interfaces import (
    InterfaceData,
    UnknownInterfaceError,
    UnknownMaterialError,
    get_interface,
    load_interfaces,
    lookup,
    materials_table,
)

__all__ = ["InterfaceData", "UnknownMaterialError", "UnknownInterfaceError", "get_interface",
           "load_interfaces", "lookup", "materials_table", "BULK_QUANTITIES", "BulkData",
           "Measured", "bulk_material", "bulk_table", "get_bulk", "layer_heat"]
