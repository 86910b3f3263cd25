"""numba keys a cached kernel to its own module's source only: the lane kernels of ensemble.py,
compiled with those of kernels.py inside, are dropped from the cache when kernels.py changes."""

import hashlib
from pathlib import Path

from spincaloric.dynamics import ensemble, kernels


def test_the_lane_kernels_cache_follows_the_source_of_the_kernels_they_contain(tmp_path,
                                                                                monkeypatch):
    monkeypatch.setattr(ensemble.integrate_ensemble._cache, "_cache_path", str(tmp_path))
    cached = [tmp_path / "ensemble._chunk-1.py311.nbi", tmp_path / "ensemble._chunk-1.py311.1.nbc"]
    other = tmp_path / "kernels.integrate_fixed-1.py311.nbi"  # its own module's: kept
    stamp = tmp_path / "ensemble.kernels-source.sha256"
    digest = hashlib.sha256(Path(kernels.__file__).read_bytes()).hexdigest()

    def fill():
        for p in (*cached, other):
            p.write_bytes(b"compiled")

    fill()  # no record of the source: dropped, the digest recorded
    ensemble._refresh_stale_cache()
    assert not any(p.exists() for p in cached) and other.exists()
    assert stamp.read_text() == digest
    fill()  # the same source: kept
    ensemble._refresh_stale_cache()
    assert all(p.exists() for p in cached)
    stamp.write_text("0" * 64)  # kernels.py changed since: dropped
    ensemble._refresh_stale_cache()
    assert not any(p.exists() for p in cached) and stamp.read_text() == digest


def test_the_integrators_cache_follows_the_torque_map_they_contain(tmp_path):
    """kernels.py's integrators contain circuit_lanes' torque map: their cached code is dropped
    when circuit_lanes.py changes, another module's is kept."""
    from spincaloric.dynamics import circuit_lanes
    from spincaloric.dynamics.kernel_cache import refresh_stale_cache

    class Dispatcher:  # numba's dispatcher, as far as the cache's directory goes
        class _cache:
            _cache_path = str(tmp_path)

    ours = [tmp_path / "kernels.integrate_fixed-1.py311.nbi",
            tmp_path / "kernels.integrate_fixed-1.py311.1.nbc"]
    other = tmp_path / "ensemble._chunk-1.py311.nbi"
    stamp = tmp_path / "kernels.circuit_lanes-source.sha256"
    for p in (*ours, other):
        p.write_bytes(b"compiled")
    stamp.write_text(hashlib.sha256(Path(circuit_lanes.__file__).read_bytes()).hexdigest())
    refresh_stale_cache(Dispatcher, "kernels", circuit_lanes)  # the same source: kept
    assert all(p.exists() for p in ours)
    stamp.write_text("0" * 64)  # circuit_lanes.py changed since: dropped
    refresh_stale_cache(Dispatcher, "kernels", circuit_lanes)
    assert not any(p.exists() for p in ours) and other.exists()
    assert stamp.read_text() != "0" * 64
