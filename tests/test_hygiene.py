"""Guards on the test suite itself."""

from pathlib import Path


def test_every_approx_states_its_absolute_tolerance():
    """pytest.approx defaults to abs=1e-12, far above many SI magnitudes here (N·m torques of
    1e-21, Ω m² of 1e-15): a comparison without an explicit abs= could never fail."""
    offenders = []
    for path in sorted(Path(__file__).parent.glob("test_*.py")):
        text = path.read_text()
        start = 0
        while (j := text.find("pytest.approx(", start)) >= 0:
            k, depth = j + len("pytest.approx("), 1
            while depth:
                depth += {"(": 1, ")": -1}.get(text[k], 0)
                k += 1
            if "abs=" not in text[j:k] and path.name != "test_hygiene.py":
                offenders.append(f"{path.name}:{text.count(chr(10), 0, j) + 1}")
            start = k
    assert not offenders, offenders


def test_a_project_people_pick_up_has_its_files():
    """Licence text matching the declared licence, a citation file whose version is the
    package's one version, a changelog, the typing marker, and a registered slow marker."""
    import re
    import tomllib
    from pathlib import Path

    import spincaloric

    root = Path(__file__).parent.parent
    meta = tomllib.loads((root / "pyproject.toml").read_text())
    assert "version" in meta["project"]["dynamic"]  # one source: spincaloric/__init__.py
    assert meta["tool"]["hatch"]["version"]["path"] == "src/spincaloric/__init__.py"
    assert "BSD 3-Clause License" in (root / "LICENSE").read_text()
    assert meta["project"]["license"] == {"file": "LICENSE"}
    cff = (root / "CITATION.cff").read_text()
    assert re.search(r"^version: (\S+)$", cff, re.M).group(1) == spincaloric.__version__
    assert "## [Unreleased]" in (root / "CHANGELOG.md").read_text()
    assert (root / "src" / "spincaloric" / "py.typed").exists()
    markers = meta["tool"]["pytest"]["ini_options"]["markers"]
    assert any(m.startswith("slow:") for m in markers)
    ci = (root / ".ci" / "run").read_text()
    assert "python -m pytest -q" in ci and "ruff check" in ci and "set -euo pipefail" in ci
