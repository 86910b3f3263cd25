"""Heat capacities and electron-phonon coupling of the bulk database: every entry cited, and
each number checked against physics that would expose a wrong unit, a wrong molar volume or a
misread exponent."""

import math

import pytest

from spincaloric.materials import BULK_QUANTITIES, bulk_material, bulk_table, get_bulk
from spincaloric.materials.bulk import _load_bulk

KB = 1.380649e-23  # J/K
THERMAL = ("electron_heat_capacity_coefficient", "lattice_heat_capacity",
           "electron_phonon_coupling")

# Atoms per m^3 from the Kittel (Introduction to Solid State Physics, ch. 1) concentrations,
# independent of the CRC densities the database's heat capacities were derived with.
ATOM_DENSITY = {"Cu": 8.45e28, "Ag": 5.85e28, "Au": 5.90e28, "Al": 6.02e28, "Pt": 6.62e28,
                "Ni": 9.14e28, "Co": 8.97e28, "Fe": 8.50e28, "Cr": 8.33e28}


def test_thermal_quantities_have_units_and_every_entry_is_cited():
    assert BULK_QUANTITIES["electron_heat_capacity_coefficient"] == "J/(m^3 K^2)"
    assert BULK_QUANTITIES["lattice_heat_capacity"] == "J/(m^3 K)"
    assert BULK_QUANTITIES["electron_phonon_coupling"] == "W/(m^3 K)"
    found = 0
    for name, data in _load_bulk().items():
        for key in THERMAL:
            q = data.quantities.get(key)
            if q is None:
                continue
            found += 1
            assert q.value > 0 and math.isfinite(q.value), (name, key)
            assert 0 <= q.temperature <= 400, (name, key)
            assert len(q.citation) > 20, (name, key)
            if q.citation.startswith("derived"):
                assert "=" in q.citation, (name, key)  # the arithmetic is stated
    assert found >= 20
    for name in ("Cu", "Au", "Ag", "Al", "Pt", "Co", "Ni", "Fe"):
        d = get_bulk(name)
        assert d.value("electron_heat_capacity_coefficient") is not None, name
        assert d.value("lattice_heat_capacity") is not None, name


def test_listing_carries_the_thermal_quantities_and_leaves_unsourced_ones_empty():
    rows = {r["name"]: r for r in bulk_table()}
    assert rows["Cu"]["electron_phonon_coupling"] == pytest.approx(1.15e17, rel=1e-12, abs=0)
    assert rows["Py"]["electron_heat_capacity_coefficient"] is None  # no source: not invented
    assert rows["Au"]["electron_phonon_coupling"] is None


def test_bulk_material_is_unchanged_by_the_thermal_data():
    """The thermal quantities are database values, not layer parameters: bulk_material refuses
    them as overrides and builds the same layer as before."""
    from spincaloric.errors import FieldError

    cu = bulk_material("Cu")
    assert (cu.resistivity, cu.spin_flip_length, cu.thermal_conductivity) == (1.68e-8, 2e-7, None)
    with pytest.raises(FieldError, match="lattice_heat_capacity: not a bulk-material parameter"):
        bulk_material("Cu", lattice_heat_capacity=3e6)
    with pytest.raises(FieldError, match="Ag.spin_flip_length: no sourced value"):
        bulk_material("Ag")


@pytest.mark.parametrize("name", ["Cu", "Au", "Ag", "Al"])
def test_sommerfeld_coefficient_of_free_electron_metals(name):
    """gamma_e against the free-electron gamma = pi^2 k_B^2 nu / 3 from the database's density of
    states. Their ratio is the thermal mass m_th/m = (1 + lambda_ep) m_band/m: the electron-phonon
    enhancement lambda_ep (0.1-0.4 in these metals) dressing a band mass near 1 (s-d
    hybridisation below E_F in Cu, Au; band gaps at the zone faces in Al), so 0.9-1.6 and never
    the factor 5-15 of the d-band transition metals or a unit slip of 10^3."""
    d = get_bulk(name)
    free = math.pi**2 * KB**2 * d.value("density_of_states") / 3
    ratio = d.value("electron_heat_capacity_coefficient") / free
    assert 0.9 < ratio < 1.6, (name, ratio)


def test_transition_metals_store_heat_in_their_d_bands():
    """Pt, Ni, Co, Fe: a partly filled d band at E_F makes gamma_e several times that of Cu."""
    cu = get_bulk("Cu").value("electron_heat_capacity_coefficient")
    for name in ("Pt", "Ni", "Co", "Fe"):
        assert get_bulk(name).value("electron_heat_capacity_coefficient") > 5 * cu, name


@pytest.mark.parametrize("name", sorted(ATOM_DENSITY))
def test_lattice_heat_capacity_obeys_dulong_petit_at_room_temperature(name):
    """At 300 K, above or near the Debye temperatures of these metals, c_p -> 3 n k_B (plus the
    small electronic and dilation terms): within 15 %."""
    c_p = get_bulk(name).quantities["lattice_heat_capacity"]
    assert 290 <= c_p.temperature <= 310
    dulong_petit = 3 * ATOM_DENSITY[name] * KB
    assert c_p.value == pytest.approx(dulong_petit, rel=0.15, abs=0)


def test_electron_phonon_time_is_picoseconds():
    """tau_ep = C_e / g_ep = gamma_e T / g_ep at 300 K: the sub-picosecond to picosecond
    electron-lattice equilibration seen in pump-probe experiments (0.1-10 ps)."""
    checked = 0
    for name, data in _load_bulk().items():
        g = data.value("electron_phonon_coupling")
        if g is None:
            continue
        gamma = data.value("electron_heat_capacity_coefficient")
        assert gamma is not None, name
        tau = gamma * 300.0 / g
        assert 0.1e-12 < tau < 10e-12, (name, tau)
        checked += 1
    assert checked >= 2
