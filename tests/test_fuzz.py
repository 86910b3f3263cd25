"""Fuzzing the device-file path: mutants of the example devices either fail with one line
``error: FILE: field: reason`` (exit 2) or solve to finite, valid JSON (exit 0).

Each mutant changes one to three places of an example file (a value's type, a missing key, an
extreme number, deep nesting), deterministically from a fixed seed, and is run through
``spincaloric check`` and ``spincaloric solve --json`` in-process. Never a traceback, never a
NaN or an infinity in the output, never a Python warning on the terminal.
"""

from __future__ import annotations

import copy
import json
import math
import random
import re
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from spincaloric.cli import main

#: A RuntimeWarning (overflow, division by zero) is a failure: pytest would otherwise record
#: it instead of letting it reach the terminal as it does for a user.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

EXAMPLES = Path(__file__).parent.parent / "examples" / "devices"
DEVICES = sorted(EXAMPLES.glob("*.toml"))
DATA = [p for p in EXAMPLES.iterdir() if p.suffix != ".toml"]

SEED = 20070807
MUTANTS = 1000
#: Extreme numbers: zero, negative, subnormal, the largest floats, infinities, NaN.
EXTREMES = (0, 0.0, -1, -1.0, 1e-300, 5e-324, -5e-324, 1e300, 1e308, -1e308, math.inf,
            -math.inf, math.nan, 2**63 - 1, -(2**63))
#: One value of every TOML type (a string that reads as a number among them).
OTHER_TYPES = ("x", "1", "", True, False, 1, 2.5, [], [1.0, 2.0, 3.0], ["a"], {}, {"a": 1.0})
DEPTH = 500

#: ``error: FILE: field: reason`` — the field a dotted path, possibly with indices; none for
#: the file as a whole (unreadable, not TOML: ``error: FILE: line 3, column 5: ...``).
ERROR_LINE = re.compile(r"^error: (?P<file>[^:]+): ((?P<field>[\w\-]+(\[\d+\])*"
                        r"(\.[\w\-]+(\[\d+\])*)*): )?\S")


# ---- a minimal TOML writer (inline tables only: any nesting, any key) ------------------------


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, _Raw):
        return v.text
    raise TypeError(type(v))


class _Raw:
    """Text put into the file verbatim (a nesting too deep to build as Python objects)."""

    def __init__(self, text):
        self.text = text


def to_toml(data: dict) -> str:
    return "\n".join(f"{_key(k)} = {_value(v)}" for k, v in data.items()) + "\n"


# ---- mutations --------------------------------------------------------------------------------


def _places(node, path=()):
    """Every (path, value) of the tree, tables and lists included (not the root)."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for k, v in items:
        yield path + (k,), v
        if isinstance(v, (dict, list)):
            yield from _places(v, path + (k,))


def _parent(data, path):
    for k in path[:-1]:
        data = data[k]
    return data


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _mutate(rng: random.Random, data: dict, under=()) -> str:
    """Change ``data`` in one place (inside the top-level tables ``under`` if given); return a
    description."""
    kind = rng.choice(("type",) * 3 + ("missing",) * 2 + ("extreme",) * 5 + ("deep",))
    places = [(p, v) for p, v in _places(data) if not under or (p[0] in under and len(p) > 1)]
    if not places:
        return "unchanged"
    numbers = [(p, v) for p, v in places if _is_number(v)]
    path, value = rng.choice(numbers if kind == "extreme" and numbers else places)
    parent, last = _parent(data, path), path[-1]
    if kind == "missing":
        if isinstance(parent, dict):
            del parent[last]
        else:
            parent.pop(last)
        return f"del {path}"
    if kind == "deep":
        opening, closing = rng.choice((("[", "]"), ("{a = ", "}")))
        parent[last] = _Raw(opening * DEPTH + "1" + closing * DEPTH)
        return f"{path} = deep"
    if kind == "extreme":
        new = rng.choice(EXTREMES)
        if isinstance(value, list) and value and not isinstance(value[0], (dict, list)):
            value = list(value)
            value[rng.randrange(len(value))] = new  # one component of a vector
            new = value
        parent[last] = new
        return f"{path} = {new!r}"
    new = rng.choice(OTHER_TYPES)
    parent[last] = copy.deepcopy(new)
    return f"{path} = {new!r}"


def mutants(count: int = MUTANTS, seed: int = SEED, devices=DEVICES, under=()):
    """(name, TOML text, description) of ``count`` deterministic mutants of ``devices``;
    ``under``: the mutations hit only these top-level tables."""
    rng = random.Random(seed)
    originals = {p.name: tomllib.loads(p.read_text()) for p in devices}
    for i in range(count):
        name = rng.choice(sorted(originals))
        data = copy.deepcopy(originals[name])
        what = [_mutate(rng, data, under) for _ in range(rng.choice((1, 1, 2, 3)))]
        yield f"{i:03d}-{name}", to_toml(data), "; ".join(what)


# ---- the contract -----------------------------------------------------------------------------


def _no_constants(name):
    raise ValueError(f"{name} in the JSON output")


#: What ``run`` may say on stderr before its result: the one-time compilation notice.
COMPILING = "compiling the integration kernels"


def _check_outcome(command: str, path: str, result, what: str) -> None:
    where = f"{command} on {Path(path).name} ({what})"
    assert isinstance(result.exception, SystemExit) or result.exception is None, (
        f"{where}: {result.exception!r}")
    err_lines = [line for line in result.stderr.splitlines() if not line.startswith(COMPILING)]
    assert "Traceback" not in result.stderr and "Warning:" not in result.stderr, (
        f"{where}: {result.stderr}")
    # one-line warnings (beyond linear response, a drive idle over the run) may come first
    warnings = [line for line in err_lines if re.match(r"warning: (\S+: )?\S", line)]
    if result.exit_code == 2:
        assert len(err_lines) == len(warnings) + 1, f"{where}: {result.stderr}"
        m = ERROR_LINE.match(err_lines[-1])
        assert m, f"{where}: {err_lines[-1]}"
        return
    assert result.exit_code == 0, f"{where}: exit {result.exit_code}: {result.output}"
    assert len(warnings) == len(err_lines), f"{where}: {result.stderr}"
    if command in ("solve", "run"):
        for line in result.stdout.splitlines():
            doc = json.loads(line, parse_constant=_no_constants)
            _assert_finite(doc, where)


def _assert_finite(doc, where):
    if isinstance(doc, dict):
        for v in doc.values():
            _assert_finite(v, where)
    elif isinstance(doc, list):
        for v in doc:
            _assert_finite(v, where)
    elif isinstance(doc, float):
        assert math.isfinite(doc), where


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    d = tmp_path_factory.mktemp("fuzz")
    for p in DATA:  # files the examples name (a conductance spectrum)
        shutil.copy(p, d / p.name)
    return d


@pytest.mark.slow
def test_mutants_fail_with_one_field_named_line_or_solve_to_finite_json(workdir):
    runner = CliRunner()
    for name, text, what in mutants():
        path = workdir / name
        path.write_text(text)
        for command in (["check"], ["solve", "--json"]):
            result = runner.invoke(main, [*command, str(path)])
            _check_outcome(command[0], str(path), result, what)


@pytest.mark.slow  # the integration kernels compile on first use
def test_dynamics_mutants_fail_with_one_line_or_run_to_finite_json(workdir):
    """A small subset through ``run``: the magnet, its drive and the simulation settings of
    the switching pillar, mutated."""
    runner = CliRunner()
    pillar = [EXAMPLES / "thermal_switching_pillar.toml"]
    for name, text, what in mutants(40, SEED + 1, pillar, ("nodes", "drives", "simulation")):
        path = workdir / f"run-{name}"
        path.write_text(text)
        result = runner.invoke(main, ["run", "--until", "0.2ns", "--n-save", "3", "--json",
                                      str(path)])
        _check_outcome("run", str(path), result, what)


# ---- classes of failure the fuzz found, kept as fixed cases -------------------------------------

FOUND = [
    # P = sqrt(TMR/(2 + TMR)) rounds to 1: a channel pair of zero conductance, 0/0 thermopowers
    ("mtj_magneto_seebeck.toml", "tmr = 1.0", "tmr = 1e300", "check", "contacts[0].junction.tmr"),
    # S_P G_P/(e L0 T) overflows: inf − inf in the channel-pair conductances
    ("mtj_magneto_seebeck.toml", "seebeck_parallel = -100e-6", "seebeck_parallel = 1e308",
     "check", "contacts[0].junction.seebeck_parallel"),
    # a relaxation conductance whose Newton Jacobian overflows
    ("valve_spectral.toml", "relaxation = { spacer = 1.0 }",
     "relaxation = { spacer = 1e308 }", "solve", "spectral.relaxation.spacer"),
    # conductances 10^17 apart: LU of the Kirchhoff equations hits an exact zero pivot
    ("pillar_thick_layers.toml", "length = 3e-9\narea = 1.26e-15", "length = 3e-9\narea = 2.5",
     "solve", "layers.free.cells[0]"),
    # a static voltage out of range: the linear-response warning came before the error line
    ("thermal_switching_pillar.toml", "voltage = 0.0 ", "voltage = 1e300 ", "run",
     "nodes.free.voltage"),
    # a static bias whose spin-transfer torque turns the magnet at 2.5e30 rad/s: the
    # integrator's stages overflowed into a ZeroDivisionError in the compiled kernel
    ("thermal_switching_pillar.toml", "voltage = 0.0 ", "voltage = -9223372036854775808 ",
     "run", "nodes.free.voltage"),
    # a laser peak near the float range overflowed the drive sampler's midpoint test
    ("thermal_switching_pillar.toml", "peak = 40.0", "peak = 1e308", "run",
     "drives.free.temperature"),
    # a laser pulse whose normalisation (1 + 1/q)^q overflowed to NaN drive values
    ("thermal_switching_pillar.toml", "decay = 3.0e-9", "decay = 1e308", "run", None),
    ("thermal_switching_pillar.toml", "rise = 0.05e-9", "rise = 1e300", "run",
     "drives.free.temperature.rise"),
]


@pytest.mark.parametrize("device, old, new, command, field", FOUND)
def test_what_the_fuzz_found(workdir, device, old, new, command, field):
    text = (EXAMPLES / device).read_text()
    assert old in text
    path = workdir / f"found-{device}"
    path.write_text(text.replace(old, new, 1))
    args = {"check": ["check"], "solve": ["solve", "--json"],
            "run": ["run", "--until", "0.2ns", "--n-save", "3", "--json"]}[command]
    result = CliRunner().invoke(main, [*args, str(path)])
    _check_outcome(command, str(path), result, new)
    if field is None:
        assert result.exit_code == 0, result.output
    else:
        errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
        assert result.exit_code == 2 and errors[0].startswith(f"error: {path}: {field}: "), (
            result.stderr)
