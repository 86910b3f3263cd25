"""Results of a dynamics run: magnetizations, derived circuit quantities, xarray/netCDF, plots."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from ..circuit.contacts import cross_matrix
from ..circuit.device import lattice_name
from ..circuit.solution import joule_heat
from ..errors import DynamicsError
from ..files import (
    FORMAT_ATTRIBUTE,
    FORMAT_VERSION,
    atomic_write,
    netcdf3_attributes,
    output_problem,
)
from .switching import SwitchingResult, detect_switching, reference_direction

#: Saved states (trajectories × instants) whose circuit quantities a file's writer solves at a
#: time (:meth:`Trajectory.to_xarray`): bounded memory, whatever the ensemble.
CIRCUIT_POINTS = 20_000


@dataclass(eq=False)
class Trajectory:
    """Saved states of an ensemble of trajectories.

    Attributes
    ----------
    simulation : the :class:`~spincaloric.dynamics.simulation.Simulation` run.
    time : (S,) saved instants (s).
    m : (E, S, k, 3) unit magnetizations of the k dynamic magnets.
    steps : (E,) integration steps taken.   method : integrator name.
    amplitude : (E, J) drive amplitude scales used.
    settings : the run's settings (ensemble, temperature_noise, thermal_start when the starts
        were drawn, with either the random seed, dt (s) or rtol/atol/max_step (s)), kept with the
        results.
    crossing : (E, k) the last time (s) each magnet's projection on its initial easy-axis
        direction fell through zero, located by the integrator on its own steps (NaN: never);
        None for saved states alone (switching times are then interpolated between them).
    node_temperature : (E, S, h) absolute temperatures (K) of the nodes that store heat
        (:attr:`temperature_nodes`), integrated with m (:mod:`.transient`); None when no node
        has a heat capacity.
    temperature_extremes : (E, 2, h) the lowest and highest of those temperatures (K) on the
        integrator's steps (a short pulse may peak between saved instants).
    drive_sets : with drives of the trajectories' own (``Simulation.run(drives=...)``),
        (the distinct sets of drives, (E,) the set of each trajectory); None otherwise.
    own_parameters : {magnet: its E MagnetParameters} of the magnets run with parameters of
        each trajectory's own (``Simulation.run(parameters=...)``); None otherwise. Energies,
        rates and switching use each trajectory's (:meth:`magnet_parameters`).
    """

    simulation: object
    time: np.ndarray
    m: np.ndarray
    steps: np.ndarray
    method: str
    amplitude: np.ndarray
    settings: dict = field(default_factory=dict)
    crossing: np.ndarray | None = None
    node_temperature: np.ndarray | None = None
    temperature_extremes: np.ndarray | None = None
    drive_sets: tuple | None = None
    own_parameters: dict | None = None

    def __repr__(self) -> str:
        from ..progress import span

        e, n_save = self.m.shape[:2]
        step = self.settings.get("dt")
        how = self.method + (f", dt = {span(step)}" if step else "")
        noise = ", thermal noise" if self.settings.get("temperature_noise") else ""
        noise += ", thermal starts" if self.settings.get("thermal_start") else ""
        return (f"<Trajectory: {e} trajector{'y' if e == 1 else 'ies'} of {', '.join(self.names)}"
                f", {n_save} saved instants over {span(float(self.time[0]))} – "
                f"{span(float(self.time[-1]))} ({how}{noise}); .m, .time, .switching(), "
                f".summary(), .to_xarray()>")

    @property
    def names(self) -> tuple[str, ...]:
        return self.simulation.names

    @property
    def temperature_nodes(self) -> tuple[str, ...]:
        """Names of the nodes whose temperature the run integrates, in the order of
        :attr:`node_temperature` (a lattice temperature's node is ``NODE/lattice``; none
        without heat capacities)."""
        if self.node_temperature is None:
            return ()
        c = self.simulation.model.circuit
        return tuple(c.names[i] for i in np.flatnonzero(c.temperature_state))

    def temperature(self, node: str, lattice: bool = False) -> np.ndarray:
        """(E, S) absolute temperature (K) of node ``node`` (with ``lattice``, of its lattice,
        the node ``NODE/lattice``), one whose temperature the run integrates."""
        label = lattice_name(node) if lattice else node
        if label not in self.temperature_nodes:
            c = self.simulation.circuit
            if label not in c.index:
                why = ("no such node" if not lattice else "the node has no lattice "
                       "temperature (give it electron_phonon and a lattice_heat_capacity)")
            elif c.reservoir[c.index[label]]:
                why = "a reservoir: its temperature is a drive (drive_values)"
            else:
                why = ("its temperature is not a state of the run (no heat capacity): "
                       "circuit_solution.state(node).temperature has it")
            raise DynamicsError(f"nodes.{label}", why)
        return self.node_temperature[..., self.temperature_nodes.index(label)]

    def magnetization(self, name: str) -> np.ndarray:
        """(E, S, 3) magnetization of magnet ``name``."""
        return self.m[:, :, self.names.index(name)]

    def magnet_parameters(self, name: str) -> tuple:
        """The E MagnetParameters of magnet ``name``, trajectory by trajectory: its own where
        the run gave it some (``parameters=``), else the Simulation's."""
        own = (self.own_parameters or {}).get(name)
        return own if own is not None else (self.simulation.magnets[name],) * len(self.m)

    def _easy_axes(self, name: str) -> np.ndarray:
        """(E, 3) each trajectory's easy axis of magnet ``name``, normalised."""
        u = np.array([p.anisotropy_axis for p in self.magnet_parameters(name)], float)
        return u / np.linalg.norm(u, axis=-1, keepdims=True)

    def switching(self, threshold: float = 0.5) -> dict[str, SwitchingResult]:
        """Switching of every dynamic magnet (see :mod:`.switching`), along each trajectory's
        easy axis."""
        return {n: detect_switching(self.time, self.magnetization(n), self._easy_axes(n),
                                    threshold,
                                    None if self.crossing is None else self.crossing[:, j])
                for j, n in enumerate(self.names)}

    def unsettled(self, threshold: float = 0.5) -> dict[str, np.ndarray]:
        """{magnet: (E,) bool} the trajectories that end with their projection on the initial
        easy-axis direction between −``threshold`` and ``threshold``: neither back on their
        start's side nor switched (still reversing, or held near the equator), so that a
        longer run may decide them either way."""
        out = {}
        for name in self.names:
            m = self.magnetization(name)
            ref = reference_direction(m[:, 0], self._easy_axes(name))
            out[name] = np.abs(np.einsum("ec,ec->e", m[:, -1], ref)) < threshold
        return out

    def energy(self, name: str) -> np.ndarray:
        """(E, S) magnetic energy of magnet ``name`` (J), with each trajectory's parameters."""
        m = self.magnetization(name)
        if not (self.own_parameters or {}).get(name):
            return self.simulation.magnets[name].energy(m)
        return np.stack([p.energy(m[e]) for e, p in enumerate(self.magnet_parameters(name))])

    def drive_values(self) -> dict[tuple[str, str], np.ndarray]:
        """(E, S) value of every drive at the saved instants (V, K, A or W), amplitude applied."""
        from ..circuit.drives import drive_layout
        from .drives import Table

        sim = self.simulation
        sets, tset = self.drive_sets or ([sim.drives], np.zeros(len(self.m), np.int64))
        out = {}
        for j, (node, quantity) in enumerate(sim.drives):
            static = drive_layout(sim.circuit).static_value(node, quantity)
            v = np.empty((len(sets), len(self.time)))
            for i, drives in enumerate(sets):
                drive = drives[(node, quantity)]
                if not callable(drive):  # duck-typed: only sample() and breakpoints()
                    drive = Table(*(tuple(a) for a in drive.sample(self.time[-1],
                                                                   self.time[-1] / 200)))
                v[i] = np.asarray(drive(self.time), float)
            out[(node, quantity)] = static + self.amplitude[:, j:j + 1] * (v[tset] - static)
        return out

    @cached_property
    def circuit_solution(self):
        """The circuit solved at every saved instant of every trajectory (batch (E, S)), at
        the integrated temperatures and, with time-resolved Joule heating, with the Joule heat
        of its currents deposited as the run did."""
        sim = self.simulation
        kw = {"voltage": {}, "temperature": {}, "current": {}, "heat": {}}
        for (node, quantity), v in self.drive_values().items():
            kw[quantity][node] = v
        for node in self.temperature_nodes:  # the temperatures the run integrated
            kw["temperature"][node] = self.temperature(node)
        mags = {n: self.magnetization(n) for n in self.names}
        solution = sim.thermal_circuit.solve(magnetization=mags, **kw)
        if not sim.joule_heating:
            return solution
        # the run deposited the Joule heat of these currents in the nodes (first correction)
        for node, heat in joule_heat(solution).items():
            kw["heat"][node] = kw["heat"].get(node, 0.0) + heat
        return sim.thermal_circuit.solve(magnetization=mags, **kw)

    @cached_property
    def rates(self) -> np.ndarray:
        """(E, S, k, 3) dm/dt (1/s) at the saved states: the LLGS solved for ṁ with the circuit
        torque at the saved drives and, when the run pumps, the pumping D ṁ (M ṁ = Ω,
        docs/dynamics.md); the deterministic part (no thermal field), with each trajectory's
        magnet parameters (:meth:`magnet_parameters`)."""
        sim = self.simulation
        k = len(self.names)
        omega = np.zeros(self.m.shape)
        mmat = np.broadcast_to(np.eye(3 * k), self.m.shape[:2] + (3 * k, 3 * k)).copy()
        sol = self.circuit_solution if sim.torque == "circuit" else None
        rate = np.zeros((len(self.m), 3 * k))  # γ/(M_s V) of each trajectory's magnets
        for j, name in enumerate(self.names):
            own = (self.own_parameters or {}).get(name)
            for e, par in ((slice(None), sim.magnets[name]),) if not own else enumerate(own):
                m = self.m[e, :, j]
                gamma = par.gyromagnetic_ratio
                omega[e, :, j] = -gamma * np.cross(m, par.effective_field(m))
                if sol is not None:
                    omega[e, :, j] += gamma / par.moment * sol.magnet_torque(name)[e]
                mmat[e, ..., 3 * j:3 * j + 3, 3 * j:3 * j + 3] -= par.damping * cross_matrix(m)
                rate[e, 3 * j:3 * j + 3] = gamma / par.moment
        if sim.pumps:
            d = sim.model.damping_matrix(self.m).reshape(self.m.shape[:2] + (3 * k, 3 * k))
            mmat -= rate[:, None, :, None] * d
        flat = omega.reshape(self.m.shape[:2] + (3 * k,))
        return np.linalg.solve(mmat, flat[..., None])[..., 0].reshape(self.m.shape)

    @cached_property
    def pumped_currents(self) -> tuple[np.ndarray, np.ndarray]:
        """(charge, heat), each (E, S, r): the conventional charge current (A) and the heat
        current (W) that the moving magnets pump into every reservoir (lead) at the saved
        states, first order in ṁ = :attr:`rates` (zero when the run does not pump); add them
        to the static circuit's currents for the total."""
        sim = self.simulation
        if not sim.pumps:
            n = int(sim.circuit.reservoir.sum())
            return (np.zeros(self.m.shape[:2] + (n,)),) * 2
        tm = sim.model
        i1, q1 = tm.reservoir_currents(self.m, tm.d0, self.rates)
        i0, q0 = tm.reservoir_currents(self.m, tm.d0)
        # from the reservoir into the circuit (theory charge: e × particle current) -> into
        # the lead, conventional
        return i1 - i0, -(q1 - q0)

    def summary(self) -> dict:
        """JSON summary per dynamic magnet: ``final_magnetization``, ``switched`` and
        ``switching_time`` (s or None) of the first trajectory; with an ensemble also
        ``ensemble`` (E), ``switching_probability`` with its Clopper–Pearson
        ``switching_probability_interval_95``, ``median_switching_time`` (s, over the
        trajectories that switched; None if none did) and ``mean_final_magnetization``.
        ``unsettled_trajectories`` counts those that end between −0.5 and 0.5 of the easy
        axis (:meth:`unsettled`): the probability may still change after the run's end.
        An ensemble without thermal noise whose trajectories are copies of one another (the
        same start, drives and parameters) has the probability 0 or 1 exactly: its interval
        is that point, and ``identical_trajectories`` is true.
        Switching times are located on the integrator's steps, whatever the saving interval."""
        out = {}
        identical = (not self.settings.get("temperature_noise")
                     and bool(np.all(self.m == self.m[:1])))
        unsettled = self.unsettled()
        for name, res in self.switching().items():
            m_final = self.magnetization(name)[:, -1]
            entry = {"final_magnetization": m_final[0].tolist(),
                     "switched": bool(res.switched[0]),
                     "switching_time": None if np.isnan(res.time[0]) else float(res.time[0])}
            if len(res.switched) > 1:
                times = res.time[res.switched]
                entry["ensemble"] = len(res.switched)
                entry["switching_probability"] = res.probability
                entry["switching_probability_interval_95"] = (
                    [res.probability] * 2 if identical else list(res.probability_interval))
                if identical:
                    entry["identical_trajectories"] = True
                entry["median_switching_time"] = (float(np.median(times)) if times.size
                                                  else None)
                entry["mean_final_magnetization"] = m_final.mean(axis=0).tolist()
                entry["unsettled_trajectories"] = int(unsettled[name].sum())
            out[name] = entry
        return out

    def peak_temperatures(self) -> dict[str, float]:
        """{node: the highest temperature (K) of trajectory 0 on the integrator's steps} of
        the nodes whose temperature the run integrates (empty without heat capacities)."""
        if self.node_temperature is None:
            return {}
        top = (self.node_temperature[0].max(axis=0) if self.temperature_extremes is None
               else self.temperature_extremes[0, 1])
        return {node: float(top[i]) for i, node in enumerate(self.temperature_nodes)}

    def part(self, trajectories: slice) -> Trajectory:
        """The trajectories ``trajectories`` (a slice of the ensemble) as a Trajectory of their
        own, with their drives, parameters and temperatures."""
        def cut(a):
            return None if a is None else a[trajectories]

        sets = None if self.drive_sets is None else (self.drive_sets[0],
                                                     self.drive_sets[1][trajectories])
        own = None if self.own_parameters is None else {
            name: v[trajectories] for name, v in self.own_parameters.items()}
        return replace(self, m=self.m[trajectories], steps=self.steps[trajectories],
                       amplitude=self.amplitude[trajectories], crossing=cut(self.crossing),
                       node_temperature=cut(self.node_temperature),
                       temperature_extremes=cut(self.temperature_extremes), drive_sets=sets,
                       own_parameters=own)

    def _circuit_columns(self, progress=None):
        """(torque (E, S, k, 3) N·m, charge (E, S, c) A and heat (E, S, c) W currents of every
        contact, contact labels, pumped (charge, heat) currents (E, S, r) or None) at the saved
        states, from :attr:`circuit_solution` and :attr:`pumped_currents` of parts of
        :data:`CIRCUIT_POINTS` saved states at a time (memory: the file's and a part's);
        ``progress.update(n)`` (:class:`spincaloric.progress.Progress`) after each part of n
        trajectories."""
        e, n_save = self.m.shape[:2]
        step = max(1, CIRCUIT_POINTS // n_save)
        c = self.simulation.circuit
        labels = [f"{c.names[a]}->{c.names[b]}" for a, b in c.ends]
        leads = int(c.reservoir.sum())
        tau = np.empty(self.m.shape)
        charge, heat = np.empty((2, e, n_save, len(labels)))
        pumped = np.empty((2, e, n_save, leads)) if self.simulation.pumps else None
        for first in range(0, e, step):
            rows = slice(first, min(first + step, e))
            part = self.part(rows) if step < e else self
            sol = part.circuit_solution
            tau[rows] = np.stack([sol.magnet_torque(n) for n in self.names], axis=-2)
            charge[rows] = np.stack([r.charge_current for r in sol.contacts], -1)
            heat[rows] = np.stack([r.heat_current for r in sol.contacts], -1)
            if pumped is not None:
                pumped[:, rows] = part.pumped_currents
            if progress is not None:
                progress.update(rows.stop - rows.start)
        return tau, charge, heat, labels, pumped

    def to_xarray(self, with_circuit: bool = True, progress=None):
        """An xarray Dataset: m (ensemble, time, magnet, component); with ``with_circuit`` also
        the torques (N·m; τ0 of the magnets held at m(t): with spin pumping the run's torque
        adds D ṁ, which this variable leaves out), every contact's charge (A) and heat (W)
        current, and the drives
        (``progress``: an object whose ``update(n)`` is called as the circuit has been solved
        for n more trajectories, e.g. :class:`spincaloric.progress.Progress`)."""
        import xarray as xr

        coords = {"ensemble": np.arange(self.m.shape[0]), "time": self.time,
                  "magnet": list(self.names), "component": ["x", "y", "z"]}
        ds = xr.Dataset(coords=coords)
        ds["time"].attrs.update(units="s", long_name="time")
        ds["ensemble"].attrs["long_name"] = "trajectory"
        ds["magnet"].attrs["long_name"] = "dynamic magnet (its node)"
        ds["component"].attrs["long_name"] = "Cartesian component"
        ds["m"] = (("ensemble", "time", "magnet", "component"), self.m,
                   {"units": "1", "long_name": "unit magnetization"})
        for j, ((node, quantity), v) in enumerate(self.drive_values().items()):
            unit = {"voltage": "V", "temperature": "K", "current": "A", "heat": "W"}[quantity]
            ds[f"drive_{node}_{quantity}"] = (("ensemble", "time"), v,
                                              {"units": unit, "long_name": f"{node} {quantity}"})
        if self.node_temperature is not None:
            ds = ds.assign_coords(thermal_node=list(self.temperature_nodes))
            ds["thermal_node"].attrs["long_name"] = "node whose temperature is integrated"
            ds["node_temperature"] = (("ensemble", "time", "thermal_node"),
                                      self.node_temperature,
                                      {"units": "K", "long_name": "temperature"})
        if with_circuit:
            tau, charge_current, heat_current, labels, pumped = self._circuit_columns(progress)
            ds["torque"] = (("ensemble", "time", "magnet", "component"), tau,
                            {"units": "N m", "long_name": "spin-transfer torque"})
            ds = ds.assign_coords(contact=labels)
            ds["contact"].attrs["long_name"] = "contact (from->to: its current's direction)"
            ds["charge_current"] = (("ensemble", "time", "contact"), charge_current,
                                    {"units": "A", "long_name": "conventional charge current"})
            ds["heat_current"] = (("ensemble", "time", "contact"), heat_current,
                                  {"units": "W", "long_name": "heat current"})
            if self.simulation.pumps:
                c = self.simulation.circuit
                ds = ds.assign_coords(lead=[c.names[i] for i in np.flatnonzero(c.reservoir)])
                ds["lead"].attrs["long_name"] = "reservoir node"
                charge, heat = pumped
                ds["pumped_charge_current"] = (
                    ("ensemble", "time", "lead"), charge,
                    {"units": "A", "long_name": "conventional charge current pumped into the "
                     "lead by the moving magnets"})
                ds["pumped_heat_current"] = (
                    ("ensemble", "time", "lead"), heat,
                    {"units": "W", "long_name": "heat current pumped into the lead by the "
                     "moving magnets"})
        sw = self.switching()
        ds["switched"] = (("ensemble", "magnet"), np.stack([sw[n].switched for n in self.names],
                                                          -1),
                          {"units": "1", "long_name": "switched (1) or not (0)"})
        ds["switching_time"] = (("ensemble", "magnet"),
                                np.stack([sw[n].time for n in self.names], -1),
                                {"units": "s", "long_name": "switching time (NaN: none)"})
        ds.attrs.update(title=self.simulation.circuit.title, method=self.method,
                        regime=self.simulation.circuit.regime, **{FORMAT_ATTRIBUTE: FORMAT_VERSION},
                        **{k: int(v) if isinstance(v, bool) else v
                           for k, v in self.settings.items()})
        return ds

    def to_netcdf(self, path, with_circuit: bool = True, *, overwrite: bool = False) -> None:
        """Write :meth:`to_xarray` to netCDF atomically (a temporary file, then a rename);
        attributes netCDF-3 cannot hold as numbers (a seed beyond 32 bits) as text. An
        existing ``path`` is replaced only with ``overwrite`` (else FileExistsError, before
        any work)."""
        _check_output(path, overwrite)
        if Path(path).suffix == ".zarr":
            raise DynamicsError("path", "to_netcdf writes netCDF (.nc); for a zarr store "
                                "write to_xarray().to_zarr(path)")
        ds = netcdf3_attributes(self.to_xarray(with_circuit))
        atomic_write(path, lambda tmp: ds.to_netcdf(tmp))

    def plot(self, path=None, trajectory: int = 0, *, overwrite: bool = False):
        """Figure of m(t) of every dynamic magnet and of the torque (trajectory ``trajectory``);
        written atomically to ``path`` (PNG, or the format of its suffix) if given — an
        existing file only with ``overwrite`` (else FileExistsError, before any work).
        Returns the matplotlib figure."""
        ensemble = self.m.shape[0]
        if not (isinstance(trajectory, (int, np.integer)) and -ensemble <= trajectory < ensemble):
            raise DynamicsError("trajectory", f"must be a trajectory of the run, 0 … "
                                f"{ensemble - 1}, got {trajectory!r}")
        if path is not None:
            _check_output(path, overwrite)
        import matplotlib

        if path is not None:
            matplotlib.use("Agg")
            from matplotlib.figure import Figure

            kinds = Figure().canvas.get_supported_filetypes()
            if Path(path).suffix.lstrip(".").lower() not in {*kinds, ""}:
                raise DynamicsError("path", f"{Path(path).suffix!r} is no figure format "
                                    f"(one of {', '.join('.' + k for k in sorted(kinds))})")
        import matplotlib.pyplot as plt

        sol = self.circuit_solution
        sol_tau = {n: sol.magnet_torque(n)[trajectory] for n in self.names}
        rows = 3 if self.node_temperature is not None else 2
        fig, axes = plt.subplots(rows, 1, figsize=(7, 3 * rows), sharex=True,
                                 constrained_layout=True)
        t_ns = self.time * 1e9
        for name in self.names:
            m = self.magnetization(name)[trajectory]
            for i, comp in enumerate("xyz"):
                axes[0].plot(t_ns, m[:, i], label=f"{name} m_{comp}")
            if ensemble > 1:  # what the whole ensemble does, along the easy axis
                mean = np.einsum("esi,ei->es", self.magnetization(name),
                                 self._easy_axes(name)).mean(axis=0)
                axes[0].plot(t_ns, mean, "k--", label=f"{name} ⟨m·u⟩ over {ensemble}")
            axes[1].plot(t_ns, np.linalg.norm(sol_tau[name], axis=-1) * 1e21,
                         label=f"|τ| on {name}")
        if ensemble > 1:
            axes[0].set_title(f"trajectory {trajectory} of an ensemble of {ensemble}; "
                              "dashed: ensemble mean", fontsize=9)
        axes[0].set_ylabel("magnetization")
        axes[0].legend(fontsize=8, ncol=3)
        axes[1].set_ylabel("torque (10⁻²¹ N·m)")
        axes[1].legend(fontsize=8)
        for node in self.temperature_nodes:
            axes[2].plot(t_ns, self.temperature(node)[trajectory], label=f"T of {node}")
        if rows == 3:
            axes[2].set_ylabel("temperature (K)")
            axes[2].legend(fontsize=8)
        axes[-1].set_xlabel("time (ns)")
        if path is not None:
            path = Path(path)
            atomic_write(path, lambda tmp: fig.savefig(tmp, format=path.suffix.lstrip(".")
                                                       or "png", dpi=120))
        return fig


def _check_output(path, overwrite: bool) -> None:
    """Before any work: FileExistsError for an existing ``path`` without ``overwrite``; a
    DynamicsError("path", ...) for an empty path, a directory, or a missing or unwritable
    parent directory (:func:`~spincaloric.files.output_problem`)."""
    problem = output_problem(path, overwrite=True)
    if problem is None and Path(path).is_dir():
        problem = f"{path} is a directory"
    if problem is not None:
        raise DynamicsError("path", problem)
    if not overwrite and Path(path).exists():
        raise FileExistsError(f"{path} exists: pass overwrite=True to replace it")
