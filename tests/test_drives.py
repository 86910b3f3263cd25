"""Time-dependent drives: values, the laser normalisation, sampling for the integrators,
validation and the device-file constructor."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from spincaloric.dynamics.drives import (
    MAX_POINTS,
    Constant,
    DriveError,
    GaussianPulse,
    LaserPulse,
    RectangularPulse,
    Step,
    Table,
    drive_from_dict,
)

NS = 1e-9


def test_values_by_hand():
    assert Constant(3.0)(np.array([0.0, 1.0])).tolist() == [3.0, 3.0]
    s = Step(before=1.0, after=2.0, time=NS)
    assert s(0.5 * NS) == 1.0 and s(NS) == 2.0 and s(5 * NS) == 2.0
    p = RectangularPulse(base=300.0, amplitude=10.0, start=NS, duration=2 * NS, rise=0.5 * NS)
    # ramps inside the duration: 300 → 310 on [1, 1.5] ns, 310 → 300 on [2.5, 3] ns
    assert p(0.9 * NS) == 300.0 and p(1.25 * NS) == pytest.approx(305.0, rel=1e-6, abs=0)
    assert p(2 * NS) == 310.0 and p(2.9 * NS) == pytest.approx(302.0, rel=1e-6, abs=0) and p(3.1 * NS) == 300.0
    sharp = RectangularPulse(base=-1.0, amplitude=3.0, start=NS, duration=NS)
    assert [float(sharp(x * NS)) for x in (0.5, 1.0, 1.5, 2.0)] == [-1.0, 2.0, 2.0, -1.0]
    g = GaussianPulse(base=5.0, amplitude=2.0, center=NS, width=0.1 * NS)
    assert g(NS) == pytest.approx(7.0, rel=1e-6, abs=0) and g(1.2 * NS) == pytest.approx(5.0 + 2 * math.exp(-2), rel=1e-6, abs=0)
    laser = LaserPulse(base=300.0, peak=40.0, start=0.1 * NS, rise=0.05 * NS, decay=NS)
    n = 1.05 * 21**0.05  # (1 + rise/decay)(1 + decay/rise)^(rise/decay)
    expected = 300.0 + 40.0 * n * (1 - math.exp(-18)) * math.exp(-0.9)
    assert float(laser(NS)) == pytest.approx(expected, rel=1e-14, abs=0)
    assert float(laser(0.05 * NS)) == 300.0 and float(laser(0.1 * NS)) == 300.0
    tab = Table(times=[0, NS, NS, 2 * NS], values=[0.0, 1.0, 5.0, 3.0])
    assert tab(0.5 * NS) == pytest.approx(0.5, rel=1e-6, abs=0) and tab(NS) == 5.0
    assert tab(1.5 * NS) == pytest.approx(4.0, rel=1e-6, abs=0) and tab(3 * NS) == 3.0 and tab(-1.0) == 0.0
    assert Table(times=[NS], values=[7.0])([0.0, 2 * NS]).tolist() == [7.0, 7.0]


@settings(max_examples=60, deadline=None)
@given(st.floats(1e-3, 1e3), st.floats(-1e3, 1e3).filter(lambda x: abs(x) > 1e-6))
def test_laser_pulse_maximum_is_peak_at_t_star(ratio, peak):
    rise = 0.1 * NS
    laser = LaserPulse(base=0.0, peak=peak, start=0.2 * NS, rise=rise, decay=ratio * rise)
    t_star = 0.2 * NS + rise * math.log(1 + ratio)
    assert laser.time_of_peak == pytest.approx(t_star, rel=1e-14, abs=0)
    assert float(laser(t_star)) == pytest.approx(peak, rel=1e-12, abs=0)
    # no larger value anywhere: a dense grid around t* and far out
    t = np.concatenate([t_star * (1 + np.linspace(-0.5, 0.5, 20001)),
                        np.linspace(0, 0.2 * NS + 50 * max(rise, ratio * rise), 20001)])
    v = laser(t) / peak
    assert v.max() <= 1 + 1e-12
    assert t[np.argmax(v)] == pytest.approx(t_star, rel=1e-4, abs=0)


def test_laser_pulse_on_a_base():
    laser = LaserPulse(base=300.0, peak=40.0, start=0.2 * NS, rise=0.07 * NS, decay=1.3 * NS)
    assert abs(float(laser(laser.time_of_peak)) - 340.0) <= 1e-12 * 340
    t = np.linspace(0, 10 * NS, 200001)
    assert laser(t).max() <= 340.0 + 1e-12 * 340


drives = st.one_of(
    st.builds(lambda a, s, d, r: RectangularPulse(base=1.0, amplitude=a, start=s * NS,
                                                  duration=d * NS, rise=r * d * NS),
              st.floats(-10, 10).filter(lambda x: abs(x) > 1e-3), st.floats(0, 4),
              st.floats(0.01, 3), st.floats(0, 0.5)),
    st.builds(lambda a, c, w: GaussianPulse(base=300.0, amplitude=a, center=c * NS, width=w * NS),
              st.floats(-10, 10).filter(lambda x: abs(x) > 1e-3), st.floats(0, 5),
              st.floats(1e-4, 3)),
    st.builds(lambda p, s, r, d: LaserPulse(base=300.0, peak=p, start=s * NS, rise=r * NS,
                                            decay=d * NS),
              st.floats(0.1, 100), st.floats(0, 4), st.floats(1e-4, 2), st.floats(1e-3, 10)),
    st.builds(lambda a, b, s: Step(before=a, after=b, time=s * NS),
              st.floats(-5, 5), st.floats(-5, 5), st.floats(0, 5)),
)


@settings(max_examples=150, deadline=None)
@given(drives, st.floats(1e-3, 1e3), st.lists(st.floats(0, 1), min_size=1, max_size=50))
def test_sampled_tables_reproduce_the_drive(drive, steps, where):
    t_end = 5 * NS
    times, values = drive.sample(t_end, t_end / steps)
    assert times[0] == 0.0 and times[-1] == t_end and len(times) <= MAX_POINTS + 100
    assert np.all(np.diff(times) >= 0)
    t = np.array(where) * t_end
    dense = np.linspace(0, t_end, 100001)
    variation = np.ptp(np.concatenate([values, drive(dense)]))
    assert np.abs(np.interp(t, times, values) - drive(t)).max() <= 1e-4 * variation + 1e-12
    for bp in drive.breakpoints():  # every breakpoint inside (0, t_end) twice
        if 0 < bp < t_end:
            assert np.count_nonzero(times == bp) == 2


def test_sampling_resolves_narrow_features_with_a_coarse_max_step():
    g = GaussianPulse(base=0.0, amplitude=1.0, center=2.37 * NS, width=1e-15)
    times, values = g.sample(5 * NS, 5 * NS)
    t = 2.37 * NS + 1e-15 * np.linspace(-5, 5, 1001)
    assert values.max() == 1.0
    assert np.abs(np.interp(t, times, values) - g(t)).max() <= 1e-4
    assert len(times) < 2000


def test_sampled_jumps_are_exact():
    p = RectangularPulse(base=0.0, amplitude=1.0, start=NS, duration=NS)
    times, values = p.sample(3 * NS, 0.1 * NS)
    i = np.flatnonzero(times == NS)
    assert len(i) == 2 and values[i].tolist() == [0.0, 1.0]
    j = np.flatnonzero(times == 2 * NS)
    assert len(j) == 2 and values[j].tolist() == [1.0, 0.0]
    times, values = Step(before=-2.0, after=7.0, time=1.3 * NS).sample(3 * NS, 1e-15)
    k = np.flatnonzero(times == 1.3 * NS)
    assert len(k) == 2 and values[k].tolist() == [-2.0, 7.0] and len(times) <= MAX_POINTS + 10
    tab = Table(times=[0, NS, NS], values=[0.0, 1.0, 5.0])
    assert tab.sample(3 * NS, NS)[1].tolist() == [0.0, 1.0, 5.0]


def test_vectorised_over_any_shape():
    t = np.linspace(0, 4 * NS, 24).reshape(2, 3, 4)
    for drive in (Constant(1.0), Step(before=0.0, after=1.0, time=NS),
                  RectangularPulse(base=0.0, amplitude=1.0, start=NS, duration=NS, rise=0.1 * NS),
                  GaussianPulse(base=0.0, amplitude=1.0, center=NS, width=0.2 * NS),
                  LaserPulse(base=300.0, peak=1.0, start=NS, rise=0.1 * NS, decay=NS),
                  Table(times=[0, NS, 3 * NS], values=[0.0, 2.0, 1.0])):
        out = drive(t)
        assert isinstance(out, np.ndarray) and out.shape == (2, 3, 4)
        assert out[1, 2, 3] == drive(t[1, 2, 3]) and out.ravel().tolist() == [
            float(drive(x)) for x in t.ravel()]


@pytest.mark.parametrize("make,field", [
    (lambda: Table(times=[0, 2e-9, 1e-9], values=[0, 1, 2]), "times[2]"),
    (lambda: Table(times=[0, 1e-9], values=[0, float("nan")]), "values[1]"),
    (lambda: Table(times=[0, float("inf")], values=[0, 1]), "times[1]"),
    (lambda: Table(times=[0, 1e-9], values=[0]), "values"),
    (lambda: Table(times=[], values=[]), "times"),
    (lambda: Table(times=[-1e-9, 1e-9], values=[0, 1]), "times[0]"),
    (lambda: Table(times=[0, 1e-9, 1e-9, 1e-9], values=[0, 1, 2, 3]), "times[3]"),
    (lambda: Table(times=[0, 1e-9], values=[0, "hot"]), "values[1]"),
    (lambda: Constant(float("nan")), "value"),
    (lambda: Step(before=0.0, after=1.0, time=-1e-9), "time"),
    (lambda: RectangularPulse(amplitude=1.0, start=0.0, duration=-1e-9), "duration"),
    (lambda: RectangularPulse(amplitude=1.0, start=0.0, duration=0.0), "duration"),
    (lambda: RectangularPulse(amplitude=1.0, start=-1e-9, duration=1e-9), "start"),
    (lambda: RectangularPulse(amplitude=1.0, start=0.0, duration=1e-9, rise=-1e-12), "rise"),
    (lambda: RectangularPulse(amplitude=1.0, start=0.0, duration=1e-9, rise=0.6e-9), "rise"),
    (lambda: RectangularPulse(base=float("inf"), amplitude=1.0, start=0.0, duration=1.0), "base"),
    (lambda: LaserPulse(peak=1.0, start=0.0, rise=0.0, decay=1e-9), "rise"),
    (lambda: LaserPulse(peak=1.0, start=0.0, rise=1e-9, decay=-1e-9), "decay"),
    (lambda: LaserPulse(peak=1.0, start=-1e-9, rise=1e-9, decay=1e-9), "start"),
    (lambda: GaussianPulse(amplitude=1.0, center=1e-9, width=0.0), "width"),
    (lambda: GaussianPulse(amplitude=1.0, center=1e-9, width=float("nan")), "width"),
])
def test_bad_drives_name_the_field(make, field):
    with pytest.raises(DriveError) as err:
        make()
    assert err.value.field == field and isinstance(err.value, ValueError)
    assert str(err.value).startswith(f"{field}: ") and "\n" not in str(err.value)


def test_decreasing_times_message():
    with pytest.raises(DriveError) as err:
        Table(times=[0, 1e-9, 3e-9, 2e-9], values=[0, 1, 2, 3])
    assert str(err.value) == "times[3]: times must not decrease (2e-09 after 3e-09)"


def test_pulses_take_keywords_only():
    with pytest.raises(TypeError):
        RectangularPulse(0.0, 1e-3, 1e-9, 2e-9)  # keywords only: the order is easy to get wrong


def test_drive_from_device_table():
    d = drive_from_dict({"shape": "laser", "peak": 30.0, "start": 1e-10, "rise": 5e-11,
                         "decay": 1e-9}, "drives.free.temperature")
    assert isinstance(d, LaserPulse) and d.base is None and d.peak == 30.0
    resolved = d.with_base(300.0)
    assert resolved.base == 300.0 and float(resolved(0.0)) == 300.0
    assert resolved.with_base(10.0).base == 300.0  # an explicit base is kept
    t = drive_from_dict({"shape": "table", "times": [0, 1e-9], "values": [1, 2]}, "x")
    assert isinstance(t, Table) and float(t(0.5e-9)) == 1.5
    for shape, cls in (("constant", Constant), ("step", Step), ("pulse", RectangularPulse),
                       ("gaussian", GaussianPulse)):
        keys = {"constant": {"value": 1}, "step": {"before": 0, "after": 1, "time": 1e-9},
                "pulse": {"base": 0, "amplitude": 1, "start": 0, "duration": 1e-9},
                "gaussian": {"amplitude": 1, "center": 1e-9, "width": 1e-10}}[shape]
        assert type(drive_from_dict({"shape": shape, **keys}, "x")) is cls


@pytest.mark.parametrize("table,field,reason", [
    ({"shape": "laser", "pek": 1}, "drives.x.temperature.pek", "unknown key"),
    ({"shape": "sawtooth"}, "drives.x.temperature.shape", "must be one of"),
    ({"peak": 1.0}, "drives.x.temperature.shape", "must be one of"),
    ({"shape": "pulse", "amplitude": 1.0, "start": 0.0}, "drives.x.temperature.duration",
     "required"),
    ({"shape": "laser", "peak": 1.0}, "drives.x.temperature.start", "missing: start, rise"),
    ({"shape": "constant", "value": 1.0, "base": 2.0}, "drives.x.temperature.base",
     "unknown key"),
    ({"shape": "laser", "peak": "hot", "start": 0.0, "rise": 1e-9, "decay": 1e-9},
     "drives.x.temperature.peak", "finite number"),
    ({"shape": "table", "times": [0, 1e-9], "values": [0, None]},
     "drives.x.temperature.values[1]", "finite number"),
    ({"shape": "gaussian", "amplitude": 1.0, "center": 0.0, "width": -1.0},
     "drives.x.temperature.width", "> 0"),
])
def test_drive_from_dict_errors_name_the_field(table, field, reason):
    with pytest.raises(DriveError) as err:
        drive_from_dict(table, "drives.x.temperature")
    assert err.value.field == field and reason in err.value.reason
