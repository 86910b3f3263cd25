"""Studies of device files: steady-state sweeps and switching maps over their parameters."""
