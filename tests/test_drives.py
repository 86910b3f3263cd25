"""Time-dependent drives: values, sampling for the integrators, validation."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spincaloric.dynamics.drives import (
    Constant,
    DriveError,
    GaussianPulse,
    LaserPulse,
    RectangularPulse,
    Step,
    Table,
    drive_from_dict,
)


def test_values_by_hand():
    assert Constant(3.0)(np.array([0.0, 1.0])).tolist() == [3.0, 3.0]
    s = Step(before=1.0, after=2.0, time=1e-9)
    assert s(0.5e-9) == 1.0 and s(1e-9) == 2.0
    p = RectangularPulse(base=300.0, amplitude=10.0, start=1e-9, duration=2e-9, rise=0.5e-9)
    assert p(0.9e-9) == 300.0 and p(1.25e-9) == pytest.approx(305.0) and p(2e-9) == 310.0
    assert p(3.1e-9) == 300.0
    g = GaussianPulse(base=0.0, amplitude=2.0, center=1e-9, width=0.1e-9)
    assert g(1.1e-9) == pytest.approx(2.0 * math.exp(-0.5))
    tab = Table(times=[0, 1e-9, 1e-9, 2e-9], values=[0.0, 1.0, 5.0, 5.0])
    assert tab(0.5e-9) == pytest.approx(0.5) and tab(1e-9) == 5.0 and tab(3e-9) == 5.0


def test_laser_pulse_peaks_at_its_peak():
    laser = LaserPulse(base=300.0, peak=40.0, start=0.2e-9, rise=0.07e-9, decay=1.3e-9)
    t = np.linspace(0, 10e-9, 200001)
    v = laser(t)
    assert v.max() == pytest.approx(340.0, abs=1e-6)
    assert t[np.argmax(v)] == pytest.approx(laser.time_of_peak, abs=1e-13)
    assert float(laser(laser.time_of_peak)) == pytest.approx(340.0, abs=1e-12)
    assert float(laser(0.1e-9)) == 300.0


@settings(max_examples=30, deadline=None)
@given(st.floats(0.0, 5e-9))
def test_sampled_tables_reproduce_the_drive(t):
    for drive in (LaserPulse(base=300.0, peak=40.0, start=0.5e-9, rise=0.05e-9, decay=2e-9),
                  GaussianPulse(base=0.0, amplitude=1e-3, center=2e-9, width=0.3e-9)):
        times, values = drive.sample(5e-9, 1e-12)
        assert np.all(np.diff(times) >= 0)
        peak = np.ptp(values)
        assert np.interp(t, times, values) == pytest.approx(float(drive(t)), abs=2e-4 * peak)


def test_sampled_jumps_are_exact():
    p = RectangularPulse(base=0.0, amplitude=1.0, start=1e-9, duration=1e-9)
    times, values = p.sample(3e-9, 1e-10)
    i = np.flatnonzero(times == 1e-9)
    assert len(i) == 2 and values[i[0]] == 0.0 and values[i[1]] == 1.0
    j = np.flatnonzero(times == 2e-9)
    assert len(j) == 2 and values[j[0]] == 1.0 and values[j[1]] == 0.0


@pytest.mark.parametrize("make,field", [
    (lambda: Table(times=[0, 2e-9, 1e-9], values=[0, 1, 2]), "times[2]"),
    (lambda: Table(times=[0, 1e-9], values=[0, float("nan")]), "values[1]"),
    (lambda: Table(times=[0, 1e-9], values=[0]), "values"),
    (lambda: Table(times=[-1e-9, 1e-9], values=[0, 1]), "times[0]"),
    (lambda: Table(times=[0, 1e-9, 1e-9, 1e-9], values=[0, 1, 2, 3]), "times[3]"),
    (lambda: RectangularPulse(amplitude=1.0, start=0.0, duration=-1e-9), "duration"),
    (lambda: RectangularPulse(amplitude=1.0, start=-1e-9, duration=1e-9), "start"),
    (lambda: LaserPulse(peak=1.0, start=0.0, rise=0.0, decay=1e-9), "rise"),
    (lambda: GaussianPulse(amplitude=1.0, center=1e-9, width=0.0), "width"),
])
def test_bad_drives_name_the_field(make, field):
    with pytest.raises(DriveError) as err:
        make()
    assert err.value.field == field


def test_drive_from_device_table():
    d = drive_from_dict({"shape": "laser", "peak": 30.0, "start": 1e-10, "rise": 5e-11,
                         "decay": 1e-9}, "drives.free.temperature")
    assert isinstance(d, LaserPulse) and d.base is None
    assert d.with_base(300.0).base == 300.0
    with pytest.raises(DriveError, match="drives.x.temperature.pek: unknown key"):
        drive_from_dict({"shape": "laser", "pek": 1}, "drives.x.temperature")
    with pytest.raises(DriveError, match="drives.x.voltage.shape"):
        drive_from_dict({"shape": "sawtooth"}, "drives.x.voltage")
    with pytest.raises(DriveError, match="drives.x.voltage.duration: required"):
        drive_from_dict({"shape": "pulse", "amplitude": 1.0, "start": 0.0}, "drives.x.voltage")
