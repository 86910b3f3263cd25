"""A device too large for the machine's memory is refused, with the figures, before it is
built (instead of exhausting the memory in ``check``)."""

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from spincaloric.circuit import memory
from spincaloric.circuit.device import DeviceError
from spincaloric.cli import main

EXAMPLES = Path(__file__).parent.parent / "examples" / "devices"
CHANNEL = """
title = "a long Cu channel"
temperature = 300.0
[nodes.left]
type = "normal"
reservoir = true
voltage = 1e-3
[nodes.right]
type = "normal"
reservoir = true
[layers.channel]
material = "Cu"
length = 1e-6
area = 1e-14
cells = {cells}
start = "left"
end = "right"
"""
FREE_LAYER_MAGNET = """
[layers.free.magnet]
saturation_magnetization = 1.1e6
damping = 0.01
anisotropy_field = 1.68
demagnetizing_factors = [0, 0, 1]
"""


def errors(result):
    return [line for line in result.output.splitlines() if line.startswith("error")]


def test_this_machine_reports_its_memory():
    avail = memory.available_bytes()
    assert avail is None or avail > 0


def test_ten_million_cells_are_refused_at_once_naming_the_layer(tmp_path, monkeypatch):
    monkeypatch.setattr(memory, "available_bytes", lambda: 24e9)
    device = tmp_path / "channel.toml"
    device.write_text(CHANNEL.format(cells=10_000_000))
    start = time.monotonic()
    r = CliRunner().invoke(main, ["check", str(device)])
    assert time.monotonic() - start < 10  # nothing of the 10⁷ cells was built
    assert r.exit_code == 2
    need = memory.circuit_bytes(10_000_001, 5 * 9_999_999 + 10)
    assert need > 24e9
    assert errors(r) == [f"error: {device}: layers.channel.cells: 10000000 cells need "
                         f"~{need / 1e9:.0f} GB (more than the 24 GB available)"]


def test_a_layer_beyond_the_available_memory_is_refused_and_one_within_is_built(tmp_path,
                                                                               monkeypatch):
    """2 × 10⁵ cells (1.5 GB measured to solve) with 100 MB available; 2 × 10³ cells pass."""
    monkeypatch.setattr(memory, "available_bytes", lambda: 100e6)
    big, small = tmp_path / "big.toml", tmp_path / "small.toml"
    big.write_text(CHANNEL.format(cells=200_000))
    small.write_text(CHANNEL.format(cells=2_000))
    r = CliRunner().invoke(main, ["check", str(big), str(small)])
    assert r.exit_code == 2
    assert errors(r) == [f"error: {big}: layers.channel.cells: 200000 cells need ~2.1 GB (more "
                         "than the 100 MB available)"]
    assert f"ok: {small}" in r.output


def test_torque_maps_beyond_the_available_memory_are_refused(tmp_path, monkeypatch):
    """The torque maps of a dynamic layer are dense in the unknowns: check refuses them
    (naming the layer's magnet table) when they cannot fit, and so does the API."""
    from spincaloric.dynamics.simulation import DynamicsError, Simulation
    from spincaloric.io import load_spec

    device = tmp_path / "pillar.toml"
    device.write_text((EXAMPLES / "pillar_thick_layers.toml").read_text() + FREE_LAYER_MAGNET)
    assert CliRunner().invoke(main, ["check", str(device)]).exit_code == 0
    spec = load_spec(device)
    circuit = spec.device.finalize()
    need = memory.torque_map_bytes(circuit.n_nodes, len(circuit.unknown_nodes),
                                   circuit.n_unknowns, 1, True)
    assert 2e7 < need < 1e9
    monkeypatch.setattr(memory, "available_bytes", lambda: need / 2)
    r = CliRunner().invoke(main, ["check", str(device)])
    assert r.exit_code == 2
    assert errors(r) == [f"error: {device}: layers.free.magnet: the torque maps of 1 dynamic "
                         f"magnet over {circuit.n_unknowns} unknowns need ~{need / 1e6:.0f} MB "
                         f"(more than the {need / 2e6:.0f} MB available)"]
    with pytest.raises(DynamicsError, match=r"layers\.free\.magnet: the torque maps"):
        _ = Simulation(circuit, spec.magnets).model  # the maps are built on first use
    with pytest.raises(DeviceError, match=r"layers\.free\.magnet"):
        load_spec(device)


def test_an_ensemble_whose_magnetizations_exceed_the_memory_is_refused_before_it_runs(
        tmp_path, monkeypatch):
    """A billion trajectories keep 24 (n_save + 2) bytes each of one magnet's magnetization:
    beyond the memory available the run is refused naming the ensemble (the system's
    out-of-memory killer ended it silently at 24 GB), through the API and a device file's
    check alike; within it, the run goes ahead."""
    from spincaloric.dynamics import simulation
    from spincaloric.dynamics.simulation import DynamicsError, run_settings

    monkeypatch.setattr(simulation, "available_bytes", lambda: 24e9)
    with pytest.raises(DynamicsError, match=r"^ensemble: 1000000000 trajectories of 2 saved "
                       r"instants keep ~96 GB of magnetizations, more than the 24 GB of memory "
                       r"available: fewer trajectories"):
        run_settings(3e-9, ensemble=10**9, n_save=2)
    assert run_settings(3e-9, ensemble=10**8, n_save=2)[2] == 10**8  # 9.6 GB
    pillar = Path(__file__).parent.parent / "examples" / "devices" / "pillar_write_pulse.toml"
    device = tmp_path / "pillar.toml"
    device.write_text(pillar.read_text().replace("n_save = 501",
                                                 "n_save = 2\nensemble = 100000000"))
    monkeypatch.setattr(simulation, "available_bytes", lambda: 4e9)
    r = CliRunner().invoke(main, ["check", str(device)])
    assert r.exit_code == 2
    assert "simulation.ensemble: 100000000 trajectories of 2 saved instants keep ~9.6 GB" \
        in errors(r)[0]
