"""Guards on the test suite itself, and on the wording of everything a user reads."""

import io
import re
import tokenize
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
    # CI runs exactly the README's test command
    command = next(line for line in (root / "README.md").read_text().splitlines()
                   if line.startswith("pip install '.[test]'"))
    assert command in ci.splitlines()


# ---- user-facing text speaks of physics and papers, not of the project's own history ----------

ROOT = Path(__file__).parent.parent

#: Phrases that narrate the project's process or history rather than the physics. Each is
#: narrow enough to leave physics alone ("spin extraction", "the random seed", "seed + i",
#: "the previous Newton step", "no longer matters").
PROCESS_PHRASES = [
    r"\bthe seed\b",                       # the project's source text; an RNG seed is "the random seed"
    r"\bseed's\b",
    r"\bseed (?:paper|text|file)s?\b",
    r"\bissues?\s*(?:#\s*)?\d+",
    r"\(issue:",
    r"\bglyphs?\b",
    r"\b(?:text|pdf) extraction\b",
    r"\bextracted (?:text|table|pdf)\b",
    r"\bthe extraction\b",
    r"\bdamaged\b",
    r"\bsessions?\b",
    r"\blanded\b",
    r"\b(?:earlier|previous|older|prior) (?:versions?|releases?|revisions?|implementations?|"
    r"code|runs?|tables?|behaviou?rs?|commits?|branch(?:es)?)\b",
    r"\bpreviously\b",
    r"\bformerly\b",
    r"\bhelper (?:sessions?|agents?|branch(?:es)?|brief)\b",
    r"\baudit(?:s|ed|ing)?\b",
    r"\bwas\b[^.;:\n]{0,50}\bnow\b",
    r"\(was [^)]{1,60}\)",
    r"\bconventions file\b",
    r"\bsigns? (?:were |was )?restored\b",
    r"\brestored signs?\b",
    r"\bsign restoration\b",
    r"\blater capabilit",
    r"\bnot (?:made|done|implemented|fixed) yet\b",
    r"\bre-?measured\b",
    r"\buser report\b",
    r"\bwe (?:fixed|changed|replaced|removed)\b",
    r"/work/|shared/seed",
]
_PROCESS = re.compile("|".join(f"(?:{p})" for p in PROCESS_PHRASES), re.IGNORECASE)
_MARKERS = re.compile(r"\b(?:TODO|FIXME|XXX)\b")  # case-sensitive: `todo` may name a variable

_TEXT_SUFFIXES = {".md", ".py", ".toml", ".dat", ".txt", ".yml", ".yaml", ".cfg", ".json"}


def process_phrases(text: str) -> list[str]:
    """The process or history phrases found in ``text`` (empty when it speaks of physics)."""
    return [m.group(0) for rx in (_PROCESS, _MARKERS) for m in rx.finditer(text)]


def _python_prose(path: Path) -> str:
    """The comments and string literals (docstrings, CLI help, messages) of a Python file."""
    keep = {tokenize.COMMENT, tokenize.STRING} | (
        {tokenize.FSTRING_MIDDLE} if hasattr(tokenize, "FSTRING_MIDDLE") else set())
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return "\n".join(t.string for t in tokens if t.type in keep)


def user_facing_prose(root: Path):
    """(path, text) of every user-facing text under ``root``: the docs, README, benchmark
    report, examples (scripts and data), and the source's comments, strings and data files."""
    files = [root / "README.md", root / "mkdocs.yml", root / "benchmarks" / "README.md"]
    for folder in ("docs", "examples", "src"):
        files += sorted(p for p in (root / folder).rglob("*") if p.suffix in _TEXT_SUFFIXES)
    for path in files:
        if not path.is_file():
            continue
        if path.suffix == ".py" and path.is_relative_to(root / "src"):
            yield path, _python_prose(path)
        else:
            yield path, path.read_text(encoding="utf-8")


def process_phrase_offences(root: Path) -> list[str]:
    return [f"{path.relative_to(root)}: {found!r}" for path, text in user_facing_prose(root)
            for found in process_phrases(text)]


def test_user_facing_text_speaks_of_physics_not_of_the_project_history():
    """Docs, README, examples, data-file comments, docstrings, CLI help: no "the seed",
    "issue 4", "damaged glyph", "session", "previous version", "was X, now Y"."""
    offences = process_phrase_offences(ROOT)
    assert not offences, "\n".join(offences)


def test_the_process_phrase_scan_flags_a_planted_sentence(tmp_path):
    """The scan above can fail: planted sentences in each kind of file are found, and the
    physics and numerics that share words with them are not."""
    planted = {
        "docs/a.md": "The minus signs lost in the extraction are restored from the damaged glyph.",
        "README.md": "As issue 4 asks, the seed's eq. 5 holds.",
        "examples/x.toml": "# G/A (was 0.5e15, now 0.8e15) from an earlier version\n",
        "src/pkg/m.py": 'def f():\n    """Added in this session."""\n    return 1  # TODO\n',
        "benchmarks/README.md": "Re-measured after the audit.",
    }
    for name, text in planted.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    offences = set(process_phrase_offences(tmp_path))
    expected = {"docs/a.md: 'the extraction'", "docs/a.md: 'damaged'", "docs/a.md: 'glyph'",
                "README.md: 'issue 4'", "README.md: 'the seed'",
                "examples/x.toml: '(was 0.5e15, now 0.8e15)'",
                "examples/x.toml: 'earlier version'",
                "src/pkg/m.py: 'session'", "src/pkg/m.py: 'TODO'",
                "benchmarks/README.md: 'Re-measured'", "benchmarks/README.md: 'audit'"}
    assert expected <= offences, expected - offences
    clean = ("The file keeps the random seed; trajectory i is seeded by seed + i. Spin extraction "
             "at a reverse-biased contact. The previous Newton step's error no longer matters. "
             "A 40 K pulse is now applied to the free layer; the pulse was short.")
    assert process_phrases(clean) == []
    # code is not prose: the names and code of a source file pass, its comments are read
    (tmp_path / "src/pkg/m.py").write_text("todo = [1]\nseed = 0  # the random seed\n")
    assert not [o for o in process_phrase_offences(tmp_path) if o.startswith("src")]
