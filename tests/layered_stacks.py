"""Illustrative Co and Cu bulk parameters, their interface, and a Co|Cu|Co pillar of diffusive
layers (shared by several test modules)."""

from __future__ import annotations

from spincaloric import ContactParameters
from spincaloric.layers import BulkMaterial, Interface, Layer, Lead, multilayer

T = 300.0
CO = BulkMaterial(resistivity=60e-9, spin_flip_length=60e-9, spin_asymmetry=0.46,
                  seebeck=-20e-6, spin_seebeck=-4e-6)
CU = BulkMaterial(resistivity=6e-9, spin_flip_length=350e-9, seebeck=1.8e-6)
CO_CU = Interface(ContactParameters.from_paper(conductance=2e-2, polarization=0.5, mixing=0.7,
                                               seebeck=-4.5e-6, polarization_derivative=0.77,
                                               mixing_derivative=0.13, temperature=T))


def pillar(cells: int, cell=1e-9):
    """Co fixed | Cu | Co free layer of ``cells`` cells of ``cell`` (m) | Cu lead, 1 mV and a
    2 K hotter left lead."""
    return multilayer([Lead("left", voltage=-1e-3, temperature=T + 2),
                       Layer("fixed", CO, 10e-9, cells=3, magnetization=(0, 0, 1)), CO_CU,
                       Layer("spacer", CU, 5e-9, cells=2), CO_CU,
                       Layer("free", CO, cells * cell, cells=cells, magnetization=(1, 0, 0)),
                       CO_CU, Lead("right")], area=1e-16, temperature=T).finalize()
