"""The gallery examples run (the README's headline command among them) and say what they show."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
pytest.importorskip("matplotlib")


def run(script, tmp_path):
    out = tmp_path / "figure.png"
    res = subprocess.run([sys.executable, str(ROOT / "examples" / script), "--output", str(out)],
                         capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stat().st_size > 10_000
    return res.stdout


def test_headline_thermal_switching(tmp_path):
    text = run("thermal_switching.py", tmp_path)
    assert "heat pulse (ΔT = 40 K peak, no voltage): switched at" in text
    assert "voltage pulse" in text and "did not switch" not in text


def test_torque_vs_angle_matches_the_closed_forms(tmp_path):
    text = run("torque_vs_angle.py", tmp_path)
    errors = [float(line.rsplit(":", 1)[1]) for line in text.splitlines()
              if "solver vs closed form" in line]
    assert len(errors) == 4 and max(errors) < 1e-10
