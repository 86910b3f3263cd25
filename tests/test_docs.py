"""The documentation site (theory, tutorial, device format, gallery, API from docstrings)
builds without warnings."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


def test_docs_site_builds_strictly(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f",
                    str(ROOT / "mkdocs.yml"), "-d", str(tmp_path / "site")], check=True,
                   cwd=ROOT)
    api = (tmp_path / "site" / "api" / "circuits" / "index.html").read_text()
    assert "response_matrix" in api  # docstrings rendered
    assert (tmp_path / "site" / "gallery" / "index.html").exists()
