"""The gallery examples run (the README's headline command among them) and say what they show."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
pytest.importorskip("matplotlib")
pytestmark = pytest.mark.slow  # every example runs as a whole script


def run(script, tmp_path):
    out = tmp_path / "figure.png"
    res = subprocess.run([sys.executable, str(ROOT / "examples" / script), "--output", str(out)],
                         capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stat().st_size > 10_000
    return res.stdout


def test_headline_thermal_switching(tmp_path):
    """The laser power switches the pillar with temperatures computed from heat capacities
    and heat flow (ΔT across the spacer within linear response), as do the imposed heat pulse
    and the voltage pulse of the comparison."""
    text = run("thermal_switching.py", tmp_path)
    assert "laser power (temperatures computed): switched at" in text
    assert "heat pulse (ΔT = 40 K peak imposed, no voltage): switched at" in text
    assert "voltage pulse" in text and "did not switch" not in text
    across = float(text.split("ΔT across the spacer up to ")[1].split(" K")[0])
    assert 20 < across < 60


def test_laser_switching_map_and_boundary_conductance(tmp_path):
    """Coarse map: some pulses switch, the weakest do not; the threshold energy of a 4 ns pulse
    rises with the polarizer's boundary conductance (the electrode interface's spin-dependent
    Seebeck current fades as the substrate takes the polarizer's heat)."""
    out = tmp_path / "figure.png"
    res = subprocess.run([sys.executable, str(ROOT / "examples" / "laser_switching_map.py"),
                          "--quick", "--output", str(out)], capture_output=True, text=True,
                         check=True, cwd=tmp_path)
    assert out.stat().st_size > 10_000
    lines = res.stdout.splitlines()
    assert any("lowest switching energy" in line for line in lines)
    thresholds = [float(line.split("threshold ")[1].split(" pJ")[0]) for line in lines
                  if "threshold" in line]
    assert len(thresholds) == 2 and thresholds[0] < thresholds[1]


def test_torque_vs_angle_matches_the_closed_forms(tmp_path):
    text = run("torque_vs_angle.py", tmp_path)
    errors = [float(line.rsplit(":", 1)[1]) for line in text.splitlines()
              if "solver vs closed form" in line]
    assert len(errors) == 4 and max(errors) < 1e-10


def test_fmr_damping_is_linear_in_inverse_thickness(tmp_path):
    """The fmr thickness series: α' t constant to 1e-6 in both circuits, the sink's equal to
    the closed form, the F|N|F pillar's half of it (no spin flip in the spacer)."""
    text = run("fmr_damping_vs_thickness.py", tmp_path)
    lines = {line.split(":")[0]: line for line in text.splitlines()}
    for name, ratio in (("sink", 1.0), ("pillar", 0.5)):
        spread = float(lines[name].split("spread ")[1].split(")")[0])
        assert spread < 1e-6
        assert float(lines[name].rsplit("= ", 1)[1]) == pytest.approx(ratio, abs=1e-4)


def test_thickness_efficiency_thin_limit(tmp_path):
    """Thin Co layers: the equivalent voltage per kelvin tends to the interfaces' −(P'/P) S."""
    from spincaloric.materials import get_interface

    text = run("thickness_efficiency.py", tmp_path)
    first = [line for line in text.splitlines() if line.startswith("Co")][0]
    value = float(first.split("like")[1].split("µV")[0]) * 1e-6
    d = get_interface("Cu/Co(001)*")
    interface_only = -d.polarization_derivative / d.polarization * d.seebeck(300.0)
    assert value == pytest.approx(interface_only, rel=0.06, abs=0)
    # the seed's claim, quantitatively: with database Co and Cu, thicker layers make a kelvin
    # worth more volts, monotonically (1 → 60 nm: +70 %)
    values = [float(line.split("like")[1].split("µV")[0]) for line in text.splitlines()
              if line.startswith("Co")]
    assert all(b > a for a, b in zip(values, values[1:]))
    assert values[-1] > 1.5 * values[0]


def test_continuum_limits_gallery(tmp_path):
    """Lateral valves and CPP pillars converge to Takahashi–Maekawa and Valet–Fert (electrical
    models, thermopowers off); the thermopowers of the full model move both by ~1e-3."""
    text = run("continuum_limits.py", tmp_path)
    valve = [float(line.rsplit(":", 1)[1]) for line in text.splitlines()
             if "solver vs Takahashi–Maekawa" in line]
    cpp = [float(line.rsplit(":", 1)[1]) for line in text.splitlines()
           if "solver vs Valet–Fert" in line]
    assert len(valve) == 3 and max(valve) < 2e-4
    assert len(cpp) == 1 and cpp[0] < 2e-4
    changes = [float(line.split("changes by ")[1].split()[0].rstrip(":")) for line in
               text.splitlines() if "changes by" in line]
    assert len(changes) == 2 and all(1e-4 < abs(c) < 1e-2 for c in changes)


def test_closed_forms_gallery(tmp_path):
    text = run("closed_forms_gallery.py", tmp_path)
    assert "Cu/Co(111)*" in text and "+0.690" in text  # Table I-derived P
    worst = float(text.split("worst deviation ")[1].split(";")[0])
    assert worst < 1e-10


def test_switching_map_figure_commands(tmp_path):
    """The docs' switching-map figure comes from `spincaloric map` + `spincaloric plot`."""
    device = ROOT / "examples" / "devices" / "thermal_switching_pillar.toml"
    base = [sys.executable, "-m", "spincaloric"]
    subprocess.run(base + ["map", str(device), "--vary", "drives.free.temperature.peak=10:60:3",
                           "--vary", "drives.free.temperature.decay=1e-9:4e-9:3", "--until",
                           "8ns", "-o", str(tmp_path / "m.nc")], check=True, capture_output=True)
    subprocess.run(base + ["plot", str(tmp_path / "m.nc"), "-o", str(tmp_path / "m.png")],
                   check=True, capture_output=True)
    assert (tmp_path / "m.png").stat().st_size > 10_000


def test_thermal_torque_vs_relaxation(tmp_path):
    """Weak relaxation: the non-interacting torque; strong: the thermalized one (eq. 7)."""
    text = run("thermal_torque_relaxation.py", tmp_path)
    values = [float(line.split("torque")[1].split("nA")[0]) for line in text.splitlines()
              if line.startswith("τ_d/τ_ee")]
    closed = text.split("closed forms:")[1]
    ni = float(closed.split("non-interacting")[1].split("nA")[0])
    th = float(closed.split("thermalized")[1].split("nA")[0])
    assert values[0] == pytest.approx(ni, rel=1e-2, abs=0)
    assert values[-1] == pytest.approx(th, rel=1e-2, abs=0)
    assert all(b >= a for a, b in zip(values, values[1:]))


def test_van_hove_thermopower(tmp_path):
    """A sharp feature in G(ε): Sommerfeld is right at low T (to (k_BT/w)²) and wrong once
    k_BT approaches the feature's width."""
    text = run("van_hove_thermopower.py", tmp_path)
    ratios = {float(line.split("K:")[0].split("=")[1]): float(line.rsplit("ratio", 1)[1])
              for line in text.splitlines() if line.startswith("T =")}
    assert abs(ratios[10.0] - 1) < 5e-3 and abs(ratios[20.0] - 1) < 1e-2
    assert abs(ratios[20.0] - 1) > 2 * abs(ratios[10.0] - 1)  # the deviation grows with T
    assert ratios[300.0] < 0.9 and ratios[450.0] < ratios[300.0]


def test_laser_heating_thermovoltage(tmp_path):
    """Open circuit at up to 150 K of heating: the energy-resolved voltage is the Mott integral
    S0 ΔT(1 + ΔT/2T0), to within the G/g_ee = 1e-3 of the finite e–e relaxation; the
    magneto-thermopower stays put."""
    text = run("laser_heating_thermovoltage.py", tmp_path)
    rows = [line for line in text.splitlines() if "ratio" in line]
    assert len(rows) == 14
    for line in rows:
        ratio = float(line.split("ratio")[1].split("(")[0])
        mott = float(line.split("Mott integral")[1].strip(" )"))
        assert ratio == pytest.approx(mott, rel=1e-3, abs=0), line
    assert float(rows[6].split("ratio")[1].split("(")[0]) > 1.2  # 150 K: far from linear
    mtp = text.split("magneto-thermopower")[1]
    low, high = (float(x.split()[2].rstrip(",")) for x in mtp.split("at ")[1:3])
    assert high == pytest.approx(low, rel=1e-2, abs=0)


def test_thermal_spin_injection_lsv(tmp_path):
    """Slachter et al.'s mechanism: the Py strip, not the Cu channel, is the hot injector (its
    Joule heat dominates and heats it above the bath), and both spin signals decay over λ_Cu
    away from the injector."""
    text = run("thermal_spin_injection_lsv.py", tmp_path)
    heat = text.split("Joule heat")[1].splitlines()[0]
    strip = float(heat.split("Py strip")[1].split("nW")[0])
    channel = float(heat.split("Cu channel")[1].split("nW")[0])
    assert strip > 10 * channel and float(heat.split("up to")[1].split("mK")[0]) > 0
    signals = [line for line in text.splitlines() if line.startswith("L =")]
    for line in signals:  # electrical and thermal injection of opposite spins
        r1 = float(line.split("ΔR1 =")[1].split("Ω")[0])
        r2 = float(line.split("ΔR2 =")[1].split("V/A²")[0])
        assert r1 > 0 > r2, line
    rows = [line for line in text.splitlines() if line.startswith("decay length")]
    elec = [float(r.split("electrical")[1].split("nm")[0]) for r in rows]
    therm = [float(r.split("thermal")[1].split("nm")[0]) for r in rows]
    assert all(abs(x / 200.0 - 1) < 2e-3 for x in elec[1:])
    assert all(abs(x / 200.0 - 1) < 5e-3 for x in therm[1:])
    assert all(b >= a for a, b in zip(therm, therm[1:]))  # the detector's drain fades with L


def test_nanowire_magnetothermopower(tmp_path):
    """The open-circuit thermopower equals the short-circuit current times the resistance
    (an independent route through the current-biased solve); GMR is positive and both effects
    shrink as the Co layers thicken (fewer interfaces per length)."""
    text = run("nanowire_magnetothermopower.py", tmp_path)
    rows = [line for line in text.splitlines() if line.startswith("Co")]
    assert len(rows) == 4
    mrs, mtps = [], []
    for line in rows:
        sp = float(line.split("S_P =")[1].split("µV/K")[0])
        sa = float(line.split("S_AP =")[1].split("µV/K")[0])
        sp2, sa2 = (float(x.split()[0]) for x in line.split("short circuit")[1].split(" / "))
        assert sp2 == pytest.approx(sp, rel=1e-6, abs=0)
        assert sa2 == pytest.approx(sa, rel=1e-6, abs=0)
        mrs.append(float(line.split("MR =")[1].split("%")[0]))
        mtps.append(float(line.split("MTP =")[1].split("%")[0]))
    assert all(m > 0 for m in mrs) and all(b < a for a, b in zip(mrs, mrs[1:]))
    assert all(abs(b) < abs(a) for a, b in zip(mtps, mtps[1:]))


def test_mtj_thermal_torque_reaches_the_two_terminal_formula(tmp_path):
    """Opaque barriers: the in-circuit torque is the closed-form MTJ's; low RA: the metal
    layers take part of ΔT and the free layer accumulates spin — less torque, monotonically,
    and less for thicker free layers."""
    text = run("mtj_thermal_torque.py", tmp_path)
    rows = [line for line in text.splitlines() if "torque ratio" in line]
    table = {}
    for line in rows:
        t_f = float(line.split("t_F =")[1].split("nm")[0])
        ratio = float(line.split("torque ratio")[1].split()[0])
        table.setdefault(t_f, []).append(ratio)
    assert sorted(table) == [1.0, 3.0, 10.0]
    for ratios in table.values():
        assert ratios[-1] == pytest.approx(1.0, abs=5e-4)  # RA = 1e-11 Ω m²
        assert all(b > a for a, b in zip(ratios, ratios[1:]))
    assert table[1.0][0] > table[3.0][0] > table[10.0][0]


def test_diffusive_free_layer_switching_thresholds(tmp_path):
    """A diffusive free layer: thresholds grow with the volume, a kelvin is worth more volts
    for thicker layers, and the dynamics switch above ΔT_c, not below."""
    text = run("diffusive_free_layer_switching.py", tmp_path)
    rows = [line for line in text.splitlines() if line.startswith("free Co")]
    dt_c = [float(r.split("ΔT_c =")[1].split("K")[0]) for r in rows]
    ratio = [abs(float(r.split("V_c/ΔT_c =")[1].split("µV")[0])) for r in rows]
    assert len(rows) == 6 and all(b > a > 0 for a, b in zip(dt_c, dt_c[1:]))
    assert all(b > a for a, b in zip(ratio, ratio[1:]))
    assert "ΔT = 0.8 ΔT_c" in text and "did not switch" in text.split("ΔT = 0.8")[1].split("\n")[0]
    assert "switched at" in text.split("ΔT = 1.3")[1].split("\n")[0]


def test_hanle_lateral_valve(tmp_path):
    """The discretised valve's Hanle curves follow Johnson–Silsbee with tunnel contacts; the
    thermally injected spins precess like the electrically injected ones; a transparent
    contact broadens the curve (it absorbs transverse spins)."""
    text = run("hanle_lsv.py", tmp_path)
    errors = [float(line.rsplit(":", 1)[1]) for line in text.splitlines()
              if "solver vs Johnson–Silsbee" in line]
    assert len(errors) == 2 and max(errors) < 5e-4
    shapes = [line for line in text.splitlines() if line.startswith("Py strip")][0]
    assert float(shapes.rsplit(":", 1)[1]) < 1e-4
    half = [line for line in text.splitlines() if line.startswith("half-height")][0]
    tunnel = float(half.split("tunnel limit")[1].split("T")[0])
    transparent = float(half.split("injector")[1].split("T")[0])
    assert transparent > 1.05 * tunnel


def test_thermal_starts_follow_the_closed_form_and_shorten_the_switching(tmp_path):
    """Switching times from thermal starts equal t(θ₀) to 1e-6, the switched fraction the
    Boltzmann closed form within three binomial errors, and on the circuit's heat pulse the
    thermal starts switch sooner than the file's 3° start."""
    text = run("thermal_start_switching_times.py", tmp_path)
    deviation = float(text.split("largest relative deviation ")[1].split()[0])
    assert deviation < 1e-6
    difference = float(text.split("largest difference ")[1].split()[0])
    error = float(text.split("binomial error at one half ")[1].split(")")[0])
    assert difference < 3 * error
    medians = [float(line.split("median switching time ")[1].split(" ns")[0])
               for line in text.splitlines() if "median switching time" in line]
    assert len(medians) == 2 and medians[1] < medians[0]
