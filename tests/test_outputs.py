"""No lost data: outputs are written all or none, never over an input, never over an existing
file unless --overwrite, and one process at a time (real processes)."""

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from processes import interruptible
from spincaloric.cli import main

ROOT = Path(__file__).parent.parent
VALVE = ROOT / "examples" / "devices" / "valve_thermal.toml"
PILLAR = ROOT / "examples" / "devices" / "thermal_switching_pillar.toml"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def one_error(res, *words):
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()  # a compiling notice or progress may come first
    errors = [ln for ln in lines if ln.startswith("error:")]
    assert len(errors) == 1 and lines[-1] == errors[0], res.stderr
    assert "Traceback" not in res.output
    for w in words:
        assert w in errors[0], errors[0]


@pytest.fixture
def device(tmp_path):
    path = tmp_path / "dev.toml"
    path.write_text(VALVE.read_text())
    return path


def test_a_sweep_never_writes_over_its_own_input(device):
    before = device.read_text()
    one_error(cli("sweep", device, "--vary", "right.voltage=0,1e-6", "-o", device, "--overwrite"),
              "--output", "input")
    assert device.read_text() == before


def test_an_existing_output_is_replaced_only_with_overwrite(device, tmp_path):
    out = tmp_path / "s.nc"
    out.write_bytes(b"precious")
    args = ["sweep", device, "--vary", "right.voltage=0,1e-6", "-o", out]
    one_error(cli(*args), "--output", "exists", "--overwrite")
    assert out.read_bytes() == b"precious"
    assert cli(*args, "--overwrite").exit_code == 0
    assert out.read_bytes() != b"precious"


def test_plot_refuses_to_draw_over_its_input(device, tmp_path):
    out = tmp_path / "s.nc"
    assert cli("sweep", device, "--vary", "right.voltage=0,1e-6,2e-6", "-o", out).exit_code == 0
    one_error(cli("plot", out, "-o", out, "--overwrite"), "input")
    png = tmp_path / "s.png"
    png.write_bytes(b"old figure")
    one_error(cli("plot", out, "-o", png), "exists")
    assert cli("plot", out, "-o", png, "--overwrite").exit_code == 0


@pytest.mark.slow
def test_a_failing_figure_keeps_the_old_trajectory_file(tmp_path, monkeypatch):
    """`run -o old.nc --plot fig.png --overwrite` on a full disk: the figure cannot be written,
    so nothing is — old.nc keeps its content (it was replaced, then deleted)."""
    import matplotlib.figure

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", full_disk)
    old = tmp_path / "old.nc"
    old.write_bytes(b"precious run")
    res = cli("run", PILLAR, "--until", "0.2ns", "-o", old, "--plot", tmp_path / "fig.png",
              "--overwrite")
    one_error(res, "No space left on device")
    assert old.read_bytes() == b"precious run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.nc"]


@pytest.mark.slow
def test_concurrent_sweeps_to_one_zarr_store(device, tmp_path):
    """Two sweeps writing one store at once: the second is refused naming the first's PID
    (they shared a temporary and destroyed each other's store, both exiting 0)."""
    out = tmp_path / "z.zarr"
    cmd = [sys.executable, "-m", "spincaloric", "sweep", str(device), "--vary",
           "right.magnetization.theta=0:180:200001", "-o", str(out)]
    first = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    lock = tmp_path / ".z.zarr.lock"
    t0 = time.monotonic()
    while not lock.exists() and time.monotonic() - t0 < 30:
        time.sleep(0.05)
    second = subprocess.run(cmd + ["--overwrite"], capture_output=True, text=True)
    first_err = first.communicate(timeout=120)[1]
    assert first.returncode == 0, first_err
    assert second.returncode == 2
    assert f"in use by PID {first.pid}" in second.stderr
    import xarray as xr

    assert xr.open_zarr(out)["right.magnetization.theta"].size == 200001
    assert not [p for p in tmp_path.iterdir() if p.name.endswith((".part", ".lock"))]


@pytest.mark.slow
def test_an_interrupted_sweep_leaves_no_file_and_no_temporary(device, tmp_path):
    out = tmp_path / "s.nc"
    cmd = [sys.executable, "-m", "spincaloric", "sweep", str(device), "--vary",
           "right.magnetization.theta=0:180:400001", "-o", str(out)]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    time.sleep(2.5)
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert proc.returncode != 0 or out.exists()  # finished first on a fast machine: whole file
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in ("dev.toml", "s.nc")]
    assert leftovers == []


@pytest.mark.parametrize("command", ["check", "solve"])
def test_a_directory_among_the_files_does_not_stop_the_good_ones(command, tmp_path):
    """Each bad path gets its own error line; the good files are still processed (click
    refused the whole command before any file was checked)."""
    res = cli(command, VALVE, tmp_path, tmp_path / "missing.toml", VALVE)
    assert res.exit_code == 2
    errors = res.stderr.strip().splitlines()
    assert errors == [f"error: {tmp_path}: {tmp_path.name} is not a regular file (a "
                      "device, a pipe or a directory)",
                      f"error: {tmp_path / 'missing.toml'}: No such file or directory"]
    assert res.stdout.count(str(VALVE)) == 2


def test_a_missing_device_file_is_named_by_the_api(tmp_path):
    """load_device names the file it could not read (the CLI prefixes its line with it)."""
    from spincaloric import DeviceError, load_device

    missing = tmp_path / "missing.toml"
    with pytest.raises(DeviceError) as err:
        load_device(missing)
    assert err.value.field == "<file>" and isinstance(err.value, OSError)
    assert str(err.value) == f"<file>: No such file or directory ({missing})"


def test_a_device_file_with_a_byte_order_mark_reads_as_without(tmp_path):
    """Editors that save UTF-8 with a byte-order mark: the file solves as the file without it
    (the mark made line 1 an 'Invalid statement')."""
    marked = tmp_path / "marked.toml"
    marked.write_bytes(b"\xef\xbb\xbf" + VALVE.read_bytes())
    res = cli("solve", "--json", marked)
    assert res.exit_code == 0, res.stderr
    plain = cli("solve", "--json", VALVE)
    assert json.loads(res.stdout)["reservoirs"] == json.loads(plain.stdout)["reservoirs"]


def test_figures_are_written_in_the_format_their_suffix_names(device, tmp_path):
    """`plot -o fig.pdf` writes a PDF (it wrote PNG data under any name); an unknown suffix is
    refused before any work; a misspelt --variable names its close match."""
    out = tmp_path / "s.nc"
    assert cli("sweep", device, "--vary", "right.voltage=0,1e-6,2e-6", "-o", out).exit_code == 0
    for suffix, magic in ((".pdf", b"%PDF"), (".svg", b"<?xml"), (".png", b"\x89PNG")):
        res = cli("plot", out, "-o", tmp_path / f"f{suffix}")
        assert res.exit_code == 0, res.output
        assert (tmp_path / f"f{suffix}").read_bytes().startswith(magic)
    one_error(cli("plot", out, "-o", tmp_path / "f.jpg"), "--output", "png, pdf, svg", ".jpg")
    one_error(cli("run", PILLAR, "--until", "1ps", "--plot", tmp_path / "r.gif"), "--plot")
    assert not (tmp_path / "f.jpg").exists()
    one_error(cli("plot", out, "-o", tmp_path / "g.png", "--variable", "right.torqe"),
              "did you mean right.torque?")


@pytest.mark.slow
def test_sigterm_stops_a_map_like_ctrl_c(tmp_path):
    """A map stopped by SIGTERM (a batch system's time limit) says so, exits 143 (128 +
    SIGTERM, as batch systems expect; Ctrl-C's is 130), keeps its finished chunks for --resume
    and leaves no lock or temporary behind."""
    out = tmp_path / "m.nc"
    cmd = [sys.executable, "-m", "spincaloric", "map", str(PILLAR), "--vary",
           "drives.free.temperature.peak=10:60:400", "-o", str(out), "--no-progress"]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    t0 = time.monotonic()
    while not (tmp_path / "m.nc.chunks").exists() and time.monotonic() - t0 < 600:
        time.sleep(0.1)  # a loaded machine may take minutes to compile the kernels
    assert (tmp_path / "m.nc.chunks").exists(), "the map never started its chunk store"
    while not any((tmp_path / "m.nc.chunks").glob("chunk_*.npz")) \
            and time.monotonic() - t0 < 600:
        time.sleep(0.1)  # a finished chunk to keep
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=30)[1]
    assert proc.returncode == 143 and err.strip().splitlines()[-1] == "error: interrupted", err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.nc.chunks"]


def test_names_the_user_gets_wrong():
    """An unknown bulk material lists the known ones when none is close; a drive's value
    varied without its drives. prefix points to it; a map's default chunk spreads the points
    over the workers."""
    from spincaloric.io.paths import resolve_key
    from spincaloric.materials import UnknownMaterialError, get_bulk
    from spincaloric.studies.maps import default_chunk

    with pytest.raises(UnknownMaterialError, match=r"'permalloy' \(known: Ag, Al, Au, .*Py\)"):
        get_bulk("permalloy")
    import tomllib

    data = tomllib.loads(PILLAR.read_text())
    with pytest.raises(ValueError, match=r"did you mean drives\.free\.temperature\.peak\?"):
        resolve_key(data, "free.temperature.peak")
    assert default_chunk(12, 2) == 1 and default_chunk(100, 2) == 5 and default_chunk(10_000) == 16


@pytest.mark.slow
def test_two_maps_of_one_output_do_not_race(tmp_path):
    """A second `map --resume` of an output that a running map writes is refused naming the
    first's PID (both resumed the same chunk store)."""
    out = tmp_path / "m.nc"
    cmd = [sys.executable, "-m", "spincaloric", "map", str(PILLAR), "--vary",
           "drives.free.temperature.peak=10:60:400", "-o", str(out), "--no-progress"]
    first = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, preexec_fn=interruptible)
    try:
        t0 = time.monotonic()
        while not (tmp_path / ".m.nc.lock").exists() and time.monotonic() - t0 < 60:
            time.sleep(0.05)
        second = subprocess.run(cmd + ["--resume"], capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert f"in use by PID {first.pid}" in second.stderr
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
