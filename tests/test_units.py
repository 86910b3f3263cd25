"""The units of device-file parameters come from one place: the fields of the format
(:func:`spincaloric.io.schema.quantity`). Sweeps and maps label their axes with them."""

import typing

import pytest
from pydantic import BaseModel

from spincaloric.io import schema
from spincaloric.io.paths import unit_of

#: numeric settings that are counts, switches or seeds, not physical quantities
NOT_QUANTITIES = {"n_save", "ensemble", "seed"}


def _numeric(annotation) -> bool:
    args = typing.get_args(annotation) or (annotation,)
    return any(a in (int, float) or typing.get_origin(a) in (list, dict) and set(
        typing.get_args(a)) <= {str, int, float} for a in args) and bool not in args


def _fields(model, seen=None):
    seen = set() if seen is None else seen
    if model in seen:
        return
    seen.add(model)
    for name, field in model.model_fields.items():
        yield model, name, field
        for arg in [field.annotation, *typing.get_args(field.annotation)]:
            for inner in [arg, *typing.get_args(arg)]:
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    yield from _fields(inner, seen)


def test_every_numeric_field_of_the_format_declares_one_unit():
    units, missing = {}, []
    for model, name, field in _fields(schema.DeviceFile):
        unit = (field.json_schema_extra or {}).get("unit")
        if unit is None:
            if _numeric(field.annotation) and name not in NOT_QUANTITIES:
                missing.append(f"{model.__name__}.{name}")
            continue
        units.setdefault(name, set()).add(unit)
    assert not missing, missing
    assert {n: u for n, u in units.items() if len(u) > 1} == {}, "one name, one unit"


def test_the_guard_sees_a_field_without_unit():
    class Planted(BaseModel):
        length: float = 1.0

    assert [name for _, name, f in _fields(Planted) if _numeric(f.annotation)
            and not (f.json_schema_extra or {}).get("unit")] == ["length"]


@pytest.mark.parametrize("key, unit", [
    ("nodes.left.voltage", "V"), ("left.temperature", "K"), ("contacts[1].conductance", "S"),
    ("contacts[0].dg_mix[1]", "S/J"), ("contacts[0].junction.resistance_area", "ohm m2"),
    ("free.magnet.saturation_magnetization", "A/m"), ("layers.free.magnet.damping", "1"),
    ("free.magnetization.theta", "deg"), ("spacer.hanle_field[2]", "T"),
    ("layers.channel.thermal_conductivity", "W/(m K)"), ("spectral.relaxation.island", "S"),
    ("spectral.nodes.island.density_of_states", "1/(J m3)"), ("temperature", "K"),
    ("drives.free.temperature.peak", "K"), ("drives.left.current.amplitude", "A"),
    ("drives.free.temperature.decay", "s"), ("free.heat.value", "W"),
    ("free.voltage.start", "s"), ("nodes.free.no_such_key", ""),
])
def test_unit_of_a_key_is_its_field_unit(key, unit):
    assert unit_of(key) == unit
