"""Set up and run LLGS dynamics of a circuit's magnets with circuit-solved torques.

Usage (a sketch; runnable versions are in ``examples/``)::

    sim = Simulation(circuit, {"free": MagnetParameters(...)},
                     drives={("right", "temperature"): LaserPulse(base=300, peak=40, ...)})
    traj = sim.run(until=5e-9, ensemble=100, temperature_noise=True, seed=1)
    traj.switching()["free"].probability
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from ..circuit.device import Circuit, DeviceError
from ..circuit.drives import QUANTITIES, drive_layout, to_boundary, to_theory
from ..circuit.memory import available_bytes, byte_size
from ..errors import DynamicsError, Interrupted
from ..linear_response import warn_beyond_linear_response
from ..validation import (
    UnusedSettingWarning,
    real,
    real_array,
    temperature_reason,
    unit_vectors,
)
from ..validation import seed as validated_seed
from .condensation import CondensedMaps
from .magnets import MAX_PRECESSION, MagnetError, MagnetParameters
from .segments import batches, call_grid, rk45_step, segment_stop, step_work, steps_per_call
from .stability import default_step, largest_field, step_problem
from .streams import trajectory_states
from .torque_model import CircuitTorqueModel, dynamic_magnet_nodes, refuse_ideal_pumping
from .trajectory import Trajectory

METHODS = ("rk45", "rk4", "heun", "lsoda")
#: At most this many instants per kernel call (fewer when the call's work would be long,
#: :mod:`.segments`): a long run proceeds (and reports progress) in such segments; the
#: segmentation never depends on the progress display.
SEGMENT = 256
#: Trajectories per kernel call (a multiple of the ensemble kernel's 64 lanes): a large
#: ensemble proceeds, and reports progress, block by block; trajectories are independent.
BLOCK = 1024
#: From this ensemble size on, fixed-step methods use the lane-vectorised, multi-threaded
#: ensemble kernel (same random streams; results agree with the scalar kernel to rounding).
ENSEMBLE_KERNEL_MIN = 8


#: The most time steps a run may ask for (until/dt, or until/max_step of RK45): hours of
#: integration per trajectory.
MAX_STEPS = 1e10
#: The longest run (s): a second of magnetization dynamics is 10¹² picosecond steps.
MAX_UNTIL = 1.0
#: The most radians of precession a run may follow (until × the fastest γ|B_eff|): each
#: turn takes tens of steps.
MAX_TURNING = 1e10
#: The most saved magnetization components of a run (ensemble × n_save × magnets × 3): 128 GiB.
MAX_SAVED = 2**34


def _refuse_beyond_memory(ensemble: int, n_save: int, k: int) -> None:
    """A DynamicsError ``ensemble`` when the magnetizations a run keeps — (n_save + 2) unit
    vectors of k magnets per trajectory (the saved instants, the start and the state), 8 bytes
    a component — exceed the memory this machine has free
    (:func:`~spincaloric.circuit.memory.available_bytes`): refused before the work, not ended
    by the system's out-of-memory killer."""
    need = 24.0 * ensemble * (n_save + 2) * k
    free = available_bytes()
    if free is not None and need > free:
        raise DynamicsError("ensemble", f"{ensemble} trajectories of {n_save} saved instants "
                            f"keep ~{byte_size(need)} of magnetizations, more than the "
                            f"{byte_size(free)} of memory available: fewer trajectories in one "
                            "run (spincaloric wer keeps only each trajectory's switching)")


def run_settings(until, *, magnets=None, n_save=1001, ensemble=1, method=None,
                 temperature_noise=False, dt=None, seed=0, rtol=1e-7, atol=1e-9, max_step=None):
    """The settings of :meth:`Simulation.run` (and of a device file's ``[simulation]``),
    validated — a DynamicsError names a wrong one — with the defaults filled in: (until (s),
    n_save, ensemble, dt (s; None when not given: the run takes
    :func:`.stability.default_step`), max_step (s), method, seed, rtol, atol). With ``magnets``
    {name: MagnetParameters} the precession they allow is bounded too."""
    if not 0 < real(until, "until", "s", DynamicsError) <= MAX_UNTIL:
        raise DynamicsError("until", f"must be a positive time of at most {MAX_UNTIL:g} s "
                            f"(10¹² picosecond steps), got {until!r}")
    until = float(until)
    name, fastest = max(((k, p.precession_rate) for k, p in (magnets or {}).items()),
                        key=lambda kv: kv[1], default=("", 0.0))
    if not until * fastest <= MAX_TURNING:
        raise DynamicsError("until", f"{until:g} s of precession at up to {fastest:.3g} rad/s "
                            f"(magnet {name}): more than {MAX_TURNING:g} rad to follow")
    for name, value, least in (("n_save", n_save, 2), ("ensemble", ensemble, 1)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
                or value < least:
            raise DynamicsError(name, f"must be a whole number ≥ {least}, got {value!r}")
    if not ensemble * n_save * max(len(magnets or {}), 1) * 3 <= MAX_SAVED:
        raise DynamicsError("n_save", f"{n_save} saved instants of {ensemble} trajectories "
                            f"exceed {MAX_SAVED:.3g} stored components: fewer of either")
    _refuse_beyond_memory(ensemble, n_save, max(len(magnets or {}), 1))
    eps = float(np.finfo(float).eps)  # the resolution of a unit vector's components
    for name, value in (("rtol", rtol), ("atol", atol)):
        if not eps <= real(value, name, error=DynamicsError) <= 1:
            raise DynamicsError(name, f"must be a tolerance in [{eps:.3g}, 1] (double "
                                f"precision resolves no finer), got {value!r}")
    if not isinstance(temperature_noise, (bool, np.bool_)):
        raise DynamicsError("temperature_noise", f"must be true or false, got "
                            f"{temperature_noise!r}")
    seed = validated_seed(seed, "seed", DynamicsError)
    method = ("heun" if temperature_noise else "rk45") if method is None else method
    if not isinstance(method, str) or method not in METHODS:
        raise DynamicsError("method", f"must be one of {METHODS}, got {method!r}")
    if temperature_noise and method != "heun":
        raise DynamicsError("method", f"thermal noise needs the stochastic 'heun' method, got "
                            f"{method!r} (leave the method out: with noise heun is the "
                            "default)")
    if dt is not None and not real(dt, "dt", "s", DynamicsError) > 0:
        raise DynamicsError("dt", f"must be a positive time step (s), got {dt!r}")
    if max_step is not None and not real(max_step, "max_step", "s", DynamicsError) > 0:
        raise DynamicsError("max_step", f"must be a positive time (s), got {max_step!r}")
    max_step = float(max_step or until / 50)
    if method in ("rk45", "lsoda"):
        check_steps(until, "max_step", max_step)
    elif dt is not None:
        check_steps(until, "dt", float(dt))
    return (until, int(n_save), int(ensemble), None if dt is None else float(dt), max_step,
            method, seed, float(rtol), float(atol))


def check_steps(until: float, name: str, step: float) -> None:
    """Refuse a step (s) that makes more than :data:`MAX_STEPS` steps to ``until`` (s) (a
    step that underflows to 0, of a run too short to take one, among them)."""
    steps = until / step if step > 0 else math.inf
    if not steps <= MAX_STEPS:
        raise DynamicsError(name, f"{step:.3g} s makes {steps:.3g} steps to {until:g} s, more "
                            f"than {MAX_STEPS:g}")


def resolve_drives(circuit: Circuit, drives) -> dict:
    """Validate {(node, quantity): drive} against ``circuit`` (one-line errors naming
    ``drives.NODE.QUANTITY``) and give every drive without a base the node's static value."""
    c = circuit
    resolved = {}
    for (node, quantity), drive in drives.items():
        where = f"drives.{node}.{quantity}"
        if quantity not in QUANTITIES:
            raise DynamicsError(where, f"quantity must be one of {QUANTITIES}")
        if not isinstance(node, str) or node not in c.index:
            raise DynamicsError(where, "no such node")
        if (quantity == "heat") == c.reservoir[c.index[node]]:
            raise DynamicsError(where, "heat (W) drives internal nodes; voltage, "
                                "temperature and current drive reservoirs")
        if not drive_layout(c).takes[quantity][c.index[node]]:
            raise DynamicsError(where, "the reservoir is current-biased: drive its current"
                                if quantity == "voltage" else "the reservoir is voltage-biased: "
                                "set `current` on it to make it current-biased")
        static = drive_layout(c).static_value(node, quantity)
        # a drive without a base starts from the reservoir's static value
        resolved[(node, quantity)] = (drive.with_base(static) if hasattr(drive, "with_base")
                                      else drive)
    return resolved


def drive_tables(circuit: Circuit, drives, until: float, max_step: float):
    """The drives {(node, quantity): drive} (resolved, :func:`resolve_drives`) sampled on
    [0, until] (s) with steps of at most ``max_step``, as the kernels take them: (slots,
    offsets, times, values, breakpoints). A temperature drive must stay positive."""
    slots, offsets, times, values, breaks = [], [0], [], [], [0.0]
    layout = drive_layout(circuit)
    for (node, quantity), drive in drives.items():
        t, v = drive.sample(until, max_step)
        t, v = np.asarray(t, float), np.asarray(v, float)
        if not (np.all(np.isfinite(t)) and np.all(np.isfinite(v))):
            raise DynamicsError(f"drives.{node}.{quantity}", "takes values beyond the "
                                "floating-point range")
        if quantity == "temperature" and np.any(v <= 0):
            raise DynamicsError(f"drives.{node}.temperature",
                                "the temperature must stay positive (K)")
        slots.append(layout.slot(layout.index[node], quantity))
        times.append(t)
        values.append(to_theory(quantity, v, circuit.temperature))
        offsets.append(offsets[-1] + len(t))
        breaks.extend(np.asarray(drive.breakpoints(), float).tolist())

    def cat(xs):
        return np.concatenate(xs) if xs else np.zeros(0)

    breaks = np.unique(np.clip(np.array(breaks), 0.0, until))
    return (np.array(slots, np.int64), np.array(offsets, np.int64), cat(times), cat(values),
            breaks)


def table_sets(circuit: Circuit, drive_sets, until: float, max_step: float):
    """:func:`drive_tables` of several sets of resolved drives with the same keys, stacked
    as the kernels take them: (slots (J,), offsets (S, J + 1), times, values, breakpoints
    (S, B) each set's in increasing order, padded with +inf)."""
    parts = [drive_tables(circuit, d, until, max_step) for d in drive_sets]
    shift = np.cumsum([0] + [len(p[2]) for p in parts[:-1]])
    breaks = np.full((len(parts), max(len(p[4]) for p in parts)), np.inf)
    for i, p in enumerate(parts):
        breaks[i, :len(p[4])] = p[4]
    return (parts[0][0], np.stack([p[1] + sh for p, sh in zip(parts, shift)]),
            np.concatenate([p[2] for p in parts]), np.concatenate([p[3] for p in parts]),
            breaks)


@dataclass
class Simulation:
    """Macrospin LLGS dynamics of ``magnets``: ferromagnets of ``circuit``, reservoirs or
    internal (a free layer; a diffusive ferromagnetic layer named by any vertex turns whole).

    Parameters
    ----------
    circuit : the finalized circuit; its reservoir states are the static drives.
    magnets : {node name: MagnetParameters} the dynamic magnets; other magnets stay fixed.
    drives : {(node, quantity): drive}, quantity "voltage" (electric potential, V),
        "temperature" (absolute, K), "current" (conventional, into the device, A; the
        reservoir must be current-biased) or "heat" (W deposited in an internal node, e.g. by
        a laser); a drive is any object with ``sample(t_end,
        max_step) -> (times, values)`` and ``breakpoints()`` (see :mod:`.drives`); the Joule
        heat of the drives is second order and left out unless added with
        :func:`.heating.with_joule_heating`.
    With nodes that store heat (``heat_capacity`` > 0, lattice nodes included) the run
    integrates their temperatures with the magnetizations (SciPy's LSODA, :mod:`.transient`):
    a heat drive is then an absorbed power, and runs are deterministic.
    torque : "circuit" (solved from the circuit at every step), "none", or "slonczewski"
        (prescribed τ/(M_s V) = a_J m × (m × p), for comparisons; give ``slonczewski`` =
        {magnet: (a_J in T, p 3-vector)}).
    joule_heating : the Joule heat of the currents (second order in the bias) deposited in the
        nodes at every evaluation, from the circuit at the current magnetizations, drives and
        temperatures (time-resolved; :mod:`.transient`, integrated by LSODA like a run whose
        nodes store heat); ``False``: none, unless the drives carry it
        (:func:`.heating.with_joule_heating`, evaluated once at fixed magnetizations).
    pumping : with the circuit torque, the spin pumped by the moving magnets into the
        circuit (Tserkovnyak, Brataas & Bauer 2002; physics.md §9): the torque becomes
        τ0(m) + D(m) ṁ (enhanced damping, dynamic coupling through the circuit) and the
        LLGS is solved for ṁ exactly at every stage. ``False``: static-magnet torques only,
        for comparisons with prescribed-torque codes.
    tabulate : with one dynamic magnet in a circuit whose other directions lie along one
        axis p, evaluate the circuit torque from its exact series in m·p
        (:mod:`.axial`; checked against the solve when built, :attr:`torque_table`) instead
        of solving the circuit at every stage: the same torque to round-off, several times
        faster. ``False``: always solve.
    """

    circuit: Circuit
    magnets: Mapping[str, MagnetParameters]
    drives: Mapping[tuple[str, str], object] = field(default_factory=dict)
    torque: str = "circuit"
    slonczewski: Mapping[str, tuple[float, np.ndarray]] = field(default_factory=dict)
    pumping: bool = True
    joule_heating: bool = False
    tabulate: bool = True

    def __post_init__(self):
        if not isinstance(self.circuit, Circuit):
            raise DynamicsError("circuit", f"must be a finalized Circuit (Device.finalize()), "
                                f"got {self.circuit!r}")
        for name, kind in (("magnets", MagnetParameters), ("drives", None),
                           ("slonczewski", None)):
            given = getattr(self, name)
            if not isinstance(given, Mapping):
                raise DynamicsError(name, f"must be a mapping, got {given!r}")
            for key, value in given.items():
                if kind is not None and not isinstance(value, kind):
                    raise DynamicsError(f"{name}.{key}", f"must be {kind.__name__}, got "
                                        f"{value!r}")
                if name == "drives" and not (isinstance(key, tuple) and len(key) == 2
                                             and hasattr(value, "sample")):
                    raise DynamicsError(f"drives.{key}", "must map (node, quantity) to a drive "
                                        "(spincaloric.dynamics.drives)")
        if not self.magnets:
            raise DynamicsError("magnets", "no dynamic magnet")
        if not isinstance(self.torque, str) or self.torque not in ("circuit", "none",
                                                                   "slonczewski"):
            raise DynamicsError("torque", f"must be 'circuit', 'none' or 'slonczewski', "
                                f"got {self.torque!r}")
        for name in ("pumping", "joule_heating", "tabulate"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise DynamicsError(name, f"must be true or false, got {getattr(self, name)!r}")
        self.names = tuple(self.magnets)
        try:  # the names here; the torque maps (a computation) on first use, see ``model``
            dynamic_magnet_nodes(self.circuit, self.names)
            if self.pumps:
                refuse_ideal_pumping(self.circuit, self.names)
        except DeviceError as err:
            raise DynamicsError(err.field, err.reason) from None
        self.drives = resolve_drives(self.circuit, self.drives)

    @property
    def transient(self) -> bool:
        """Whether the run integrates heat flow (:mod:`.transient`): nodes store heat (a heat
        capacity > 0; their temperatures are states, integrated with the magnetizations) or
        the Joule heat is resolved in time (``joule_heating``)."""
        return bool(np.any(self.circuit.heat_capacity > 0) or self.joule_heating)

    @functools.cached_property
    def thermal_circuit(self) -> Circuit:
        """The circuit the run solves: with its temperature states given
        (:meth:`Circuit.with_temperature_states`) when it stores heat, else itself."""
        return self.circuit.with_temperature_states() if self.transient else self.circuit

    @functools.cached_property
    def model(self) -> CircuitTorqueModel:
        """The exact torque map of the circuit for the dynamic magnets (built on first use;
        a DynamicsError if it cannot be, e.g. beyond the memory available); with heat
        capacities, that of :attr:`thermal_circuit` with its heat balances."""
        try:
            return CircuitTorqueModel.build(self.thermal_circuit, self.names)
        except DeviceError as err:
            raise DynamicsError(err.field, err.reason) from None

    @functools.cached_property
    def torque_table(self):
        """The circuit torque of the one dynamic magnet as its exact series in m·p
        (:class:`.axial.AxialTable`, checked against the solve when built), which the
        compiled runs then evaluate instead of solving the circuit at every stage; None
        when ``tabulate`` is off, the torque is not the circuit's, the run stores heat, or
        the circuit does not have the symmetry (:attr:`torque_table_reason` says which)."""
        return self._axial[0]

    @property
    def torque_table_reason(self) -> str:
        """Why :attr:`torque_table` is None ("" when there is a table)."""
        return self._axial[1]

    @functools.cached_property
    def _axial(self):
        if not self.tabulate:
            return None, "tabulate is off"
        if self.torque != "circuit" or self.transient:
            return None, ("the torque is not the circuit's" if self.torque != "circuit"
                          else "the run integrates heat flow")
        from .axial import axial_table

        tm = self.model
        slots = [tm.temperature_index, self.pumping_noise[0][self.pumping_noise[1] > 0]]
        wanted = np.concatenate([np.ravel(x) for x in slots]).astype(np.int64)
        candidates = None
        if tm.sparse is not None:  # a large layer: the slots the runs drive, not all
            layout = drive_layout(self.circuit)
            candidates = np.union1d(np.flatnonzero(tm.d0), [
                layout.slot(layout.index[node], quantity) for node, quantity in self.drives])
        return axial_table(tm, -1 - wanted[wanted < 0], candidates)

    @property
    def pumps(self) -> bool:
        """Whether the run includes spin pumping (``pumping`` with the circuit torque)."""
        return bool(self.pumping) and self.torque == "circuit"

    @functools.cached_property
    def pumping_noise(self) -> tuple[np.ndarray, np.ndarray]:
        """The kernels' (slot, weight) (k, c) of the pumping channels' temperatures
        (:meth:`.torque_model.CircuitTorqueModel.pumping_noise_temperatures`), or (k, 0)
        arrays when the run has no spin pumping."""
        if self.pumps:
            return tuple(np.ascontiguousarray(a) for a in
                         self.model.pumping_noise_temperatures())
        k = len(self.names)
        return np.zeros((k, 0), np.int64), np.zeros((k, 0))

    @functools.cached_property
    def condensed(self) -> CondensedMaps | None:
        """The maps of a compiled run without :attr:`torque_table` (which solves the circuit
        at every stage) with the unknowns that no magnet touches eliminated once
        (:mod:`.condensation`: the same torques, a smaller system a stage); None for runs
        with a table or heat flow. A DynamicsError if the maps of a large layer do not fit
        densely."""
        tm = self.model
        if self.torque_table is not None or self.transient:
            return None
        slots = np.concatenate([tm.temperature_index, self.pumping_noise[0].ravel()])
        try:
            return tm.stage_maps(self.pumping_maps()[0], -1 - slots[slots < 0])
        except DeviceError as err:
            raise DynamicsError(err.field, f"the run solves the circuit at every stage, as it "
                                f"cannot take the torque as its series in m·p "
                                f"({self.torque_table_reason}), but {err.reason}") from None

    def kernel_slots(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(temperature slot (k,), pumping-noise slots (k, c), their weights (k, c)) as the
        kernels read them: :attr:`CircuitTorqueModel.temperature_index` and
        :attr:`pumping_noise`, an index of a solved unknown given among the
        :attr:`condensed` ones where the run condenses."""
        index, (pslot, weight) = self.model.temperature_index, self.pumping_noise
        if self.condensed is not None:
            index, pslot = self.condensed.slots(index), self.condensed.slots(pslot)
        return np.ascontiguousarray(index), np.ascontiguousarray(pslot), weight

    def pumping_maps(self) -> tuple[np.ndarray, np.ndarray]:
        """The kernels' pumping maps (pump, direct) of the torque model, or empty arrays
        (0, ...) when the run has no spin pumping."""
        tm = self.model
        if self.pumps:
            return np.ascontiguousarray(tm.pump), np.ascontiguousarray(tm.direct)
        return (np.zeros((0,) + tm.pump.shape[1:]), np.zeros((0,) + tm.direct.shape[1:]))

    # ---- kernel inputs ------------------------------------------------------------------------
    def _tables(self, until: float, max_step: float, drive_sets=None):
        """:func:`table_sets` of ``drive_sets`` (default: the Simulation's drives alone)."""
        return table_sets(self.circuit, drive_sets or [self.drives], until, max_step)

    def _drive_sets(self, drives, ensemble: int):
        """(sets of resolved drives, (E,) the set of each trajectory) from the per-trajectory
        ``drives`` of :meth:`run` (None: every trajectory has the Simulation's)."""
        if drives is None:
            return [self.drives], np.zeros(ensemble, np.int64)
        if self.transient:
            raise DynamicsError("drives", "per-trajectory drives are for runs without heat "
                                "capacities and time-resolved Joule heat")
        if isinstance(drives, Mapping) or not hasattr(drives, "__len__") or len(
                drives) != ensemble:
            given = ("" if isinstance(drives, Mapping) or not hasattr(drives, "__len__")
                     else f" (got {len(drives)}: pass ensemble={len(drives)})")
            raise DynamicsError("drives", f"must be a sequence of {ensemble} mappings "
                                f"{{(node, quantity): drive}}, one per trajectory{given}")
        sets, where, tset = [], {}, np.empty(ensemble, np.int64)
        for i, given in enumerate(drives):
            if not (isinstance(given, Mapping) and set(given) == set(self.drives)):
                raise DynamicsError(f"drives[{i}]", f"must map the Simulation's drives "
                                    f"{sorted(self.drives)} to drives")
            for (node, quantity), drive in given.items():
                if not hasattr(drive, "sample"):
                    raise DynamicsError(f"drives[{i}].{node}.{quantity}", f"must be a drive "
                                        f"(spincaloric.dynamics.drives), got {drive!r}")
            if id(given) not in where:
                where[id(given)] = len(sets)
                sets.append(resolve_drives(self.circuit, {key: given[key]
                                                          for key in self.drives}))
            tset[i] = where[id(given)]
        return sets, tset

    def idle_drives(self, until: float) -> list[str]:
        """The drives (``drives.NODE.QUANTITY``) that keep the node's static value over
        [0, ``until``] (s): a pulse that starts after the run ends (a start in s where ns was
        meant, say) or of zero amplitude acts nowhere in it (a constant drive at another
        value acts: it replaces the static one)."""
        idle = []
        layout = drive_layout(self.circuit)
        for (node, quantity), drive in self.drives.items():
            _, values = drive.sample(until, until / 200)
            if np.all(np.asarray(values, float) == layout.static_value(node, quantity)):
                idle.append(f"drives.{node}.{quantity}")
        return idle

    def unfinished_drives(self, until: float) -> list[str]:
        """The drives (``drives.NODE.QUANTITY``) still on when a run ends at ``until`` (s):
        their value there differs from their value at 0 by more than 1 % of their largest
        excursion over [0, ``until``] — a pulse the run cuts short (a constant drive, or a
        pulse over and back to its base, is not)."""
        out = []
        for (node, quantity), drive in self.drives.items():
            _, values = drive.sample(until, until / 200)
            v = np.asarray(values, float)
            excursion = float(np.abs(v - v[0]).max())
            if excursion > 0 and abs(v[-1] - v[0]) > 0.01 * excursion:
                out.append(f"drives.{node}.{quantity}")
        return out

    def check_drives(self, until: float, max_step: float | None = None) -> None:
        """Refuse, as :meth:`run` does before integrating, drives that take the circuit out of
        the range it represents over [0, ``until``] (s): see :meth:`_check_drive_extremes`
        (a DynamicsError naming the drive, or a DeviceError naming a static field)."""
        max_step = until / 200 if max_step is None else min(max_step, until / 200)
        slot, offsets, _, values, _ = self._tables(until, max_step)
        self._check_drive_extremes(slot, offsets, values, _amplitudes(None, 1, len(slot)),
                                   np.zeros(1, np.int64))

    def _check_drive_extremes(self, slot, offsets, values, amp, tset) -> None:
        """Refuse drives that take the circuit out of the range it represents: the static
        state, and each drive at its extremes (scaled by the amplitudes ``amp`` (E, J), from
        the table sets ``offsets`` (S, J + 1) of the trajectories ``tset`` (E,)) with
        the others static, must solve to finite states with positive temperatures
        (:meth:`Circuit.solve`) and a spin-transfer torque that turns no magnet faster than
        the integrators resolve (MAX_PRECESSION); a temperature drive stays an absolute
        temperature. Then warn (:class:`~spincaloric.linear_response.LinearResponseWarning`)
        once if the extremes take the reservoirs' potential span (V) or temperature deviation
        (K) beyond linear response."""
        import warnings

        from ..linear_response import LinearResponseWarning

        c, layout = self.circuit, drive_layout(self.circuit)
        d0 = layout.static
        lo, hi = d0.copy(), d0.copy()
        with warnings.catch_warnings():  # warned once, for all drives, below
            warnings.simplefilter("ignore", LinearResponseWarning)
            self._check_torque_rate(c.solve(), None)  # a DeviceError names a static field
            for j, (node, quantity) in enumerate(self.drives):
                s = slot[j]
                v = [values[o[j]:o[j + 1]] for o in offsets]
                low = np.array([x.min() for x in v])[tset] - d0[s]
                high = np.array([x.max() for x in v])[tset] - d0[s]
                ext = d0[s] + amp[:, j, None] * np.stack([low, high], -1)
                x = np.array([ext.min(), ext.max()])
                lo[s], hi[s] = min(lo[s], x[0]), max(hi[s], x[1])
                given = to_boundary(quantity, x, c.temperature)
                where = f"drives.{node}.{quantity}"
                if quantity == "temperature" and (reason := temperature_reason(*given)):
                    raise DynamicsError(where, reason)
                try:
                    sol = c.solve(**{quantity: {node: given}})
                except DeviceError as err:
                    raise DynamicsError(where, f"at its extreme {err.reason}") from None
                self._check_torque_rate(sol, where)
        fixed, heated = (layout.slots(q) for q in ("voltage", "temperature"))
        span = (hi[fixed].max() - lo[fixed].min()) if fixed.size else 0.0
        dev = np.abs(np.concatenate([lo[heated], hi[heated]])).max(initial=0.0)
        warn_beyond_linear_response(span, dev, c.temperature)

    def _check_torque_rate(self, solution, where: str | None) -> None:
        """DynamicsError if the torques of ``solution`` turn a dynamic magnet faster than
        MAX_PRECESSION (γ|τ|/(M_s V), rad/s); ``where`` names the drive, None: the static
        state, blamed on its largest contribution."""
        rate = self._torque_rate(solution)
        worst = float(np.max(rate))
        if worst <= MAX_PRECESSION:
            return
        if where is None:
            where = self._static_culprit()
        raise DynamicsError(where, f"drives a spin-transfer torque that turns a magnet at "
                            f"{worst:.3g} rad/s, beyond {MAX_PRECESSION:g} rad/s: faster than "
                            "the integrators resolve")

    def _torque_rate(self, solution) -> np.ndarray:
        """γ|τ|/(M_s V) (rad/s) of the dynamic magnets, the largest, per batch point."""
        with np.errstate(over="ignore", invalid="ignore"):
            rates = [p.gyromagnetic_ratio / p.moment * np.linalg.norm(
                np.nan_to_num(solution.magnet_torque(name), nan=np.inf), axis=-1)
                for name, p in self.magnets.items()]
        return np.max(rates, axis=0)

    def _static_culprit(self) -> str:
        """The device field (nodes.NAME.voltage, ...) of the static input whose torque alone
        turns a dynamic magnet fastest (the response is linear in the inputs)."""
        c = self.circuit
        layout = drive_layout(c)
        inputs = [(q, name) for i, name in enumerate(c.names) for q in QUANTITIES
                  if layout.takes[q][i] and layout.static[layout.slot(i, q)]]
        overrides = {q: {name: np.full(len(inputs), to_boundary(q, 0.0, c.temperature))  # at rest...
                         for i, name in enumerate(c.names) if layout.takes[q][i]}
                     for q in QUANTITIES}
        for j, (q, name) in enumerate(inputs):  # ...but for one static input at each point
            overrides[q][name][j] = layout.static_value(name, q)
        best = int(np.argmax(self._torque_rate(c.solve(**overrides))))
        return f"nodes.{inputs[best][1]}.{inputs[best][0]}"

    def _magnet_arrays(self, n_traj: int, parameters=None):
        """Kernel arrays (E, k, 6) and (E, k, 3, 3), and {magnet: its E MagnetParameters} of
        the magnets that ``parameters`` = {magnet: {field: values (E,)}} gives each trajectory
        of their own (validated one by one)."""
        from dataclasses import replace

        mp = np.zeros((n_traj, len(self.names), 6))
        mv = np.zeros((n_traj, len(self.names), 3, 3))
        own = {}
        parameters = {} if parameters is None else parameters
        if not isinstance(parameters, Mapping):
            raise DynamicsError("parameters", f"must be a mapping {{magnet: {{field: values}}}}, "
                                f"got {parameters!r}")
        for name, fields in parameters.items():
            if not isinstance(name, str) or name not in self.magnets:
                raise DynamicsError(f"parameters.{name}", "not a dynamic magnet")
            if not isinstance(fields, Mapping):
                raise DynamicsError(f"parameters.{name}", f"must be a mapping {{field: "
                                    f"values}}, got {fields!r}")
        for j, name in enumerate(self.names):
            base = self.magnets[name]
            per = {}
            for k, v in parameters.get(name, {}).items():
                if self._known_field(name, k):
                    shape = (n_traj,) + np.shape(getattr(base, k))
                    v = real_array(v, f"parameters.{name}.{k}", error=DynamicsError)
                    try:
                        per[k] = np.broadcast_to(v, shape)
                    except ValueError:
                        raise DynamicsError(f"parameters.{name}.{k}", f"must broadcast to "
                                            f"{shape}, got shape {v.shape}") from None
            try:
                variants = ([replace(base, **{k: (v[e] if v.ndim > 1 else float(v[e]))
                                              for k, v in per.items()}) for e in range(n_traj)]
                            if per else [base])
            except MagnetError as err:  # name the per-trajectory entry, not the magnet field
                raise DynamicsError(f"parameters.{name}.{err.field}", err.reason) from None
            for e, p in enumerate(variants):
                rows = e if per else slice(None)  # one variant: every trajectory's
                g = p.gyromagnetic_ratio
                mp[rows, j] = (p.saturation_magnetization, p.volume, p.damping, g,
                               p.anisotropy_field, g / p.moment)
                mv[rows, j] = (p.anisotropy_axis, p.demagnetizing_factors, p.applied_field)
            if per:
                own[name] = tuple(variants)
        return np.ascontiguousarray(mp), np.ascontiguousarray(mv), own

    def _known_field(self, name: str, key: str) -> bool:
        from dataclasses import fields

        if not isinstance(key, str) or key not in {f.name for f in fields(MagnetParameters)}:
            raise DynamicsError(f"parameters.{name}.{key}", "not a magnet parameter")
        return True

    def _slonczewski_array(self, n_traj: int):
        s = np.zeros((len(self.names), 4))
        for j, name in enumerate(self.names):
            if name in self.slonczewski:
                try:
                    aj, p = self.slonczewski[name]
                except (TypeError, ValueError):
                    raise DynamicsError(f"slonczewski.{name}", "must be (a_J in T, p a "
                                        "3-vector)") from None
                aj = real(aj, f"slonczewski.{name}", "T", DynamicsError)
                p = unit_vectors(p, f"slonczewski.{name}", DynamicsError)
                # stored as a_J M_s V (N·m): the kernels add it to the circuit-torque slot
                s[j] = (aj * self.magnets[name].moment, *p)
        return np.array(np.broadcast_to(s, (n_traj,) + s.shape), order="C")  # see _model_args

    def initial_state(self) -> np.ndarray:
        """(k, 3) the magnetizations of the dynamic magnets in the circuit."""
        c = self.circuit
        return np.array([c.magnetization[c.index[c.magnet_node(n)]] for n in self.names])

    # ---- running ------------------------------------------------------------------------------
    def run(self, until: float, *, n_save: int = 1001, ensemble: int = 1, initial=None,
            method: str | None = None, temperature_noise: bool = False, dt: float | None = None,
            seed: int = 0, amplitude=None, rtol: float | None = None,
            atol: float | None = None, max_step: float | None = None, progress: bool = False,
            parameters=None, first_trajectory: int = 0, start: float = 0.0,
            drives=None, thermal_start: bool = False) -> Trajectory:
        """Integrate from t = 0 to ``until`` (s) and return a :class:`Trajectory`.

        n_save : number of saved instants, evenly spaced in [0, until]; the switching times
            are located on the integrator's steps: with fixed steps they do not depend on it,
            and RK45, which steps onto the saved instants, gives them to its tolerance.
        ensemble : number of trajectories E, integrated together in compiled code.
        initial : (k, 3) or (E, k, 3) initial magnetizations (default: the circuit's).
        method : "rk45" (adaptive Dormand–Prince, default without noise), "rk4" (fixed ``dt``)
            or "heun" (Heun, fixed ``dt``; the stochastic scheme, and the default, with
            ``temperature_noise``).
        temperature_noise : Brown's thermal field at each magnet's node temperature and, with
            spin pumping, the pumping channels' noise at the electron temperature across each
            magnet's contacts (docs/dynamics.md, thermal noise; only then are there
            fluctuations, whatever the method).
        dt : fixed step (s) of rk4 / heun (default 1 ps, or less where the fastest
            precession ω needs it: :func:`.stability.default_step`, and at most until/10;
            independent of ``n_save``); the steps fall at t = n dt and a saved instant holds the state
            of the nearest step; a step beyond 0.2/ω (:mod:`.stability`) is refused.
        seed : whole number in [0, 2⁶³); trajectory i draws its thermal field from the stream of
            (seed, i) (:mod:`.streams`): reproducible, independent of the ensemble size, of
            n_save and of how the run is cut into kernel calls, and never shared with those of
            another seed.
        amplitude : (E, J) or (J,) per-trajectory scale of each drive's excursion from the
            static value (J = number of drives, in the order of ``drives``); default 1.
        rtol, atol, max_step : RK45 error control (defaults 1e-7 and 1e-9; max_step in s);
            given to rk4 or heun, which step a fixed dt, they are warned of as unused.
        progress : report the progress of a long run on stderr (:mod:`spincaloric.progress`:
            a bar on a terminal, otherwise a plain line every few seconds); or a report of
            the caller's (with ``update(trajectories)``) that the run advances as it goes.
        parameters : {magnet: {field: values (E,)}} per-trajectory magnet parameters, e.g.
            {"free": {"damping": np.linspace(0.005, 0.05, E)}} (SI units of MagnetParameters).
        first_trajectory : trajectory i of this run draws the thermal field of trajectory
            first_trajectory + i of ``seed``: an ensemble run in parts (with the initial
            states of each part) reproduces the whole run's noise exactly. Or (E,) whole
            numbers: trajectory i draws that of first_trajectory[i] (the points of a map
            gathered from anywhere in its grid).
        start : the time (s, 0 ≤ start < until) at which ``initial`` holds: the run continues
            from there on the drives' clock (a run resumed, or cloned, part way through).
        drives : a sequence of E mappings {(node, quantity): drive} with the keys of the
            Simulation's ``drives``: trajectory i driven by drives[i] (e.g. pulses of
            different durations, integrated together; the same mapping object given to
            several trajectories is sampled once). Default: the Simulation's drives.
        thermal_start : each trajectory starts with every dynamic magnet drawn from its
            thermal equilibrium p(m) ∝ exp(−E(m)/k_B T) in the well of the easy direction
            nearest the circuit's magnetization, at the magnet's temperature in the static
            circuit (:func:`.equilibrium.thermal_starts`; the magnet's own parameters where
            ``parameters`` gives them) — the states a magnet holds before a pulse, instead of
            the circuit's exact magnetization. Trajectory i's starts come from a stream of
            (``seed``, i) of their own, apart from its thermal field's: the same in any
            ensemble, with or without ``temperature_noise``. Not with ``initial``.
        """
        if self.transient:
            self._refuse_for_transient(method, temperature_noise)
        elif isinstance(method, str) and method == "lsoda":
            raise DynamicsError("method", "'lsoda' integrates runs whose nodes store heat (or "
                                "with time-resolved Joule heat); this one has none: rk45, rk4 "
                                "or heun")
        given_dt = dt
        tolerances = [k for k, v in (("rtol", rtol), ("atol", atol)) if v is not None]
        rtol, atol = 1e-7 if rtol is None else rtol, 1e-9 if atol is None else atol
        until, n_save, ensemble, dt, max_step, method, seed, rtol, atol = run_settings(
            until, magnets=self.magnets, n_save=n_save, ensemble=ensemble,
            method=None if self.transient else method, temperature_noise=temperature_noise,
            dt=dt, seed=seed, rtol=rtol, atol=atol, max_step=max_step)
        if not (isinstance(start, (int, float, np.floating)) and 0.0 <= start < until):
            raise DynamicsError("start", f"must be a time in [0, until) (s), got {start!r}")
        if not self.transient:
            _warn_unused(method, given_dt, tolerances, dt, max_step)
        streams = _stream_indices(first_trajectory, ensemble)
        t_save = np.linspace(float(start), until, n_save)
        sets, tset = self._drive_sets(drives, ensemble)
        tables = self._tables(until, min(max_step, until / 200), sets)
        slot, offsets, _, values, _ = tables
        amp = _amplitudes(amplitude, ensemble, len(slot))
        self._check_drive_extremes(slot, offsets, values, amp, tset)
        mp, mv, variants = self._magnet_arrays(ensemble, parameters)
        m0 = self._starts(initial, thermal_start, ensemble, seed, streams, variants)
        slon = self._slonczewski_array(ensemble)
        if self.transient:
            settings = _recorded(ensemble, False, thermal_start, seed, "lsoda", None, rtol, atol,
                                 max_step)
            return self._run_transient(t_save, tables[4][0], m0, mp, mv, slon, amp, rtol, atol,
                                       max_step, progress, variants, settings)
        if method != "rk45" and dt is None:  # at most a tenth of a (very short) run
            dt = min(default_step(self, mp, mv, m0, slon, slot, offsets, values, amp, tset),
                     until / 10)
            check_steps(until, "dt", dt)
        elif method != "rk45":
            why, worst = step_problem(self, dt, mp, mv, m0, slon, slot, offsets, values, amp,
                                      tset, temperature_noise)
            if why:
                err = DynamicsError("dt", why)
                err.trajectory = worst  # which of the ensemble (a map names its grid point)
                raise err
        kernel_in = dict(tables=tables, amp=amp, tset=tset, mp=mp, mv=mv, slon=slon,
                         ref=self._references(m0, mv))
        if method == "rk45":
            run = _Rk45(rtol, atol, max_step)
        else:
            run = _FixedStep(dt, method == "heun", temperature_noise, ensemble)
            kernel_in["rng"] = trajectory_states(seed, ensemble, streams)
        plan = self._call_plan(method, ensemble, dt, rtol, max_step, mp, mv, m0, slon, slot,
                               offsets, values, amp, tset)
        if method != "rk45":
            run.lanes = plan[0]
        report, own = (progress, False) if hasattr(progress, "update") else (None, True)
        if progress is True:
            from ..progress import Progress, span

            noun = "trajectory" if ensemble == 1 else "trajectories"
            report = Progress("run", ensemble, f"{ensemble} {noun} to {span(until)}")
        settings = _recorded(ensemble, temperature_noise, thermal_start, seed, method, dt, rtol,
                             atol, max_step)
        done = {}  # what an interruption leaves: trajectories and saved instants complete
        try:
            out, crossing, steps = self._integrate(run, m0, t_save, kernel_in, plan, report,
                                                   done)
        except KeyboardInterrupt as err:
            raise _interrupted(self, err, done, t_save, method, amp, settings,
                               None if drives is None else (sets, tset), variants) from err
        finally:
            if report is not None and own:
                report.close()
        return Trajectory(self, t_save, out, steps, method, amp, settings, crossing,
                          drive_sets=None if drives is None else (sets, tset),
                          own_parameters=variants or None)

    def _refuse_for_transient(self, method, temperature_noise) -> None:
        """With heat capacities or time-resolved Joule heat only the deterministic LSODA
        integration of :mod:`.transient` runs: a DynamicsError names a fixed-step method or
        thermal noise."""
        what = "time-resolved Joule heat" if self.joule_heating else "heat capacities"
        if temperature_noise:
            raise DynamicsError("temperature_noise", f"with {what} the run is a deterministic "
                                "integration (LSODA): thermal noise is available without "
                                "heat capacities and time-resolved Joule heat")
        if not (method is None or isinstance(method, str) and method in ("lsoda", "rk45")):
            raise DynamicsError("method", f"with {what} the magnetizations and temperatures "
                                f"are integrated together by an adaptive method ('lsoda'; "
                                f"'rk45' is taken to mean it), got {method!r}")

    def _run_transient(self, t_save, breaks, m0, mp, mv, slon, amp, rtol, atol, max_step,
                       progress, variants, settings) -> Trajectory:
        """:meth:`run` of a circuit whose nodes store heat (:mod:`.transient`), keeping the
        run's ``settings`` (:func:`_recorded`)."""
        from .transient import integrate_transient

        report, own = (progress, False) if hasattr(progress, "update") else (None, True)
        if progress is True:
            from ..progress import Progress, span

            report = Progress("run", len(m0), f"{len(m0)} trajectories to "
                              f"{span(t_save[-1])} with heat flow")
        try:
            m, temps, crossing, steps, extremes = integrate_transient(
                self, m0, t_save, breaks, mp=mp, mv=mv, slon=slon, amp=amp,
                ref=self._references(m0, mv), rtol=rtol, atol=atol, max_step=max_step,
                report=report)
        finally:
            if report is not None and own:
                report.close()
        # the integrated temperatures, on every step, within the Sommerfeld expansion?
        warn_beyond_linear_response(0.0, extremes - self.circuit.temperature,
                                    self.circuit.temperature,
                                    remedy="the dynamics solves the circuit in linear "
                                    "response: lower the absorbed power or the bias")
        return Trajectory(self, t_save, m, steps, "lsoda", amp, settings, crossing,
                          node_temperature=temps, temperature_extremes=extremes,
                          own_parameters=variants or None)

    def _call_plan(self, method, ensemble, dt, rtol, max_step, mp, mv, m0, slon, slot, offsets,
                   values, amp, tset):
        """(lanes, threads, work, step, span) of the kernel calls (:mod:`.segments`):
        trajectories computed together, chunks in parallel, operations of one step of one
        trajectory, the (typical) step (s) and the longest time (s) of one call."""
        from numba import get_num_threads

        lanes, threads = 1, 1
        if method == "rk45" and ensemble > 1:
            threads = get_num_threads()  # the trajectories in parallel
        elif method != "rk45" and ensemble >= ENSEMBLE_KERNEL_MIN:
            from .ensemble import LANES, PULSED_LANES, SOLVED_LANES

            threads = get_num_threads()
            mode = _mode(self)
            widest = (SOLVED_LANES if mode == 1 else
                      PULSED_LANES if mode == 3 and len(slot) else LANES)
            # every thread busy with chunks of one width: as few as the widest allow, in
            # multiples of the threads (a small ensemble, a task of a map: narrower chunks)
            chunks = threads * -(-ensemble // (threads * widest))
            lanes = min(widest, max(ENSEMBLE_KERNEL_MIN, -(-ensemble // chunks)))
        step = dt if method != "rk45" else rk45_step(
            largest_field(self, mp, mv, m0, slon, slot, offsets, values, amp, tset)[0], rtol,
            max_step)
        work = step_work(self.model, method, self.torque,
                         self.torque_table if self.torque == "circuit" else None)
        return lanes, threads, work, step, steps_per_call(work, lanes) * step

    def _initial(self, initial, ensemble: int) -> np.ndarray:
        """(E, k, 3) unit initial magnetizations (default: the circuit's), normalised without
        overflow (:func:`~spincaloric.validation.unit_vectors`)."""
        k = len(self.names)
        m0 = self.initial_state() if initial is None else initial
        try:
            m0 = np.broadcast_to(unit_vectors(m0, "initial", DynamicsError), (ensemble, k, 3))
        except ValueError as err:  # a shape that does not broadcast
            raise DynamicsError("initial", f"must be (k, 3) or (ensemble, k, 3) = "
                                f"({ensemble}, {k}, 3) magnetizations: {err}") from None
        return np.array(m0, order="C")  # writable whatever E (see _model_args)

    def _starts(self, initial, thermal_start, ensemble: int, seed: int, streams: np.ndarray,
                variants: dict) -> np.ndarray:
        """(E, k, 3) the runs' initial magnetizations: ``initial`` (:meth:`_initial`) or with
        ``thermal_start`` draws from the magnets' thermal wells (:meth:`_thermal_initial`)."""
        if not isinstance(thermal_start, (bool, np.bool_)):
            raise DynamicsError("thermal_start", f"must be true or false, got {thermal_start!r}")
        if thermal_start:
            return self._thermal_initial(initial, seed, streams, variants)
        return self._initial(initial, ensemble)

    def _thermal_initial(self, initial, seed: int, streams: np.ndarray,
                         variants: dict) -> np.ndarray:
        """(E, k, 3) starts drawn from every dynamic magnet's thermal well (``run``'s
        ``thermal_start``): magnet j of trajectory i from stream ``streams[i]`` of ``seed``,
        tag j (:func:`.equilibrium.thermal_starts`: a key no noise stream has)."""
        from .equilibrium import thermal_starts
        from .switching import reference_direction

        if initial is not None:
            raise DynamicsError("thermal_start", "draws the initial states: give it or "
                                "initial, not both")
        start = self.initial_state()
        temperature = self.model.magnet_temperatures(start[None])[0]
        m0 = np.empty((len(streams), len(self.names), 3))
        for j, name in enumerate(self.names):
            magnets = variants.get(name) or self.magnets[name]
            axes = (np.array([p.anisotropy_axis for p in magnets], float)
                    if name in variants else magnets.anisotropy_axis)
            try:
                m0[:, j] = thermal_starts(magnets, reference_direction(start[j], axes),
                                          float(temperature[j]), seed, streams, tag=j)
            except DynamicsError as err:
                raise DynamicsError("thermal_start", f"{name}: {err.field}: "
                                    f"{err.reason}") from None
        return m0

    def starting_states(self, ensemble: int = 1, *, seed: int = 0, first_trajectory=0,
                        parameters=None) -> np.ndarray:
        """(E, k, 3) the starting magnetizations of :meth:`run` with ``thermal_start=True``
        and these ``ensemble``, ``seed``, ``first_trajectory`` and ``parameters``: each
        dynamic magnet drawn from its thermal well (the same states the run starts from)."""
        settings = run_settings(1e-9, n_save=2, ensemble=ensemble, seed=seed)
        ensemble, seed = settings[2], settings[6]
        variants = self._magnet_arrays(ensemble, parameters)[2]
        return self._thermal_initial(None, seed, _stream_indices(first_trajectory, ensemble),
                                     variants)

    def _references(self, m0: np.ndarray, mv: np.ndarray) -> np.ndarray:
        """(E, k, 3) the initial easy-axis direction of every magnet (switching criterion), with
        each trajectory's easy axis (mv (E, k, 3, 3), :meth:`_magnet_arrays`)."""
        from .switching import reference_direction

        ref = [reference_direction(m0[:, j], mv[:, j, 0]) for j in range(len(self.names))]
        return np.ascontiguousarray(np.stack(ref, axis=1))

    def _integrate(self, run, m0, t_save, kernel_in, plan, report, done):
        """Blocks of :data:`BLOCK` trajectories, each in short kernel calls (``plan``, from
        :meth:`_call_plan`: at most about a tenth of a second each, so that Ctrl-C acts
        promptly; instants inserted on the way are integrated but not kept). Returns m
        (E, S, k, 3) at ``t_save``, the switching events (E, k) s and the step counts (E,);
        ``report`` (a Progress or None) counts trajectories. ``done`` (a dict) holds what is
        complete at any moment: m, crossing, steps, the trajectories whose whole run is done
        (``whole``) and the saved instants done (``instants``) of the trajectories up to
        ``reached``."""
        n_traj, k = m0.shape[:2]
        out = np.empty((n_traj, len(t_save), k, 3))
        crossing = np.full((n_traj, k), np.nan)
        steps = np.zeros(n_traj, np.int64)
        done.update(m=out, crossing=crossing, steps=steps, whole=0, instants=1, reached=0)
        grid = call_grid(t_save, plan[4])
        for first in range(0, n_traj, BLOCK):
            sl = slice(first, min(first + BLOCK, n_traj))
            done.update(instants=1, reached=sl.stop)
            block = {key: v if key == "tables" else v[sl] for key, v in kernel_in.items()}
            self._integrate_block(run, m0[sl], grid, block, plan, out[sl], crossing[sl],
                                  steps[sl], report, done)
            done["whole"] = sl.stop
        return out, crossing, steps

    def _integrate_block(self, run, m0, grid, block, plan, out, crossing, steps, report,
                         done):
        """The calls of one block of trajectories along ``grid`` = (t_grid, saved), each from
        the state the previous one ended in, the block split into :func:`.segments.batches`;
        fills ``out`` (at the saved instants), ``crossing`` (s) and ``steps`` in place, and
        done["instants"] with the saved instants complete."""
        t_grid, saved = grid
        place = np.cumsum(saved) - 1  # where an instant of t_grid is among the saved ones
        lanes, threads, work, step, span = plan
        n_traj, k = m0.shape[:2]
        start, state = 0, m0
        out[:, 0] = m0
        while start < len(t_grid) - 1:
            stop = segment_stop(t_grid, start, span, SEGMENT)
            seg_out = np.empty((n_traj, stop - start + 1, k, 3))
            seg_cross = np.full((n_traj, k), np.nan)
            for lo, hi in batches(n_traj, (t_grid[stop] - t_grid[start]) / step, work, lanes,
                                  threads):
                b = slice(lo, hi)
                part = {key: v if key == "tables" else v[b] for key, v in block.items()}
                shift = run.segment(self, state[b], t_grid, start, stop, part, seg_out[b],
                                    seg_cross[b], steps[b])
                found = ~np.isnan(seg_cross[b])  # the kernels' clock starts at ``shift``
                crossing[b][found] = seg_cross[b][found] + shift
            keep = saved[start:stop + 1]
            out[:, place[start:stop + 1][keep]] = seg_out[:, keep]
            state = np.ascontiguousarray(seg_out[:, -1])
            done["instants"] = int(place[stop]) + 1
            if report is not None:
                report.update(n_traj * (stop - start) / (len(t_grid) - 1))
            start = stop


def _warn_unused(method: str, given_dt, tolerances: list[str], dt, max_step) -> None:
    """An UnusedSettingWarning for a ``dt`` (s) given to rk45, or ``tolerances`` (the names
    of rtol and atol given) to rk4 or heun, at the caller's caller."""
    if given_dt is not None and method == "rk45":
        warnings.warn(f"dt = {given_dt:g} s is the step of the fixed-step methods (rk4, "
                      f"heun); rk45 chooses its own steps (max_step = {max_step:g} s)",
                      UnusedSettingWarning, stacklevel=3)
    if tolerances and method in ("rk4", "heun"):
        warnings.warn(f"{' and '.join(tolerances)}: the error control of rk45; {method} "
                      f"steps a fixed dt = {dt:g} s", UnusedSettingWarning, stacklevel=3)


def _interrupted(sim, err, done, t_save, method, amp, settings, drive_sets, variants):
    """The :class:`~spincaloric.errors.Interrupted` of a run stopped by Ctrl-C (or SIGTERM)
    after ``done`` (:meth:`Simulation._integrate`): the trajectories finished to the end if
    any, else those of the first block up to the last saved instant they all reached, as a
    :class:`Trajectory` whose settings name the instant (``interrupted_at``, s) and the
    trajectories asked for (``ensemble_asked``; ``ensemble`` those kept); the bare
    KeyboardInterrupt when nothing past the start is done."""
    whole, instants, reached = (done.get(key, 0) for key in ("whole", "instants", "reached"))
    if whole == settings["ensemble"]:  # all of it finished: nothing partial to offer
        return err
    if whole:
        keep, saved = slice(0, whole), len(t_save)
        counted = (whole, int(settings["ensemble"]), "trajectories")
    elif instants > 1:
        keep, saved = slice(0, reached), instants
        counted = (instants, len(t_save), "saved instants")
    else:
        return err
    end = float(t_save[saved - 1])
    crossing = np.where(done["crossing"] <= end, done["crossing"], np.nan)  # up to the end kept
    part = Trajectory(sim, t_save[:saved], done["m"][:, :saved], done["steps"], method, amp,
                      {**settings, "interrupted_at": end,
                       "ensemble_asked": int(settings["ensemble"])}, crossing,
                      drive_sets=drive_sets,
                      own_parameters=variants or None).part(keep)
    part.settings["ensemble"] = int(part.m.shape[0])
    return Interrupted(part, *counted)


def _recorded(ensemble, temperature_noise, thermal_start, seed, method, dt, rtol, atol,
              max_step) -> dict:
    """The settings a Trajectory keeps (:attr:`Trajectory.settings`): the ensemble, the
    noise, thermal starts, the random seed when either is on (a run without either has none),
    the fixed step dt (s) or RK45's tolerances and largest step (s)."""
    settings = {"ensemble": int(ensemble), "temperature_noise": bool(temperature_noise)}
    if thermal_start:
        settings["thermal_start"] = True
    if temperature_noise or thermal_start:
        settings["seed"] = int(seed)
    settings.update({"dt": float(dt)} if method in ("rk4", "heun") else
                    {"rtol": float(rtol), "atol": float(atol), "max_step": max_step})
    return settings


def _stream_indices(first, ensemble: int) -> np.ndarray:
    """(E,) the noise stream of every trajectory from ``first_trajectory`` (a whole number,
    or one per trajectory), each in [0, 2³²)."""
    whole = isinstance(first, (int, np.integer)) and not isinstance(first, bool)
    if whole and 0 <= first and first + ensemble <= 2**32:
        return int(first) + np.arange(ensemble, dtype=np.int64)
    try:
        index = np.asarray(first) if not whole else None
    except (TypeError, ValueError, OverflowError):
        index = None
    if (index is not None and index.shape == (ensemble,) and index.dtype.kind in "iu"
            and np.all((index >= 0) & (index < 2**32))):
        return index.astype(np.int64)
    raise DynamicsError("first_trajectory", f"must be a whole number with first_trajectory + "
                        f"ensemble <= 2**32, or {ensemble} whole numbers in [0, 2**32), got "
                        f"{first!r}")


def _amplitudes(amplitude, ensemble: int, n_drv: int) -> np.ndarray:
    """(E, J) drive amplitude scales (default 1)."""
    try:
        amp = np.ones((ensemble, n_drv)) if amplitude is None else np.broadcast_to(
            np.asarray(amplitude, float), (ensemble, n_drv)).copy()
    except (TypeError, ValueError):
        raise DynamicsError("amplitude", f"must broadcast to (ensemble, drives) = "
                            f"({ensemble}, {n_drv})") from None
    if not np.all(np.isfinite(amp)):
        raise DynamicsError("amplitude", "must be finite")
    return amp


def _model_args(sim: Simulation, kernel_in: dict, n_traj: int) -> tuple:
    """The kernel arguments from ``d0`` to ``mv`` (drives, circuit maps, magnets)."""
    tm = sim.model
    slot, offsets, times, values, _ = kernel_in["tables"]
    # a writable copy whatever the ensemble size: numba compiles a kernel once per argument
    # type, and the broadcast view of one trajectory's row would be read-only (another type)
    d0 = np.array(np.broadcast_to(tm.d0, (n_traj, tm.d0.size)), order="C")
    pm, hm = sim.pumping_maps()
    table = sim.torque_table if sim.torque == "circuit" else None
    maps = (tm.a0, tm.r0, tm.e, tm.f, tm.t)
    if tm.sparse is not None and table is not None:  # the series stands for the maps
        (k, q), nd = tm.t.shape[:2], tm.d0.size
        maps = (np.zeros((0, 0)), np.zeros((0, nd)), np.zeros((k, q, 0, 0)),
                np.zeros((k, q, 0, nd)), np.zeros((k, q, 3, nd)))
        pm = np.ascontiguousarray(pm[:, :, :0])
    elif sim.condensed is not None:  # solved at every stage: over the kept unknowns
        c = sim.condensed
        maps, pm = (c.a0, c.r0, c.e, c.f, c.t), c.pump
    if table is None:
        tab = (np.zeros(3), np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((4, 2)),
               np.zeros(4, np.int64))
    else:
        tab = (table.axis, table.columns, table.unknowns, table.coefficients, table.lengths)
    return (d0, slot, offsets, times, values, kernel_in["amp"], kernel_in["tset"], *maps,
            pm, hm, kernel_in["slon"], kernel_in["mp"], kernel_in["mv"], *tab)


def _mode(sim: Simulation) -> int:
    """The kernels' torque mode: 0 none, 1 the circuit solved, 2 prescribed Slonczewski, 3 the
    circuit's series in m·p (:attr:`Simulation.torque_table`)."""
    if sim.torque == "circuit" and sim.torque_table is not None:
        return 3
    return _MODES[sim.torque]


@dataclass
class _Rk45:
    """Adaptive Dormand–Prince segments: each lands on the saved instants (s)."""

    rtol: float
    atol: float
    max_step: float

    def segment(self, sim, state, t_save, start, stop, kernel_in, out, cross, steps) -> float:
        """Integrate saved instants start..stop; returns the segment's clock origin (s)."""
        from . import kernels

        shift = t_save[start]
        args = list(_model_args(sim, kernel_in, len(state)))
        args[3] = args[3] - shift  # drive tables on the segment's clock
        breaks = kernel_in["tables"][4]  # each set's, on the segment's clock
        breaks = np.sort(np.where((breaks > shift) & (breaks < t_save[stop]), breaks - shift,
                                  np.inf), axis=1)
        seg_steps = np.zeros(len(state), np.int64)
        kernels.integrate_rk45(_mode(sim), state, t_save[start:stop + 1] - shift,
                               breaks, self.rtol, self.atol, self.max_step, *args, out,
                               seg_steps, kernel_in["ref"], cross)
        steps += seg_steps
        return shift


@dataclass
class _FixedStep:
    """RK4 or Heun (stochastic with ``noise``) on the global step grid t = n dt (s) for an
    ensemble of ``n_traj`` trajectories (which picks the kernel, whatever the block)."""

    dt: float
    heun: bool
    noise: bool
    n_traj: int
    lanes: int = 1  # of the lane kernel's chunks (:meth:`Simulation._call_plan`)

    def segment(self, sim, state, t_save, start, stop, kernel_in, out, cross, steps) -> float:
        """Integrate saved instants start..stop (each at its nearest step n, t = n dt on the
        run's own clock, so that a run cut into calls steps exactly as a whole one); returns
        the clock origin of the kernels' times (s): 0."""
        from . import kernels

        # the step nearest each saved instant
        n = np.maximum(np.ceil(t_save[start:stop + 1] / self.dt - 0.5), 0).astype(np.int64)
        args = _model_args(sim, kernel_in, len(state))  # tables on the run's clock
        common = (_mode(sim), state, n, self.dt, self.heun, self.noise, kernel_in["rng"], *args,
                  *sim.kernel_slots(),
                  sim.circuit.temperature, out, kernel_in["ref"], cross)
        if self.n_traj >= ENSEMBLE_KERNEL_MIN:
            from .ensemble import integrate_ensemble

            integrate_ensemble(*common, self.lanes)
        else:
            kernels.integrate_fixed(*common)
        steps += n[-1] - n[0]
        return 0.0


_MODES = {"none": 0, "circuit": 1, "slonczewski": 2}
