"""Outputs are written all or none, never over an input or an existing file unasked, and one
process at a time (real processes for the lock)."""

import os
import subprocess
import sys
import textwrap
import time

import pytest

from spincaloric.files import OutputInUse, output_lock, output_problem, write_together


def _write(text):
    def writer(tmp):
        with open(tmp, "w") as f:
            f.write(text)
    return writer


def _fail(tmp):
    raise OSError(13, "Permission denied")


def test_a_failing_second_output_leaves_the_first_untouched(tmp_path):
    old = tmp_path / "old.nc"
    old.write_text("precious")
    with pytest.raises(OSError):
        write_together([(old, _write("new"), False), (tmp_path / "fig.png", _fail, False)])
    assert old.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.nc"]  # no temporaries left


def test_all_outputs_appear_together(tmp_path):
    a, b = tmp_path / "a.nc", tmp_path / "b.png"
    write_together([(a, _write("A"), False), (b, _write("B"), False)])
    assert a.read_text() == "A" and b.read_text() == "B"
    assert oct(a.stat().st_mode & 0o777) != oct(0o600)  # an ordinary file, not mkstemp's 0600


def test_directory_outputs_replace_the_old_store(tmp_path):
    store = tmp_path / "s.zarr"
    store.mkdir()
    (store / "old").write_text("x")

    def fill(tmp):
        (open(os.path.join(tmp, "new"), "w")).close()

    write_together([(store, fill, True)])
    assert sorted(p.name for p in store.iterdir()) == ["new"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.zarr"]


def test_interrupt_while_writing_leaves_nothing(tmp_path):
    def interrupted(tmp):
        raise KeyboardInterrupt
    with pytest.raises(KeyboardInterrupt):
        write_together([(tmp_path / "x.nc", interrupted, False)])
    assert list(tmp_path.iterdir()) == []


def test_output_problems(tmp_path):
    inp = tmp_path / "dev.toml"
    inp.write_text("")
    assert "input" in output_problem(inp, inputs=[inp], overwrite=True)
    assert "input" in output_problem(tmp_path / "." / "dev.toml", inputs=[str(inp)],
                                     overwrite=True)
    assert "--overwrite" in output_problem(inp)
    assert output_problem(inp, overwrite=True) is None
    assert "does not exist" in output_problem(tmp_path / "no" / "x.nc")
    assert "directory" in output_problem(tmp_path)
    assert output_problem(tmp_path / "new.nc") is None


@pytest.mark.slow
def test_a_second_process_is_refused_while_the_first_holds_the_lock(tmp_path):
    out = tmp_path / "z.zarr"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from spincaloric.files import output_lock
        with output_lock({str(out)!r}):
            print("locked", flush=True)
            time.sleep(30)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(OutputInUse, match=f"in use by PID {holder.pid}"):
            with output_lock(out):
                pass
    finally:
        holder.kill()
        holder.wait()
    t0 = time.monotonic()
    with output_lock(out):  # a killed holder's lock is released by the kernel
        pass
    assert time.monotonic() - t0 < 1
    assert not any(p.name.endswith(".lock") for p in tmp_path.iterdir())
