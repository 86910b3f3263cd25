r"""Contact kinds: every way of joining two nodes, behind one protocol.

A contact (a, b) carries the current J = K_a X_a − K_b X_b (8-vectors in the theory variables
of physics.md §2) out of node a and into node b. An ordinary contact is a two-terminal
element, K_a = K_b = K(m); a tunnel junction between two ferromagnets is a two-port, whose
two ends see their own spin axes. What a contact *is* — its parameters, how they are checked,
its K, its energy-resolved conductances, which magnets absorb its transverse spin current — is
its **kind**. A finalized :class:`~spincaloric.circuit.device.Circuit` holds its contacts
grouped by kind, each group a set of arrays over its contacts, and every solver loops over
the groups, asking each the questions of :class:`ContactKind`.

Kinds shipped here:

* :class:`SpinContacts` — F|N and N|N contacts (:class:`~spincaloric.circuit.contacts.ContactParameters`),
  the bulk cells of a diffusive layer among them, optionally with lattice heat in parallel;
* :class:`TabulatedContacts` — the same, with a tabulated spectrum G(ε)
  (:class:`~spincaloric.circuit.conductance_spectra.ConductanceSpectrum`) for the
  energy-resolved solver;
* :class:`TunnelJunctions` — F|I|F junctions (:class:`~spincaloric.circuit.junctions.JunctionParameters`);
* :class:`HeatLinks` — heat conductances (:class:`HeatLink`) joining a lattice temperature to
  its electrons (electron–phonon coupling) or to another lattice (phonon conduction).

A new kind is a class that satisfies :class:`ContactKind` (most simply a subclass of
:class:`ContactGroup`), made known with :func:`register`; docs/contact-kinds.md works one
through.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np

from ..constants import ELEMENTARY_CHARGE
from ..errors import DeviceError
from ..validation import conductance_reason
from .contacts import (
    ContactError,
    ContactParameters,
    magnetization_features,
    response_coefficients,
    response_matrix,
    spin_space_block,
)
from .junctions import (
    JunctionParameters,
    junction_response,
    pair_conductances,
    spectral_pair_blocks,
)

#: Axis of the spin-space blocks of a contact without a ferromagnet (any axis gives the same K).
_ANY_AXIS = np.array([0.0, 0.0, 1.0])


@runtime_checkable
class ContactKind(Protocol):
    """What every group of contacts of one kind supplies, vectorised over its k contacts.

    Arrays (read-only)
    ------------------
    contacts : (k,) positions of the group's contacts in the circuit's contact list.
    ends : (k, 2) node indices (a, b); currents flow from a into b.
    labels : (k,) how errors name each contact (``contacts[3]``).
    temperature : the equilibrium temperature T of the linear response (K).
    magnet : (k,) the ferromagnetic node whose magnetization the contact's spin axis follows
        (for a two-port, its first end), −1 for none.
    one_magnet : (k,) bool, both ends belong to one magnet (the cells of a diffusive
        ferromagnetic layer join its vertices into one magnet).
    absorbing : (k, 2) bool, which ends absorb the transverse part of the contact's spin
        current: end a absorbs −J⃗_s⊥, end b absorbs +J⃗_s⊥ (physics.md §4).
    conductance : (k,) S, a scale of each contact's charge conductance (for messages).
    heat_conductance : (k,) W/K, heat carried beside the electrons (the lattice), part of K;
        the energy-resolved solver, electrons only, refuses it.
    two_port : class constant, K_a may differ from K_b (False: ``response`` returns one array
        twice, and solvers use J = K (X_a − X_b)).
    """

    contacts: np.ndarray
    ends: np.ndarray
    labels: tuple[str, ...]
    temperature: float
    magnet: np.ndarray
    one_magnet: np.ndarray
    absorbing: np.ndarray
    conductance: np.ndarray
    heat_conductance: np.ndarray
    two_port: ClassVar[bool]

    @classmethod
    def claims(cls, spec) -> bool:
        """Whether a contact description (``parameters``, ``spectrum``, ``bulk``,
        ``heat_conductance``) is of this kind."""

    @classmethod
    def check(cls, where: str, spec, ferro: tuple[bool, bool], mag_rows: tuple[list, list],
              temperature: float) -> None:
        """Validate one contact joining nodes of kinds ``ferro`` with magnetizations
        ``mag_rows`` at ``temperature`` (K); raise :class:`~spincaloric.errors.DeviceError`
        naming the field (``where`` + ``.field``)."""

    @classmethod
    def build(cls, contacts: np.ndarray, ends: np.ndarray, labels: tuple[str, ...],
              specs: Sequence, ferro: np.ndarray, temperature: float) -> ContactKind:
        """The group of the checked contacts ``specs`` at circuit positions ``contacts``."""

    def parameters(self, i: int) -> Any:
        """The parameters of the group's contact ``i``."""

    def response(self, m: np.ndarray, which=None) -> tuple[np.ndarray, np.ndarray]:
        """(K_a, K_b), each (k, *B, 8, 8), for the node magnetizations m (n, *B, 3) (unit
        vectors; B may be empty); ``which`` selects some of the group's contacts. Rows
        (I_c [A], I⃗_s [A], Q_c [W], Q⃗_s [W]); columns (V_c [V], V⃗_s [V], T_c − T [K],
        T⃗_s [K]) of the state of a (K_a) or b (K_b)."""

    def coefficients(self, dynamic: np.ndarray, m: np.ndarray):
        """(feature node (k,), C_a, C_b (k, 13, 8, 8)): K = Σ_q φ_q(m_f) C_q exactly in the
        features φ = (1, m, m⊗m) of the one dynamic magnet f its K depends on, the other
        nodes at their magnetizations m (n, 3); f = −1 where K depends on no dynamic node.
        ``dynamic``: (n,) bool. Raises a DeviceError where K depends on two dynamic magnets."""

    def spectral_blocks(self, eps: np.ndarray, m: np.ndarray, window: float, span: float,
                        curvature: dict) -> tuple[np.ndarray, np.ndarray]:
        """(A_a, A_b), each (E, k, 4, 4) (S): the spin-space conductances acting on the
        deviations (f_c, f⃗_↑−↓) of the ends' distributions at the energies ``eps`` (J, from
        μ0), magnetizations m (n, 3). ``window`` (J): conductances must be physical within
        it; ``span`` (J): a table must reach that far; ``curvature``: {i: (∂²G↑, ∂²G↓,
        ∂²G↑↓) (S/J²)} given for some of the group's contacts."""


@dataclass(frozen=True, eq=False)
class ContactGroup:
    """Fields and defaults every kind shares: a two-terminal group (K_a = K_b) whose contacts
    absorb no spin current and join no magnet. Subclasses add their arrays and methods."""

    contacts: np.ndarray
    ends: np.ndarray
    labels: tuple[str, ...]
    temperature: float
    heat_conductance: np.ndarray

    two_port: ClassVar[bool] = False

    @property
    def magnet(self) -> np.ndarray:
        return np.full(len(self.contacts), -1, np.intp)

    @property
    def one_magnet(self) -> np.ndarray:
        return np.zeros(len(self.contacts), bool)

    @property
    def absorbing(self) -> np.ndarray:
        return np.zeros((len(self.contacts), 2), bool)

    def coefficients(self, dynamic: np.ndarray, m: np.ndarray):
        """K does not depend on a magnetization: C_0 = K, no feature node."""
        k_a, k_b = self.response(m[:, None])
        out = []
        for k in (k_a, k_b) if k_b is not k_a else (k_a,):
            c = np.zeros((len(self.contacts), 13, 8, 8))
            c[:, 0] = k[:, 0]
            out.append(c)
        return np.full(len(self.contacts), -1, np.intp), out[0], out[-1]


def along(m: np.ndarray, magnet: np.ndarray) -> np.ndarray:
    """(k, *B, 3): the magnetization of each contact's magnet from the node magnetizations m
    (n, *B, 3); the z axis for contacts without one (``magnet`` −1)."""
    if magnet.size and magnet.min() >= 0:
        return m[magnet]
    mask = (magnet >= 0).reshape((-1,) + (1,) * (m.ndim - 1))
    return np.where(mask, m[np.maximum(magnet, 0)], _ANY_AXIS)


def check_heat_conductance(where: str, h) -> None:
    """A contact's lattice heat conductance (W/K): a finite number ≥ 0."""
    if isinstance(h, bool) or not isinstance(h, (int, float, np.floating)) \
            or not (np.isfinite(h) and h >= 0):
        raise DeviceError(f"{where}.heat_conductance", f"must be a finite conductance "
                          f"≥ 0 (W/K), got {h!r}")
    if reason := conductance_reason(h, 0.0, "W/K"):
        raise DeviceError(f"{where}.heat_conductance", f"is {reason}")


def check_parameters(where: str, parameters, temperature: float) -> None:
    """``parameters.validate(temperature)``, its ContactError as a field-named DeviceError."""
    try:
        parameters.validate(temperature)
    except ContactError as err:
        raise DeviceError(f"{where}.{err.field}", err.reason) from None


# ---- ordinary contacts -----------------------------------------------------------------------



def _check_spin_independent(where: str, p: ContactParameters) -> None:
    """A contact between two normal nodes has no spin axis of its own: G↑ = G↓ = Re G↑↓,
    Im G↑↓ = 0, and their energy derivatives alike (ContactParameters.spin_independent);
    spin-dependent parameters there would pick the z axis as their quantization axis."""
    def same(a, b) -> bool:
        return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1e-300)

    if not (same(p.g_up, p.g_down) and same(p.g_mix.real, p.g_up) and p.g_mix.imag == 0
            and same(p.dg_up, p.dg_down) and same(p.dg_mix.real, p.dg_up)
            and p.dg_mix.imag == 0):
        raise DeviceError(f"{where}.parameters", "a contact between two normal nodes is "
                          "spin-independent (G↑ = G↓ = G↑↓, ContactParameters.spin_independent"
                          f"); got G↑ = {p.g_up:.4g} S, G↓ = {p.g_down:.4g} S, "
                          f"G↑↓ = {p.g_mix:.4g} S: put a ferromagnet at one end, or give "
                          "conductance and seebeck only")

@dataclass(frozen=True, eq=False)
class SpinContacts(ContactGroup):
    """F|N and N|N contacts, K(m) of :func:`~spincaloric.circuit.contacts.response_matrix` plus
    the lattice heat conductance on Q_c ← ΔT; a bulk cell joins two parallel ferromagnetic
    vertices of one layer. Arrays (k,): G↑, G↓ (S), G↑↓ (S, complex) and their energy
    derivatives (S/J); ``ferro_ends`` (k, 2) which ends are ferromagnets."""

    ferro_ends: np.ndarray
    g_up: np.ndarray
    g_down: np.ndarray
    g_mix: np.ndarray
    dg_up: np.ndarray
    dg_down: np.ndarray
    dg_mix: np.ndarray

    @classmethod
    def claims(cls, spec) -> bool:
        return isinstance(spec.parameters, ContactParameters) and spec.spectrum is None

    @classmethod
    def check(cls, where, spec, ferro, mag_rows, temperature) -> None:
        # (plain floats: np.allclose per cell was half of finalize for long layers)
        parallel = ferro[0] and ferro[1] and all(
            abs(x - y) <= 1e-12 + 1e-5 * abs(y) for x, y in zip(*mag_rows))
        if ferro[0] and ferro[1] and not (spec.bulk and parallel):
            raise DeviceError(f"{where}.between", "two ferromagnets cannot be joined directly; "
                              "put a normal node between them or use a tunnel junction "
                              "(JunctionParameters)")
        check_parameters(where, spec.parameters, temperature)
        check_heat_conductance(where, spec.heat_conductance)
        if not (ferro[0] or ferro[1]):
            _check_spin_independent(where, spec.parameters)

    @classmethod
    def build(cls, contacts, ends, labels, specs, ferro, temperature):
        p = [s.parameters for s in specs]
        return cls(contacts, ends, labels, temperature,
                   np.array([float(s.heat_conductance) for s in specs]).reshape(-1),
                   ferro[ends], np.array([x.g_up for x in p], float).reshape(-1),
                   np.array([x.g_down for x in p], float).reshape(-1),
                   np.array([x.g_mix for x in p], complex).reshape(-1),
                   np.array([x.dg_up for x in p], float).reshape(-1),
                   np.array([x.dg_down for x in p], float).reshape(-1),
                   np.array([x.dg_mix for x in p], complex).reshape(-1))

    def parameters(self, i: int) -> ContactParameters:
        return ContactParameters(float(self.g_up[i]), float(self.g_down[i]),
                                 complex(self.g_mix[i]), float(self.dg_up[i]),
                                 float(self.dg_down[i]), complex(self.dg_mix[i]))

    @functools.cached_property
    def magnet(self) -> np.ndarray:
        """(k,) the ferromagnetic end (the first if both are), −1 for normal|normal."""
        f = self.ferro_ends
        return np.where(f[:, 0], self.ends[:, 0], np.where(f[:, 1], self.ends[:, 1], -1))

    @property
    def one_magnet(self) -> np.ndarray:
        return self.ferro_ends.all(axis=1)

    @property
    def absorbing(self) -> np.ndarray:
        return np.stack([self.magnet == self.ends[:, 0],
                         (self.magnet == self.ends[:, 1]) & (self.magnet >= 0)], axis=1)

    @property
    def conductance(self) -> np.ndarray:
        return self.g_up + self.g_down

    @functools.cached_property
    def _coefficients(self) -> np.ndarray:
        """(k, 13, 64) coefficients of K in the features φ(m) (lattice heat included)."""
        coef = response_coefficients(self.g_up, self.g_down, self.g_mix, self.dg_up,
                                     self.dg_down, self.dg_mix, self.temperature)
        coef = coef.reshape(len(self.contacts), 13, 64).copy()
        coef[:, 0, 4 * 8 + 4] += self.heat_conductance  # lattice heat: Q_c += G_L ΔT
        return coef

    def response(self, m, which=None):
        sel = slice(None) if which is None else which
        mc = along(m, self.magnet[sel])
        if mc.ndim == 2:  # one state: the closed form, no coefficient table
            k = response_matrix(self.g_up[sel], self.g_down[sel], self.g_mix[sel],
                                self.dg_up[sel], self.dg_down[sel], self.dg_mix[sel], mc,
                                self.temperature)
            k[:, 4, 4] += self.heat_conductance[sel]  # lattice heat: Q_c += G_L ΔT
            return k, k
        phi = magnetization_features(mc).reshape(len(mc), -1, 13)
        k = (phi @ self._coefficients[sel]).reshape(mc.shape[:-1] + (8, 8))
        return k, k

    def coefficients(self, dynamic, m):
        feature = np.where((self.magnet >= 0) & dynamic[np.maximum(self.magnet, 0)],
                           self.magnet, -1)
        c = self._coefficients.reshape(-1, 13, 8, 8)
        return feature, c, c

    def _conductances(self, eps, span, curvature):
        """(G↑, G↓, G↑↓) (E, k) at the energies ``eps`` (J): G + G'ε + G''ε²/2 (S)."""
        second = np.zeros((3, len(self.contacts)), dtype=complex)
        for i, values in curvature.items():
            second[:, i] = values
        half_eps2 = 0.5 * eps[:, None] ** 2
        g_up = self.g_up[None] + self.dg_up[None] * eps[:, None] + second[0].real * half_eps2
        g_dn = self.g_down[None] + self.dg_down[None] * eps[:, None] + second[1].real * half_eps2
        g_mix = self.g_mix[None] + self.dg_mix[None] * eps[:, None] + second[2] * half_eps2
        return g_up, g_dn, g_mix

    def spectral_blocks(self, eps, m, window, span, curvature):
        g_up, g_dn, g_mix = self._conductances(eps, span, curvature)
        inside = np.abs(eps) <= window
        for name, values in (("G↑", g_up), ("G↓", g_dn), ("Re G↑↓", g_mix.real)):
            bad = np.flatnonzero((values[inside] < 0).any(axis=0))
            if bad.size:
                i = int(bad[0])
                at = _first_negative(eps[inside], values[inside][:, i])
                model = "G + G'ε + G''ε²/2" if i in curvature else "G + G'ε"
                raise DeviceError(self.labels[i], f"{name}(ε) = {model} is negative near "
                                  f"{at:.3g} eV (below zero from there), inside the Fermi window (±"
                                  f"{window / ELEMENTARY_CHARGE:.3g} eV): the model does not "
                                  "hold there; give a tabulated spectrum")
        # beyond, a tiny floor (1e-12 of the contact's G) rather than zero keeps every node
        # connected at every energy (a node between clamped contacts would be singular)
        floor = 1e-12 * (np.abs(self.g_up) + np.abs(self.g_down))[None, :]
        g_up, g_dn = np.where(g_up < floor, floor, g_up), np.where(g_dn < floor, floor, g_dn)
        g_mix = np.where(g_mix.real < floor, floor + 0j, g_mix)
        k = spin_space_block(g_up, g_dn, g_mix, along(m, self.magnet)[None])
        return k, k


@dataclass(frozen=True, eq=False)
class TabulatedContacts(SpinContacts):
    """Ordinary contacts with a tabulated spectrum: the linear regimes use its values and
    slopes at the Fermi level, the energy-resolved solver the whole table."""

    spectra: tuple = ()

    @classmethod
    def claims(cls, spec) -> bool:
        return isinstance(spec.parameters, ContactParameters) and spec.spectrum is not None

    @classmethod
    def check(cls, where, spec, ferro, mag_rows, temperature) -> None:
        if not (ferro[0] or ferro[1]):  # normal|normal: spin independent at every energy
            sp = spec.spectrum
            scale = np.abs(sp.g_up).max() + np.abs(sp.g_down).max()
            if (np.abs(sp.g_up - sp.g_down).max() > 1e-12 * scale
                    or np.abs(sp.g_mix - sp.g_up).max() > 1e-12 * scale):
                raise DeviceError(f"{where}.spectrum", "a normal|normal contact must be "
                                  "spin independent (G↑ = G↓ = G↑↓) at every energy")
        super().check(where, spec, ferro, mag_rows, temperature)

    @classmethod
    def build(cls, contacts, ends, labels, specs, ferro, temperature):
        group = SpinContacts.build(contacts, ends, labels, specs, ferro, temperature)
        return cls(**vars(group), spectra=tuple(s.spectrum for s in specs))

    def _conductances(self, eps, span, curvature):
        """The tables G↑(ε), G↓(ε), G↑↓(ε) (S), each checked to cover ±``span`` (J) and to
        stay non-negative between its points."""
        g_up, g_dn, g_mix = (np.empty((eps.size, len(self.contacts)), dtype)
                             for dtype in (float, float, complex))
        for i, spectrum in enumerate(self.spectra):
            where = f"{self.labels[i]}.spectrum"
            if i in curvature:
                raise DeviceError(where, "a tabulated contact takes no separate curvature")
            spectrum.check_covers(-span, span, where=where)
            g_up[:, i], g_dn[:, i], g_mix[:, i] = spectrum(eps)
            # the spline may overshoot between table points: never a negative conductance
            for name, values in (("G↑", g_up[:, i]), ("G↓", g_dn[:, i]),
                                 ("Re G↑↓", g_mix[:, i].real)):
                if values.min() < 0:
                    at = eps[np.argmin(values)] / ELEMENTARY_CHARGE
                    raise DeviceError(where, f"the interpolated {name} is negative near "
                                      f"{at:.4g} eV: tabulate the spectrum more densely there")
        return g_up, g_dn, g_mix


# ---- tunnel junctions ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TunnelJunctions(ContactGroup):
    """F|I|F tunnel junctions (:mod:`spincaloric.circuit.junctions`), J = K_a X_a − K_b X_b;
    both ferromagnets absorb the transverse barrier spin current. Arrays (k, 4): the moments
    (G_0, G_0P_a, G_0P_b, G_0P_aP_b) (S) and their energy derivatives (S/J)."""

    moments: np.ndarray
    moment_derivatives: np.ndarray

    two_port: ClassVar[bool] = True

    @classmethod
    def claims(cls, spec) -> bool:
        return isinstance(spec.parameters, JunctionParameters)

    @classmethod
    def check(cls, where, spec, ferro, mag_rows, temperature) -> None:
        if not (ferro[0] and ferro[1]):
            raise DeviceError(f"{where}.between", "a tunnel junction joins two ferromagnets "
                              "(an F|I|N barrier is an ordinary contact: TunnelBarrier)")
        if spec.bulk or spec.spectrum is not None:
            raise DeviceError(where, "a tunnel junction is neither a bulk cell nor a "
                              "tabulated spectrum")
        check_parameters(where, spec.parameters, temperature)
        check_heat_conductance(where, spec.heat_conductance)
        if spec.heat_conductance:
            raise DeviceError(f"{where}.heat_conductance", "not on a tunnel junction")

    @classmethod
    def build(cls, contacts, ends, labels, specs, ferro, temperature):
        return cls(contacts, ends, labels, temperature, np.zeros(len(specs)),
                   np.array([s.parameters.moments for s in specs], float).reshape(-1, 4),
                   np.array([s.parameters.moment_derivatives for s in specs],
                            float).reshape(-1, 4))

    def parameters(self, i: int) -> JunctionParameters:
        g, dg = self.moments[i], self.moment_derivatives[i]
        return JunctionParameters(float(g[0]), float(g[1] / g[0]), float(g[2] / g[0]),
                                  *(float(x) for x in dg))

    @property
    def magnet(self) -> np.ndarray:
        return self.ends[:, 0]

    @property
    def absorbing(self) -> np.ndarray:
        return np.ones((len(self.contacts), 2), bool)

    @property
    def conductance(self) -> np.ndarray:
        return self.moments[:, 0]

    def response(self, m, which=None):
        sel = slice(None) if which is None else which
        m_a, m_b = m[self.ends[sel, 0]], m[self.ends[sel, 1]]
        lead = (-1,) + (1,) * (m_a.ndim - 2) + (4,)
        return junction_response(self.moments[sel].reshape(lead),
                                 self.moment_derivatives[sel].reshape(lead), m_a, m_b,
                                 self.temperature)

    def coefficients(self, dynamic, m):
        """A junction is affine in each end's m: C_0 = K(m_f = 0), C_{1+i} = K(e_i) − K(0),
        no m⊗m terms; a junction between two dynamic magnets (bilinear) is refused."""
        a, b = self.ends[:, 0], self.ends[:, 1]
        both = np.flatnonzero(dynamic[a] & dynamic[b])
        if both.size:
            raise DeviceError(self.labels[both[0]], "a tunnel junction between two dynamic "
                              "magnets is bilinear in them: keep one of the two fixed")
        feature = np.where(dynamic[a], a, np.where(dynamic[b], b, -1))
        probes = np.vstack([np.zeros(3), np.eye(3)])  # m_f = 0, e_x, e_y, e_z
        m_a = np.where((feature == a)[:, None, None], probes, m[a][:, None])
        m_b = np.where((feature == b)[:, None, None], probes, m[b][:, None])
        k_a, k_b = junction_response(self.moments[:, None], self.moment_derivatives[:, None],
                                     m_a, m_b, self.temperature)  # (k, 4, 8, 8)
        out = []
        for k in (k_a, k_b):  # a fixed junction: all four probes alike, C_0 = K
            c = np.zeros((len(self.contacts), 13, 8, 8))
            c[:, 0] = k[:, 0]
            c[:, 1:4] = k[:, 1:] - k[:, :1]
            out.append(c)
        return feature, out[0], out[1]

    def spectral_blocks(self, eps, m, window, span, curvature):
        """The moments are linear in ε; each channel pair's W(ε) must stay positive within
        ``window`` and is floored beyond."""
        if curvature:
            raise DeviceError(self.labels[min(curvature)], "a tunnel junction's moments are "
                              "linear in ε: it takes no curvature")
        g = self.moments[:, None] + self.moment_derivatives[:, None] * eps[:, None]  # (k, E, 4)
        w = np.stack([pair_conductances(gc) for gc in g], axis=1)  # (E, k, 4)
        inside = np.abs(eps) <= window
        bad = np.flatnonzero((w[inside] < 0).any(axis=(0, 2)))
        if bad.size:
            i = int(bad[0])
            at = _first_negative(eps[inside], w[inside][:, i].min(axis=1))
            raise DeviceError(self.labels[i], "a channel pair's tunnel conductance "
                              f"G_0(1 ± P_a)(1 ± P_b) is negative near {at:.3g} eV, inside "
                              f"the Fermi window (±{window / ELEMENTARY_CHARGE:.3g} eV): linear "
                              "in ε, it falls below zero there; a pair's thermopower S gives "
                              "G'/G = −3eS/(π²k_B²T), a zero at π²k_B²T/(3eS) — inside "
                              "±10 k_BT once |S| > π²k_B/(30e) ≈ 28 µV/K, at any temperature; "
                              "solve the device in linear response (regime \"thermalized\") or "
                              "give smaller thermopowers")
        floor = 1e-12 * self.moments[None, :, :1]
        w = np.where(w < floor, floor, w)
        g = np.stack([pair_conductances(w[:, i], inverse=True) for i in range(w.shape[1])], 1)
        return spectral_pair_blocks(g, m[self.ends[:, 0]][None], m[self.ends[:, 1]][None])


# ---- heat links --------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatLink:
    """A heat conductance G (W/K) and nothing else: Q_c = G (T_a − T_b), no charge, no spin.
    It joins a node's lattice temperature (a node of kind "lattice") to its electrons — the
    electron–phonon coupling G_ep = g_ep V — or to another lattice (phonon conduction)."""

    conductance: float


@dataclass(frozen=True, eq=False)
class HeatLinks(ContactGroup):
    """Contacts of :class:`HeatLink`: K has the one entry K[Q_c, T_c] = G (W/K)."""

    links: np.ndarray = None  # (k,) G (W/K)

    @classmethod
    def claims(cls, spec) -> bool:
        return isinstance(spec.parameters, HeatLink)

    @classmethod
    def check(cls, where, spec, ferro, mag_rows, temperature) -> None:
        g = spec.parameters.conductance
        if isinstance(g, bool) or not isinstance(g, (int, float, np.floating)) \
                or not (np.isfinite(g) and g > 0):
            raise DeviceError(f"{where}.conductance", f"a heat link's conductance must be a "
                              f"finite number > 0 (W/K), got {g!r}")
        if reason := conductance_reason(g, 0.0, "W/K"):
            raise DeviceError(f"{where}.conductance", f"is {reason}")
        if spec.bulk or spec.spectrum is not None or spec.heat_conductance:
            raise DeviceError(where, "a heat link is a heat conductance alone (no bulk, "
                              "spectrum or heat_conductance beside it)")

    @classmethod
    def build(cls, contacts, ends, labels, specs, ferro, temperature):
        links = np.array([float(s.parameters.conductance) for s in specs]).reshape(-1)
        return cls(contacts, ends, labels, temperature, np.zeros(len(specs)), links)

    def parameters(self, i: int) -> HeatLink:
        return HeatLink(float(self.links[i]))

    @property
    def conductance(self) -> np.ndarray:
        return np.zeros(len(self.contacts))

    def response(self, m, which=None):
        sel = slice(None) if which is None else which
        links = self.links[sel]
        k = np.zeros((len(links),) + m.shape[1:-1] + (8, 8))
        k[..., 4, 4] = links.reshape((-1,) + (1,) * (m.ndim - 2))
        return k, k

    def spectral_blocks(self, eps, m, window, span, curvature):
        raise DeviceError(self.labels[0], "a heat link (a lattice temperature) is not part of "
                          "the energy-resolved solver, whose relaxation is its own (phonons=)")


# ---- registry --------------------------------------------------------------------------------

#: The contact kinds, asked in this order which one a contact description belongs to.
KINDS: list[type] = [TabulatedContacts, SpinContacts, TunnelJunctions, HeatLinks]


def register(kind: type) -> type:
    """Make ``kind`` (a class satisfying :class:`ContactKind`) known to
    :meth:`~spincaloric.circuit.device.Device.finalize`; it is asked before the kinds known
    already. Returns ``kind`` (usable as a class decorator)."""
    if kind not in KINDS:
        KINDS.insert(0, kind)
    return kind


def kind_of(where: str, spec) -> type:
    """The registered kind that claims the contact description ``spec``."""
    for kind in KINDS:
        if kind.claims(spec):
            return kind
    raise DeviceError(f"{where}.parameters", f"no contact kind takes "
                      f"{type(spec.parameters).__name__} (register one: "
                      "spincaloric.circuit.kinds.register)")


def _first_negative(eps, values) -> float:
    """The energy (eV) nearest the Fermi level at which ``values`` (on the grid ``eps``, J)
    are negative: where a conductance's model first falls below zero."""
    negative = np.flatnonzero(values < 0)
    return float(eps[negative[np.argmin(np.abs(eps[negative]))]] / ELEMENTARY_CHARGE)
