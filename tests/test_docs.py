"""The documentation site (theory, tutorial, device format, gallery, API from docstrings)
builds without warnings."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.slow
def test_docs_site_builds_strictly(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f",
                    str(ROOT / "mkdocs.yml"), "-d", str(tmp_path / "site")], check=True,
                   cwd=ROOT)
    api = (tmp_path / "site" / "api" / "circuits" / "index.html").read_text()
    assert "response_matrix" in api  # docstrings rendered
    assert (tmp_path / "site" / "gallery" / "index.html").exists()


def _snippets():
    import re

    for path in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        text = path.read_text()
        for m in re.finditer(r"```python\n(.*?)```", text, re.S):
            line = text[:m.start()].count("\n") + 1
            code = m.group(1)
            # snippets that integrate magnetization dynamics compile numba kernels
            marks = [pytest.mark.slow] if ".run(" in code else []
            yield pytest.param(path, line, code, id=f"{path.name}:{line}", marks=marks)


@pytest.mark.parametrize("path, line, code", list(_snippets()))
def test_every_python_snippet_in_the_docs_runs_as_written(path, line, code, monkeypatch):
    """A reader copies a snippet into a fresh interpreter at the repository root: it must run
    (imports and names included)."""
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    exec(compile(code, f"{path.name}:{line}", "exec"), {"__name__": "__snippet__"})
