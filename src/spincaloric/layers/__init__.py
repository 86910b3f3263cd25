"""Diffusive layers as chains of circuit cells: multilayer pillars, lateral spin valves and the
Valet–Fert drift-diffusion closed form they are checked against."""

from .multilayer import (
    MAX_CELLS,
    SNAP,
    BulkMaterial,
    Interface,
    Layer,
    LayerHeat,
    Lead,
    add_layer,
    cell_widths,
    lateral_spin_valve,
    multilayer,
    nonlocal_resistances,
    series_seebeck,
    vertex_positions,
)

__all__ = ["MAX_CELLS", "SNAP", "BulkMaterial", "Interface", "Layer", "LayerHeat", "Lead",
           "add_layer", "cell_widths", "lateral_spin_valve", "multilayer",
           "nonlocal_resistances", "series_seebeck", "vertex_positions"]
