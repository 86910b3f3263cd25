"""The interface database reproduces Table I of Hatami et al. (2007) and its derived values."""

import math

import pytest

from spincaloric.constants import SEEBECK_BOUND
from spincaloric.materials import (
    UnknownInterfaceError,
    get_interface,
    load_interfaces,
    materials_table,
)

# Table I typed in again, independently of the data file: S/T (nV/K²), P' (%), P_S (%), η, η'
TABLE_I = {
    "Cu/Co(001)": (-13, 72, -8, 0.50, 0.03),
    "Cu/Co(001)*": (-34, 89, 43, 0.49, 0.06),
    "Cu/Co(110)": (-10, 6, -66, 0.67, -0.32),
    "Cu/Co(110)*": (-13, 85, 45, 0.63, 0.07),
    "Cu/Co(111)": (-15, 56, -6, 0.53, 0.13),
    "Cu/Co(111)*": (-15, 77, 17, 0.64, 0.13),
    "Cr/Au(001)": (7, 0, 0, None, None),
    "Cr/Au(001)*": (0, 0, 0, None, None),
    "Cr/Fe(001)": (22, -40, 48, 4.23, -4.27),
    "Cr/Fe(001)*": (7, -190, -9500, 3.25, -0.48),
    "Cr/Co(001)": (62, -111, -160, 3.03, -2.86),
    "Cr/Co(001)*": (23, -95, -92, 2.92, -0.86),
}


def test_all_rows_present():
    assert set(load_interfaces()) == set(TABLE_I)
    assert len(materials_table()) == 12


@pytest.mark.parametrize("name", sorted(TABLE_I))
def test_table_i_row_and_derived_quantities(name):
    s_t, pp, ps, eta, etap = TABLE_I[name]
    d = get_interface(name)
    assert d.seebeck_over_temperature == pytest.approx(s_t * 1e-9, abs=1e-15)
    assert d.polarization_derivative == pytest.approx(pp / 100, rel=1e-6, abs=0)
    assert d.seebeck_polarization == pytest.approx(ps / 100, rel=1e-6, abs=0)
    assert d.mixing == (None if eta is None else pytest.approx(eta, rel=1e-6, abs=0))
    assert d.mixing_derivative == (None if etap is None else pytest.approx(etap, rel=1e-6, abs=0))
    # derived by hand: P from P_S = (P' − P)/(1 − PP'), S(300 K), S↑,↓ = S(1 ± P')/(1 ± P)
    p = (pp / 100 - ps / 100) / (1 - ps / 100 * pp / 100)
    s = s_t * 1e-9 * 300
    assert d.polarization == pytest.approx(p, rel=1e-12, abs=1e-15)
    assert (d.seebeck_polarization == pytest.approx(
        (d.polarization_derivative - d.polarization)
        / (1 - d.polarization * d.polarization_derivative), rel=1e-10, abs=1e-12))
    assert d.seebeck(300.0) == pytest.approx(s, abs=1e-15)
    up, dn = d.spin_seebeck(300.0)
    assert up == pytest.approx(s * (1 + pp / 100) / (1 + p), abs=1e-15)
    assert dn == pytest.approx(s * (1 - pp / 100) / (1 - p), abs=1e-15)
    assert d.citation.startswith("Hatami")


def test_issue_example_values():
    d = get_interface("Cu/Co(111)*")
    assert round(d.polarization, 3) == 0.690
    assert round(d.seebeck(300.0) * 1e6, 2) == -4.50
    assert get_interface("Cr/Fe(001)*").polarization == pytest.approx(-0.5187, abs=1e-4)


def test_table_i_signs_agree_with_the_definitions_and_the_band_matching():
    """docs/physics.md §6: η > 0 (second law); 1 − P² = (1 − P'²)(1 − P_S²)/(1 − P_S P')², so
    |P| ≤ 1 iff |P'|, |P_S| lie on the same side of 1; P > 0 where Co's majority bands match
    Cu's, P < 0 where Cr matches the minority bands of Fe and Co (less so at the alloyed
    Cr/Fe interface); Cr/Au is spin-independent."""
    for d in load_interfaces().values():
        pp, ps, p = d.polarization_derivative, d.seebeck_polarization, d.polarization
        assert d.mixing is None or d.mixing > 0, d.name
        assert 1 - p**2 == pytest.approx((1 - pp**2) * (1 - ps**2) / (1 - ps * pp) ** 2,
                                         rel=1e-12, abs=1e-15), d.name
        assert (1 - pp**2) * (1 - ps**2) >= 0 and abs(p) <= 1, d.name
        family = d.name.split("(")[0]
        expected = {"Cu/Co": 1, "Cr/Fe": -1, "Cr/Co": -1, "Cr/Au": 0}[family]
        assert math.copysign(1, p) * (p != 0) == expected, d.name
    assert (get_interface("Cr/Fe(001)").polarization
            < get_interface("Cr/Fe(001)*").polarization < 0)


@pytest.mark.parametrize("name", sorted(TABLE_I))
def test_each_row_p_s_is_what_mott_per_channel_gives_from_its_contact(name):
    """P_S = (S↑ − S↓)/(S↑ + S↓) with S↑,↓ = −eL0T G'↑,↓/G↑,↓ read off the circuit contact that
    the row builds (G↑, G↓, their energy derivatives from P, P', S): the stored P_S back."""
    from spincaloric import ContactParameters
    from spincaloric.constants import ELEMENTARY_CHARGE, LORENZ

    d, temperature = get_interface(name), 300.0
    c = ContactParameters.from_paper(
        conductance=1e-2, polarization=d.polarization, mixing=d.mixing or 1.0,
        seebeck=d.seebeck(temperature), polarization_derivative=d.polarization_derivative,
        mixing_derivative=d.mixing_derivative or 1.0, temperature=temperature)
    s_up, s_dn = (-ELEMENTARY_CHARGE * LORENZ * temperature * dg / g
                  for dg, g in ((c.dg_up, c.g_up), (c.dg_down, c.g_down)))
    assert (s_up, s_dn) == pytest.approx(d.spin_seebeck(temperature), rel=1e-9, abs=1e-18)
    if d.seebeck_over_temperature == 0:  # Cr/Au(001)*: no thermopower at all
        assert s_up == s_dn == 0 and d.seebeck_polarization == 0
        return
    assert (s_up - s_dn) / (s_up + s_dn) == pytest.approx(d.seebeck_polarization, rel=1e-9,
                                                          abs=1e-12)


def test_cr_fe_dirty_p_s_comes_from_p_p_prime_close_to_one():
    """docs/physics.md §6: P_S = −95 because PP' = 0.9855 — the channel thermopowers are
    −3.93 and +4.01 µV/K at 300 K, nearly cancelling in their sum — and P is insensitive to it."""
    d = get_interface("Cr/Fe(001)*")
    p, pp, ps = d.polarization, d.polarization_derivative, d.seebeck_polarization
    assert p == pytest.approx(-0.5187, abs=5e-5)
    assert 1 - p * pp == pytest.approx(0.0145, abs=5e-5)
    assert 1 / p == pytest.approx(-1.93, abs=5e-3)
    up, dn = d.spin_seebeck(300.0)
    assert (up * 1e6, dn * 1e6) == pytest.approx((-3.93, 4.01), abs=5e-3)
    assert (up + dn) * 1e6 == pytest.approx(0.084, abs=5e-4)
    assert (up - dn) * 1e6 == pytest.approx(-7.94, abs=5e-3)
    assert max(abs(up), abs(dn)) < 0.03 * SEEBECK_BOUND  # no large spin thermopower
    assert (1 + pp) / (1 - pp) == pytest.approx(-0.31, abs=5e-3)  # G↑'/G↓': opposite signs
    # well conditioned for P, ill conditioned for P_S
    assert (pp**2 - 1) / (1 - ps * pp) ** 2 == pytest.approx(8.1e-5, abs=5e-7)
    pp2 = -1.92
    assert (pp2 - p) / (1 - p * pp2) == pytest.approx(-336, abs=1)
    # the experimental normalisation S_s/S (Dejene et al. 2012) of the same row
    assert (up - dn) / d.seebeck(300.0) == pytest.approx(2 * (pp - p) / (1 - p**2), rel=1e-12,
                                                          abs=0)
    assert (up - dn) / d.seebeck(300.0) == pytest.approx(-3.78, abs=5e-3)


def test_every_row_obeys_the_entropy_bound_at_room_temperature():
    for d in load_interfaces().values():
        values = [*d.spin_seebeck(300.0), d.mixing_seebeck(300.0) or 0.0]
        assert max(abs(v) for v in values) < SEEBECK_BOUND, d.name


def test_conductances_are_cited():
    cu_co = get_interface("Cu/Co(111)")
    assert cu_co.conductance_per_area == pytest.approx(0.80e15, rel=1e-6, abs=0)
    assert "Xia" in cu_co.conductance_citation
    for d in load_interfaces().values():
        if d.conductance_per_area is not None:
            assert d.conductance_citation and d.conductance_note


def test_unknown_interface_suggests_a_match():
    with pytest.raises(UnknownInterfaceError, match="did you mean 'Cu/Co\\(111\\)"):
        get_interface("Cu/Co(111")
    assert math.isfinite(get_interface("Cr/Au(001)").seebeck(10.0))


def test_bulk_database_entries_are_cited_and_physical():
    """Every bulk quantity carries a citation and lies in its physical range; the derived Py
    resistivity keeps the λρ product it was derived from."""
    from spincaloric.materials import BULK_QUANTITIES
    from spincaloric.materials.bulk import _load_bulk

    table = _load_bulk()
    assert {"Co", "Cu", "Py", "Fe", "Cr", "Au", "Pt"} <= set(table)
    for name, data in table.items():
        assert data.quantities, name
        for key, q in data.quantities.items():
            assert key in BULK_QUANTITIES and len(q.citation) > 10, (name, key)
        assert 1e-9 < data.value("resistivity") < 1e-5, name
        if data.value("spin_flip_length") is not None:
            assert 1e-10 < data.value("spin_flip_length") < 1e-5, name
        if data.kind == "normal":
            assert data.value("spin_asymmetry") is None and data.value("spin_seebeck") is None
        elif data.value("spin_asymmetry") is not None:
            assert 0 < data.value("spin_asymmetry") < 1, name
    py = table["Py"]
    assert py.value("resistivity") * py.value("spin_flip_length") == pytest.approx(
        0.91e-15, rel=0.01, abs=0)
    # S_s = P_S S with Dejene et al.'s P_S for the thin-film Seebeck coefficients
    assert py.value("spin_seebeck") / py.value("seebeck") == pytest.approx(0.25, rel=1e-9, abs=0)
    co = table["Co"]
    assert co.value("spin_seebeck") / co.value("seebeck") == pytest.approx(0.08, rel=1e-9, abs=0)


def test_bulk_material_asks_for_what_the_database_lacks():
    from spincaloric.errors import FieldError
    from spincaloric.materials import UnknownMaterialError, bulk_material

    cu = bulk_material("Cu", resistivity=3e-8)
    assert cu.resistivity == 3e-8 and cu.spin_flip_length == 200e-9 and cu.spin_asymmetry == 0
    py = bulk_material("Py")
    assert (py.spin_asymmetry, py.spin_seebeck) == (0.73, -4.5e-6)
    with pytest.raises(FieldError, match="Fe.spin_asymmetry: no sourced value"):
        bulk_material("Fe", spin_flip_length=8e-9)
    with pytest.raises(FieldError, match="Pt.spin_flip_length"):
        bulk_material("Pt")
    with pytest.raises(FieldError, match="colour: not a bulk-material parameter"):
        bulk_material("Cu", colour=1.0)
    with pytest.raises(UnknownMaterialError, match="did you mean 'Cu'"):
        bulk_material("Cuu")



def test_interface_contact_from_the_database():
    """InterfaceData.contact: G = (G/A) A and the table's P, S(T); an entry without a
    conductance per area needs one given."""
    from spincaloric.materials import get_interface, load_interfaces

    d = get_interface("Cu/Co(111)*")
    c = d.contact(1e-16, 300.0)
    total = c.g_up + c.g_down
    assert total == pytest.approx(d.conductance_per_area * 1e-16, rel=1e-12, abs=0)
    assert (c.g_up - c.g_down) / total == pytest.approx(d.polarization, rel=1e-12, abs=0)
    missing = [e for e in load_interfaces().values()
               if e.conductance_per_area is None and e.mixing is not None
               and e.mixing_derivative is not None]
    assert missing
    with pytest.raises(ValueError, match="conductance_per_area"):
        missing[0].contact(1e-16, 300.0)
    given = missing[0].contact(1e-16, 300.0, conductance_per_area=1e15)
    assert given.g_up + given.g_down == pytest.approx(0.1, rel=1e-12, abs=0)


def test_example_devices_that_borrow_a_conductance_say_from_where_and_why():
    """A contact whose interface row has no conductance per area of its own borrows another
    row's G/A: the device file must name that row and say why (no sourced value)."""
    import tomllib
    from pathlib import Path

    rows = load_interfaces()
    for path in sorted((Path(__file__).parent.parent / "examples" / "devices").glob("*.toml")):
        text = path.read_text()
        for contact in tomllib.loads(text).get("contacts", []):
            name, gpa = contact.get("interface"), contact.get("conductance_per_area")
            if name is None or gpa is None or rows[name].conductance_per_area is not None:
                continue
            sources = [k for k, d in rows.items() if d.conductance_per_area == gpa]
            assert sources, f"{path.name}: G/A {gpa} is no database row's"
            assert any(k.rstrip("*") in text for k in sources), f"{path.name}: names no source"
            assert "no conductance" in " ".join(text.lower().split()), f"{path.name}: no why"
