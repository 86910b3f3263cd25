"""Results of a circuit solve, reported in the boundary convention of physics.md §1.

Two quantities change sign at the boundary: ``voltage`` is the electric potential (−V_c) and
``charge_current`` the conventional current (−I_c). Everything else is as inside: spin
accumulation μs/e (V, vector), spin current e × particle spin current (A, vector), temperatures
(K, absolute), heat currents (W), torques (N·m), entropy production (W/K).

Every array has the batch shape of the solve in front: a scalar solve gives 0-d arrays for
scalars and (3,) arrays for vectors.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..constants import TORQUE_PER_SPIN_CURRENT
from .contacts import conjugate_scaling
from .drives import to_boundary

#: A printed value smaller than this fraction of the largest magnitude of its kind in the same
#: solution is round-off and printed as 0 (:func:`without_roundoff`).
ROUNDOFF = 1e-12


def without_roundoff(arrays, batch_ndim: int = 0, floor=0.0) -> list[np.ndarray]:
    """The arrays of one kind of quantity of one solution, as printed (JSON, tables): an entry
    whose magnitude is at most :data:`ROUNDOFF` times the largest magnitude among them all
    (per batch point: the first ``batch_ndim`` axes), or than ``floor`` (the scale another
    kind sets, per batch point), is 0, and −0.0 is 0.

    Double precision carries 16 digits and a linear solve loses about log10 of its condition
    number (10⁴ is typical of these circuits), so below 10⁻¹² of the largest value of its
    kind a value is not resolved from zero: the parallel remainder of a torque projected
    perpendicular to m (~1e-41 N m beside 1e-25 N m), the charge current of an open circuit
    beside its spin currents. A kind is a set of quantities in the same units that the solve
    yields together (:meth:`Solution.reported`); every other value is printed as solved."""
    arrays = [np.asarray(a, dtype=float) for a in arrays]
    stacks = {}  # arrays of one shape, stacked: one NumPy call per shape, not per array
    for i, a in enumerate(arrays):
        stacks.setdefault(a.shape, []).append(i)
    stacks = {shape: (idx, np.stack([arrays[i] for i in idx])) for shape, idx in stacks.items()}
    scale = np.asarray(floor, dtype=float)
    for shape, (idx, a) in stacks.items():
        peak = np.abs(a).reshape((len(idx),) + shape[:batch_ndim] + (-1,)).max(axis=-1,
                                                                               initial=0.0)
        scale = np.maximum(scale, peak.max(axis=0))
    out = [None] * len(arrays)
    for shape, (idx, a) in stacks.items():
        s = np.reshape(scale, np.shape(scale) + (1,) * (len(shape) - batch_ndim))
        cleaned = np.where(np.abs(a) <= ROUNDOFF * s, 0.0, a) + 0.0  # + 0.0: no −0.0
        for j, i in enumerate(idx):
            out[i] = cleaned[j]
    return out


class _Named(dict):
    """{name: value} whose KeyError says what the name is instead (``hint(name)``)."""

    def __init__(self, items: dict, hint):
        super().__init__(items)
        self._hint = hint

    def __missing__(self, name):
        raise KeyError(self._hint(name))


def _unknown(names, name, what: str = "node") -> str:
    """'no node NAME' (``what``) with the closest of ``names`` suggested."""
    close = difflib.get_close_matches(str(name), list(names), n=1)
    return f"no {what} {name!r} in the circuit" + (f" (did you mean {close[0]!r}?)" if close
                                                    else "")


@dataclass(frozen=True)
class NodeState:
    """State of one node. voltage: V (electric potential); spin_accumulation: V, (..., 3);
    temperature: K (absolute); spin_temperature: K, (..., 3), T↑ − T↓ as a vector."""

    voltage: np.ndarray
    spin_accumulation: np.ndarray
    temperature: np.ndarray
    spin_temperature: np.ndarray


@dataclass(frozen=True)
class ContactResult:
    """Currents through one contact, flowing from ``between[0]`` into ``between[1]``.

    charge_current: A (conventional); spin_current: A, (..., 3); heat_current: W;
    spin_heat_current: W, (..., 3); entropy_production: W/K (≥ 0 by the second law).
    """

    between: tuple[str, str]
    charge_current: np.ndarray
    spin_current: np.ndarray
    heat_current: np.ndarray
    spin_heat_current: np.ndarray
    entropy_production: np.ndarray


#: Every quantity a solution reports: name -> (units (SI), what it is in words, vector).
QUANTITIES = {
    "voltage": ("V", "electric potential", False),
    "spin_accumulation": ("V", "spin accumulation", True),
    "temperature": ("K", "temperature", False),
    "spin_temperature": ("K", "spin temperature", True),
    "charge_current": ("A", "charge current", False),
    "spin_current": ("A", "spin current", True),
    "heat_current": ("W", "heat current", False),
    "spin_heat_current": ("W", "spin heat current", True),
    "torque": ("N m", "spin-transfer torque", True),
    "entropy_production": ("W/K", "entropy production", False),
}
#: The units of a ``solve --json`` document (:meth:`Solution.to_dict`): every quantity's, the
#: device temperature's and the torques'.
JSON_UNITS = {"temperature": "K", **{name: unit for name, (unit, _, _) in QUANTITIES.items()
                                     if name != "torque"}, "torques": "N m"}
#: The owners of each quantity, the axis of a result file it varies along: nodes, contacts or
#: magnets (a quantity of the whole circuit has none).
OWNER_AXIS = {"voltage": "node", "spin_accumulation": "node", "temperature": "node",
              "spin_temperature": "node", "charge_current": "contact", "spin_current": "contact",
              "heat_current": "contact", "spin_heat_current": "contact", "torque": "magnet"}

#: The sign conventions of every result (docs/physics.md §1), as result files state them.
SIGN_CONVENTIONS = {
    "voltage_convention": "electric potential, -V_c: what a voltmeter reads",
    "current_convention": "currents of a contact flow from its first node (from->to) into its "
                          "second; charge_current is the conventional current, -I_c; spin "
                          "currents are e x the particle spin current (A)",
    "spin_convention": "spin accumulation mu_s/e (V) and spin temperature T_up - T_down (K) as "
                       "vectors along the spin axis; up is the majority spin of a ferromagnet",
}


@dataclass(frozen=True)
class Column:
    """One quantity of a solution over all its owners (:meth:`Solution.columns`).

    name : the quantity (a key of :data:`QUANTITIES`).
    owner : the axis of its owners, "node", "contact" or "magnet"; None for the whole circuit.
    value : batch shape of the solve, then the owners (if any), then (3,) for a vector.
    units, long_name, vector : as in :data:`QUANTITIES`.
    """

    name: str
    owner: str | None
    value: np.ndarray
    units: str
    long_name: str
    vector: bool


@dataclass(frozen=True)
class Reported:
    """One quantity that a solution reports (:meth:`Solution.reported`).

    section : where the JSON document keeps it: "nodes" (internal nodes), "reservoirs",
        "contacts", "torques" or "" (the whole circuit).
    owner : the node, the contact's number, or the magnet; None for the whole circuit.
    label : the name of the owner in sweep variables and tables (a contact: "A->B").
    name : the quantity (voltage, spin_current, torque, ...).
    value : batch shape of the solve, plus (3,) for a vector.
    units, description : text with the units (SI) and what the quantity is.
    """

    section: str
    owner: str | int | None
    label: str
    name: str
    value: np.ndarray
    units: str
    description: str
    vector: bool = False

    @property
    def key(self) -> str:
        """"LABEL.name" (the name of a sweep variable), or the name alone."""
        return f"{self.label}.{self.name}" if self.label else self.name

    @property
    def kind(self) -> str:
        """The kind of the quantity for :func:`without_roundoff`: its units (potentials and
        spin accumulations in V, charge and spin currents in A, ...), but the absolute
        temperature apart from the spin temperature (K)."""
        return "absolute temperature" if self.name == "temperature" else self.units


class Solution:
    """Node states, contact currents and torques of a solved circuit.

    Attributes
    ----------
    circuit : the :class:`~spincaloric.circuit.device.Circuit` solved.
    states : (..., n, 8) theory variables (V_c [V], V⃗_s [V], T_c − T [K], T⃗_s [K]) of every node;
        V_c = (μ − μ0)/e, minus the electric potential of :meth:`state` and ``voltage=``.
    currents : (..., c, 8) theory currents (I_c [A], I⃗_s [A], Q_c [W], Q⃗_s [W]) of every contact;
        I_c the particle current times e, minus the conventional current of :attr:`contacts`.
    magnetizations : (..., n, 3) unit magnetizations used (zero rows for normal nodes).
    distributions : the energy-resolved result of the "spectral" back end
        (:class:`~spincaloric.solvers.spectral.SpectralSolution`: energies, every node's
        distributions, spectral currents), whose moments ``states`` and integrals ``currents``
        are; None for the linear-response back ends.
    """

    def __init__(self, circuit, states: np.ndarray, currents: np.ndarray,
                 magnetizations: np.ndarray, distributions=None):
        self.circuit = circuit
        self.states = states
        self.currents = currents
        self.magnetizations = magnetizations
        self.distributions = distributions
        for a in (states, currents):
            a.setflags(write=False)

    @property
    def shape(self) -> tuple[int, ...]:
        """Batch shape of the solve."""
        return self.states.shape[:-2]

    def __repr__(self) -> str:
        c = self.circuit
        batch = f", batch {self.shape}" if self.shape else ""
        return (f"<Solution of {c.title or 'a circuit'!r} ({c.regime}, T0 = {c.temperature:g} K"
                f"): {c.n_nodes} nodes, {c.n_contacts} contacts{batch}; .nodes, .reservoirs, "
                f".contacts, .torques, .to_dict()>")

    # ---- boundary-convention views ----------------------------------------------------------
    def state(self, name: str) -> NodeState:
        """State of node ``name`` (internal or reservoir)."""
        if name not in self.circuit.index:
            raise KeyError(_unknown(self.circuit.names, name))
        x = self.states[..., self.circuit.index[name], :]
        return NodeState(voltage=to_boundary("voltage", x[..., 0]), spin_accumulation=x[..., 1:4],
                         temperature=self.circuit.temperature + x[..., 4],
                         spin_temperature=x[..., 5:8])

    @cached_property
    def nodes(self) -> dict[str, NodeState]:
        """States of the internal nodes, by name (a reservoir's: :attr:`reservoirs`)."""
        return _Named({self.circuit.names[i]: self.state(self.circuit.names[i])
                       for i in self.circuit.internal}, self._elsewhere("reservoirs"))

    @cached_property
    def reservoirs(self) -> dict[str, NodeState]:
        """States of the reservoirs, by name (the voltage of a current-biased one is solved;
        an internal node's: :attr:`nodes`)."""
        return _Named({self.circuit.names[i]: self.state(self.circuit.names[i])
                       for i in np.flatnonzero(self.circuit.reservoir)}, self._elsewhere("nodes"))

    def _elsewhere(self, other: str):
        """The KeyError message for a node looked up among the wrong kind (``other``)."""
        def hint(name):
            if name in self.circuit.index:
                return f"{name!r} is not here but in Solution.{other}"
            return _unknown(self.circuit.names, name)
        return hint

    @cached_property
    def contact_entropy_production(self) -> np.ndarray:
        """(..., c) entropy production of each contact, J · (conjugate force) / T (W/K)."""
        c = self.circuit
        dx = self.states[..., c.ends[:, 0], :] - self.states[..., c.ends[:, 1], :]
        forces = dx * conjugate_scaling(c.temperature)
        return np.einsum("...k,...k->...", self.currents, forces) / c.temperature

    @cached_property
    def node_entropy_production(self) -> np.ndarray:
        """(..., n) entropy production of the relaxation in each node (W/K):
        G_sf |V⃗_s|²/(2T) + G_ph (T_c − T)²/T² + G_sh |T⃗_s|²/(2T²), G_sh the spin-heat sink
        L0 T G_sf + spin_heat_relaxation."""
        c = self.circuit
        t = c.temperature
        x = self.states
        return (c.spin_flip * np.sum(x[..., 1:4] ** 2, axis=-1) / (2 * t)
                + c.bath * x[..., 4] ** 2 / t**2
                + c.spin_heat_sink * np.sum(x[..., 5:8] ** 2, axis=-1) / (2 * t**2))

    @property
    def entropy_production(self) -> np.ndarray:
        """Total entropy production rate of the circuit (W/K).

        Linear response: Σ J·X/T over contacts and nodes, currents J times their conjugate
        forces X (ΔV, ΔV⃗_s/2, ΔT/T, ΔT⃗_s/2T), all at the reference temperature T —
        quadratic in the biases and ≥ 0 for valid contacts: the transport's own (heat
        deposited in nodes, ``heat``, adds P/T0 once it reaches the reservoirs, not counted
        here); it equals the entropy the reservoirs receive to leading order (they differ at relative order ΔT/T, the order
        the linear response neglects). Energy-resolved solution (``distributions``): the
        exact entropy the surroundings receive, −Σ_r J_Q,r/T_r + (Σ_r E_r + P)/T0 — J_Q,r
        the heat leaving reservoir r measured from its own μ_r, E_r its energy current, P the
        heat deposited in the nodes (``heat``, W, from an entropy-free source such as a
        laser); what the circuit does not return to the reservoirs goes to baths at T0."""
        if self.distributions is not None:
            return self._exact_entropy_production()
        return (self.contact_entropy_production.sum(axis=-1)
                + self.node_entropy_production.sum(axis=-1))

    def _exact_entropy_production(self) -> np.ndarray:
        """:attr:`entropy_production` of an energy-resolved solution (one, unbatched: its
        reservoirs' states are their exact μ_r − μ0 and T_r)."""
        c = self.circuit
        res = np.flatnonzero(c.reservoir)
        out = (c.ends[None, :, 0] == res[:, None]).astype(float) - (
            c.ends[None, :, 1] == res[:, None])  # (r, c): +1 where a contact leaves r
        charge = out @ self.currents[..., 0]  # I_r (A, e × particles) out of each reservoir
        energy = out @ self.currents[..., 4]  # E_r (W, from μ0) out of each reservoir
        heat = energy - self.states[res, 0] * charge  # J_Q,r from the reservoir's own μ_r
        temps = c.temperature + self.states[res, 4]
        deposited = float(np.sum(np.asarray(c.reservoir_current)[~c.reservoir]))  # heat (W)
        return np.asarray(-np.sum(heat / temps)
                          + (np.sum(energy) + deposited) / c.temperature)

    @cached_property
    def contacts(self) -> list[ContactResult]:
        """Currents through every contact, in device order."""
        out = []
        for k in range(self.circuit.n_contacts):
            j = self.currents[..., k, :]
            out.append(ContactResult(
                between=self.circuit.between(k),
                charge_current=to_boundary("charge_current", j[..., 0]), spin_current=j[..., 1:4],
                heat_current=j[..., 4], spin_heat_current=j[..., 5:8],
                entropy_production=self.contact_entropy_production[..., k]))
        return out

    @cached_property
    def absorbed_spin_currents(self) -> dict[str, np.ndarray]:
        """Transverse spin current absorbed by every ferromagnet, I⃗_abs (A), (..., 3).

        I⃗_abs = −Σ (I⃗_s, F→N)⊥ over the ferromagnet's contacts (physics.md §4); which ends
        absorb a contact's spin current its kind says (:attr:`Circuit.absorption`: a tunnel
        junction's barrier spin current at both of its ferromagnetic ends).
        """
        c = self.circuit
        has, magnet, sign = c.absorption  # each node absorbs sign × J⃗_s of the contact
        total = np.zeros(self.shape + (c.n_nodes, 3))
        if len(has) <= 64:  # few contacts, large batch: slices beat a scattered add
            for k, f, s in zip(has, magnet, sign):
                total[..., f, :] += s * self.currents[..., k, 1:4]
        else:
            np.add.at(np.moveaxis(total, -2, 0), magnet,
                      np.moveaxis(sign[:, None] * self.currents[..., has, 1:4], -2, 0))
        m = self.magnetizations
        perp = total - np.einsum("...i,...i->...", total, m)[..., None] * m
        return {c.names[n]: perp[..., n, :] for n in np.flatnonzero(c.ferromagnet)}

    @cached_property
    def torques(self) -> dict[str, np.ndarray]:
        """Spin-transfer torque on every ferromagnetic node, τ⃗ = (ħ/2e) I⃗_abs (N·m), (..., 3);
        a diffusive layer's by vertex (``free_0``, ``free_1``, ...) — the torque on the layer as
        a whole, under its name, is :attr:`magnet_torques`."""
        def hint(name):
            if name in self.magnet_torques:
                return f"{name!r} is a layer: its torque is Solution.magnet_torques[{name!r}]"
            if name in self.circuit.index:
                return f"{name!r} is not a ferromagnet: no torque acts on it"
            return _unknown(list(self.magnet_torques) + list(self.circuit.names), name)

        return _Named({k: TORQUE_PER_SPIN_CURRENT * v
                       for k, v in self.absorbed_spin_currents.items()}, hint)

    @property
    def magnet_torques(self) -> dict[str, np.ndarray]:
        """Torque (N·m), (..., 3), on every magnet: each ferromagnetic node, and a diffusive
        ferromagnetic layer as a whole (its vertices summed) under the layer's name
        (:meth:`~spincaloric.circuit.device.Circuit.magnet_name`)."""
        torques = self.torques
        out = {}
        for name in torques:
            group = self.circuit.magnet_nodes(name)
            if group[0] == name:
                total = torques[name] if len(group) == 1 else sum(torques[n] for n in group)
                out[self.circuit.magnet_name(name)] = total
        return _Named(out, lambda name: _unknown(list(out), name, "magnet"))

    def magnet_torque(self, name: str) -> np.ndarray:
        """Torque (N·m), (..., 3), on the whole magnet that node ``name`` belongs to: the sum
        over the vertices of a diffusive ferromagnetic layer (:meth:`Circuit.magnet_nodes`),
        which share one magnetization; for a single ferromagnetic node its own torque.
        ``name``: a node or the layer's name."""
        torques = self.torques
        if self.circuit.magnet_node(name) not in torques:
            raise KeyError(_unknown(list(self.magnet_torques), name, "magnet"))
        return sum(torques[n] for n in self.circuit.magnet_nodes(name))

    # ---- export ---------------------------------------------------------------------------
    def reported(self, printed: bool = False) -> list[Reported]:
        """Everything the solution reports, in the order of the JSON document: the state of
        every internal node, the solved state of every reservoir (voltage and temperature),
        the four currents of every contact, the torque on every magnet and the entropy
        production. The one list behind ``solve --json`` (:meth:`to_dict`), the solve table
        and sweep files. ``printed``: as printed, round-off as 0 (:func:`without_roundoff`,
        each kind of quantity on its own; torques also beside (ħ/2e) times the largest current
        in A, the torque a spin current of that size would exert: a magnet set exactly
        antiparallel is 10⁻¹⁶ rad off in double precision, its torque ~10⁻¹⁶ of that)."""
        out = self._reported()
        if not printed:
            return out
        kinds = {}
        for i, q in enumerate(out):
            kinds.setdefault(q.kind, []).append(i)
        nb = len(self.shape)
        floors = {}
        if "A" in kinds and "N m" in kinds:
            peak = np.max([np.abs(np.asarray(out[i].value, float)).reshape(
                self.shape + (-1,)).max(axis=-1) for i in kinds["A"]], axis=0)
            floors["N m"] = TORQUE_PER_SPIN_CURRENT * peak
        for kind, members in kinds.items():
            values = without_roundoff([out[i].value for i in members], nb, floors.get(kind, 0.0))
            for i, value in zip(members, values):
                q = out[i]
                out[i] = Reported(q.section, q.owner, q.label, q.name, value, q.units,
                                  q.description, q.vector)
        return out

    def _reported(self) -> list[Reported]:
        c = self.circuit

        def node(section, name, quantity, value, suffix=""):
            units, words, vector = QUANTITIES[quantity]
            return Reported(section, name, name, quantity, value, units,
                            f"{words} of {name}{suffix}", vector)

        def contact(k, tag, quantity, value):
            units, words, vector = QUANTITIES[quantity]
            return Reported("contacts", k, tag, quantity, value, units, f"{words} {tag}", vector)

        out = []
        for name, s in self.nodes.items():
            out += [node("nodes", name, "voltage", s.voltage),
                    node("nodes", name, "spin_accumulation", s.spin_accumulation),
                    node("nodes", name, "temperature", s.temperature),
                    node("nodes", name, "spin_temperature", s.spin_temperature)]
        for name, s in self.reservoirs.items():
            solved = " (solved)" if c.current_biased[c.index[name]] else ""
            out += [node("reservoirs", name, "voltage", s.voltage, solved),
                    node("reservoirs", name, "temperature", s.temperature)]
        for k, r in enumerate(self.contacts):
            tag = f"{r.between[0]}->{r.between[1]}"
            out += [contact(k, tag, "charge_current", r.charge_current),
                    contact(k, tag, "spin_current", r.spin_current),
                    contact(k, tag, "heat_current", r.heat_current),
                    contact(k, tag, "spin_heat_current", r.spin_heat_current)]
        units, words, _ = QUANTITIES["torque"]
        out += [Reported("torques", name, name, "torque", tau, units, f"{words} on {name}", True)
                for name, tau in self.magnet_torques.items()]
        units, words, _ = QUANTITIES["entropy_production"]
        out.append(Reported("", None, "", "entropy_production", self.entropy_production, units,
                            words))
        return out

    def columns(self) -> list[Column]:
        """Everything :meth:`reported` holds, one array per quantity over all its owners (the
        columns of a sweep file): over the ``node`` axis (every node, in circuit order:
        :attr:`Circuit.names <spincaloric.circuit.device.Circuit.names>`, a reservoir's spin
        accumulation and spin temperature 0), the ``contact`` axis (device order) or the
        ``magnet`` axis (:attr:`magnet_torques`), plus ``component`` for a vector; the entropy
        production of the whole circuit. No loop over nodes or contacts."""
        c = self.circuit
        x, j = self.states, self.currents
        torques = self.magnet_torques
        tau = (np.stack(list(torques.values()), axis=-2) if torques
               else np.zeros(self.shape + (0, 3)))
        parts = {"voltage": to_boundary("voltage", x[..., 0]),
                 "spin_accumulation": x[..., 1:4],
                 "temperature": c.temperature + x[..., 4],
                 "spin_temperature": x[..., 5:8],
                 "charge_current": to_boundary("charge_current", j[..., 0]),
                 "spin_current": j[..., 1:4],
                 "heat_current": j[..., 4],
                 "spin_heat_current": j[..., 5:8],
                 "torque": tau,
                 "entropy_production": self.entropy_production}
        return [Column(name, OWNER_AXIS.get(name), np.asarray(value), *QUANTITIES[name])
                for name, value in parts.items()]

    def to_dict(self) -> dict:
        """The JSON document of device-format.md (lists nest over the batch shape), built
        from :meth:`reported` as printed (round-off as 0); ``units`` names the SI unit of
        every quantity it holds."""
        c = self.circuit
        doc = {"title": c.title, "regime": c.regime, "temperature": c.temperature,
               "nodes": {}, "contacts": [{"between": list(c.between(k))}
                                         for k in range(c.n_contacts)],
               "torques": {}, "reservoirs": {}, "units": JSON_UNITS}
        for q in self.reported(printed=True):
            value = np.asarray(q.value, dtype=float).tolist()
            if q.section in ("nodes", "reservoirs"):
                doc[q.section].setdefault(q.owner, {})[q.name] = value
            elif q.section == "contacts":
                doc["contacts"][q.owner][q.name] = value
            elif q.section == "torques":
                doc["torques"][q.owner] = value
            else:
                doc[q.name] = value
        return doc


def joule_heat(solution: Solution) -> dict[str, np.ndarray]:
    """Heat (W) that the currents of ``solution`` dissipate, assigned to the internal nodes.

    The Joule heat is the electrical work done on the electrons: in each contact
    P_c = I_c ΔV_c + I⃗_s·ΔV⃗_s/2 (charge and spin currents times their electrochemical
    potential drops; thermoelectric currents included, so a contact working as a thermocouple
    can take energy back), half to each end that is an internal node (a reservoir absorbs its
    half); and in each node the spin-flip relaxation of its spin accumulation,
    G_sf |V⃗_s|²/2. It is second order in the bias. Heat conduction produces entropy but no
    heat: its terms (J_Q ΔT/T, J⃗_Qs·ΔT⃗_s/2T) are not counted. Over the circuit the total
    equals the electrical power that the reservoirs deliver (Tellegen's theorem). Feed the
    result back as ``heat=`` to a second solve for the thermal response to Joule heating (the
    second harmonic of a lock-in measurement). Arrays carry the batch shape of the solution.
    """
    c = solution.circuit
    heat = joule_heat_of(c, solution.states, solution.currents)
    return {c.names[n]: heat[..., n] for n in c.internal}


def joule_heat_of(circuit, states: np.ndarray, currents: np.ndarray) -> np.ndarray:
    """(..., n) W: the Joule heat of :func:`joule_heat` at every node from the node states
    (..., n, 8) and contact currents (..., c, 8) (theory variables; a reservoir's entry is the
    half of its contacts' heat that it absorbs)."""
    c, x = circuit, states
    dx = x[..., c.ends[:, 0], :4] - x[..., c.ends[:, 1], :4]
    power = np.einsum("...k,...k->...", currents[..., :4],
                      dx * np.array([1.0, 0.5, 0.5, 0.5]))  # (..., c) W
    heat = 0.5 * c.spin_flip * np.sum(x[..., 1:4] ** 2, axis=-1)  # (..., n) W
    half = np.moveaxis(0.5 * power, -1, 0)  # (c, ...): each contact's heat to both ends
    moved = np.moveaxis(heat, -1, 0)  # (n, ...), a view: the sums land in ``heat``
    np.add.at(moved, c.ends[:, 0], half)
    np.add.at(moved, c.ends[:, 1], half)
    return heat
