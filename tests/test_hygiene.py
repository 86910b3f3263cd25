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
