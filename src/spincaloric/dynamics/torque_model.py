r"""The circuit's torque on the dynamic magnets as an exact, precomputed function of m and drives.

At fixed internal ferromagnets, K(m) of every contact is linear in the features
φ(m) = (1, m, m⊗m) of its magnet (:func:`spincaloric.contacts.response_coefficients`), and the
Kirchhoff assembly is linear in K. Hence, for dynamic magnets f with magnetizations m_f and the
drive vector d (reservoir voltages, temperatures, currents),

.. math::

    \Big(A_0 + \sum_f φ(m_f)\cdot E_f\Big)\, y = \Big(R_0 + \sum_f φ(m_f)\cdot F_f\Big)\, d,
    \qquad I^\mathrm{abs}_f = \Big[\sum_q φ_q(m_f)\, T_{f,q}\Big] (y, d),\quad
    τ_f = \frac{\hbar}{2e}\,\big(I^\mathrm{abs}_f\big)_{\perp m_f},

which is exact (no approximation of the angle dependence): per step it costs one small dense
solve. A tunnel junction (:mod:`spincaloric.junctions`) with one dynamic end is affine in that
magnet's m, so it enters with the features (1, m) and a pair (K_a, K_b) of coefficients; a
junction between two dynamic magnets (bilinear in the two) is refused. :meth:`CircuitTorqueModel.torques` is the NumPy reference; the compiled integrators use
the same arrays.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import solver as _solver
from ..constants import TORQUE_PER_SPIN_CURRENT, from_electric_potential
from ..contacts import magnetization_features
from ..device import Circuit, DeviceError
from ..junctions import junction_response


@dataclass(frozen=True, eq=False)
class CircuitTorqueModel:
    """Exact torque map of a circuit for a set of dynamic magnets (reservoir ferromagnets).

    Attributes
    ----------
    circuit : the circuit.       magnets : names of the dynamic magnets (k).
    nodes : (k,) their node indices.
    a0 (u, u), r0 (u, 3n), e (k, 13, u, u), f (k, 13, u, 3n), t (k, 13, 3, u + 3n): the maps
    above, with the drive vector d = (V_0, ΔT_0, I_0, V_1, ...) in theory variables: V (V),
    T − T0 (K), conventional current injected by a current-biased reservoir (A).
    d0 : (3n,) the circuit's static drive vector.
    """

    circuit: Circuit
    magnets: tuple[str, ...]
    nodes: np.ndarray
    a0: np.ndarray
    r0: np.ndarray
    e: np.ndarray
    f: np.ndarray
    t: np.ndarray
    d0: np.ndarray

    @classmethod
    def build(cls, circuit: Circuit, magnets) -> CircuitTorqueModel:
        """Precompute the maps for the ferromagnets named in ``magnets``."""
        magnets = tuple(magnets)
        nodes = []
        for name in magnets:
            if name not in circuit.index:
                raise DeviceError(f"nodes.{name}", "no such node")
            i = circuit.index[name]
            if not circuit.ferromagnet[i]:
                raise DeviceError(f"nodes.{name}.magnet", "only a ferromagnet can be dynamic")
            if not circuit.reservoir[i]:
                raise DeviceError(f"nodes.{name}.magnet", "a dynamic magnet must be a reservoir "
                                  "(its spin accumulation relaxes in its bulk); internal "
                                  "ferromagnets stay fixed")
            nodes.append(i)
        nodes = np.array(nodes, dtype=np.intp)
        varying = np.zeros(circuit.n_nodes, bool)
        varying[nodes] = True
        active = _solver.active_components(circuit)
        unknown = circuit.unknown_nodes
        act = active[unknown].reshape(-1)
        u = int(act.sum())
        n3 = 3 * circuit.n_nodes
        mflat = circuit.magnetization[:, None, :].copy()
        bases = _solver.node_bases(circuit, mflat, varying)
        coef = _solver._coefficients(circuit).reshape(-1, 13, 8, 8)
        k_fixed = _solver.contact_responses(circuit, mflat, np.zeros_like(varying))
        magnet_of = _dynamic_end(circuit, varying)
        zero = np.zeros((1, 8, 8))
        pairs = _junction_coefficients(circuit, magnet_of)
        const_k = [zero if (g >= 0 and varying[g]) else k_fixed[c] for c, g in enumerate(magnet_of)]
        a0, r0 = _solver.assemble_dense(circuit, const_k, bases)
        a0, r0 = a0[0][np.ix_(act, act)], r0[0][act]
        e = np.zeros((len(nodes), 13, u, u))
        f = np.zeros((len(nodes), 13, u, n3))
        for j, node in enumerate(nodes):
            kf = [pairs.get(c, coef[c]) if g == node else zero for c, g in enumerate(magnet_of)]
            ej, fj = _solver.assemble_dense(circuit, kf, bases, node_terms=False)
            e[j] = ej[:, act][:, :, act]
            f[j] = fj[:, act]
        # node states are linear in (y, d): columns of S by unit vectors
        w = u + n3
        y_pad = np.zeros((w, len(unknown) * 8))
        y_pad[np.arange(u), np.flatnonzero(act)] = 1.0
        drives = np.zeros((circuit.n_nodes, 3, w))
        drives.reshape(n3, w)[np.arange(n3), u + np.arange(n3)] = 1.0
        s = _solver.node_states(circuit, y_pad.reshape(w, -1, 8), mflat, drives)  # (w, n, 8)
        t = np.zeros((len(nodes), 13, 3, w))
        for c, (a, b) in enumerate(circuit.ends):
            g = magnet_of[c]
            if g < 0 or not varying[g]:
                continue
            j = int(np.flatnonzero(nodes == g)[0])
            sign = 1.0 if a == g else -1.0  # spin current F -> N is +J when F is between[0]
            if c in pairs:  # J = K_a X_a − K_b X_b
                c_a, c_b = pairs[c]
                t[j] -= sign * (np.einsum("qij,jw->qiw", c_a[:, 1:4, :], s[:, a, :].T)
                                - np.einsum("qij,jw->qiw", c_b[:, 1:4, :], s[:, b, :].T))
                continue
            m_c = (s[:, a, :] - s[:, b, :]).T  # (8, w)
            t[j] -= sign * np.einsum("qij,jw->qiw", coef[c][:, 1:4, :], m_c)
        d0 = _solver._drive_vectors(_static_drives(circuit))[0]
        return cls(circuit, magnets, nodes, a0, r0, e, f, t, d0)

    def drive_vector(self, voltage=None, temperature=None, current=None) -> np.ndarray:
        """The drive vector d (3n,) with reservoir overrides: ``voltage`` electric potential (V),
        ``temperature`` absolute (K), ``current`` conventional (A), dicts by node name."""
        d = self.d0.copy()
        c = self.circuit
        for name, v in (voltage or {}).items():
            d[3 * c.index[name]] = from_electric_potential(v)
        for name, v in (temperature or {}).items():
            d[3 * c.index[name] + 1] = v - c.temperature
        for name, v in (current or {}).items():
            d[3 * c.index[name] + 2] = v
        return d

    def torques(self, m: np.ndarray, d: np.ndarray | None = None) -> np.ndarray:
        """Spin-transfer torques (..., k, 3) in N·m on the dynamic magnets.

        m : (..., k, 3) unit magnetizations;  d : (..., 3n) drive vectors (default: static).
        NumPy reference implementation, batched over the leading axes.
        """
        m = np.asarray(m, dtype=float)
        d = self.d0 if d is None else np.asarray(d, dtype=float)
        phi = magnetization_features(m)  # (..., k, 13)
        a = self.a0 + np.einsum("...kq,kquv->...uv", phi, self.e)
        r = self.r0 + np.einsum("...kq,kqud->...ud", phi, self.f)
        rhs = np.einsum("...ud,...d->...u", r, d)
        y = np.linalg.solve(a, rhs[..., None])[..., 0]
        w = np.concatenate([y, np.broadcast_to(d, y.shape[:-1] + d.shape[-1:])], axis=-1)
        i_abs = np.einsum("...kq,kqiw,...w->...ki", phi, self.t, w)
        perp = i_abs - np.einsum("...ki,...ki->...k", i_abs, m)[..., None] * m
        return TORQUE_PER_SPIN_CURRENT * perp


def _dynamic_end(circuit: Circuit, varying: np.ndarray) -> np.ndarray:
    """(c,) the magnet whose features each contact's K depends on: its ferromagnet, or a
    junction's dynamic end (−1 if none); refuses a junction between two dynamic magnets."""
    out = np.array(circuit.magnet_of_contact)
    for c in np.flatnonzero(circuit.junction):
        a, b = circuit.ends[c]
        if varying[a] and varying[b]:
            raise DeviceError(circuit.contact_labels[c] if c < len(circuit.contact_labels)
                              else f"contacts[{c}]",
                              "a tunnel junction between two dynamic magnets is bilinear in "
                              "them: keep one of the two fixed")
        out[c] = a if varying[a] else (b if varying[b] else -1)
    return out


def _junction_coefficients(circuit: Circuit, dynamic_end: np.ndarray) -> dict:
    """{contact: (C_a, C_b)} for junctions with a dynamic end f, each (13, 8, 8): K is affine
    in m_f, so C_0 = K(m_f = 0), C_{1+i} = K(e_i) − K(0) and the m⊗m coefficients vanish."""
    out = {}
    for c in np.flatnonzero(circuit.junction & (dynamic_end >= 0)):
        a, b = circuit.ends[c]
        probes = np.vstack([np.zeros(3), np.eye(3)])  # m_f = 0, e_x, e_y, e_z
        m_a = probes if dynamic_end[c] == a else circuit.magnetization[a]
        m_b = probes if dynamic_end[c] == b else circuit.magnetization[b]
        k_a, k_b = junction_response(circuit.junction_moments[c],
                                     circuit.junction_derivatives[c], m_a, m_b,
                                     circuit.temperature)
        pair = []
        for k in (k_a, k_b):
            coef = np.zeros((13, 8, 8))
            coef[0] = k[0]
            coef[1:4] = k[1:] - k[0]
            pair.append(coef)
        out[int(c)] = tuple(pair)
    return out


def _static_drives(circuit: Circuit) -> np.ndarray:
    """(n, 3, 1) static drives of the circuit: (V, T − T0, I) of every node."""
    d = np.zeros((circuit.n_nodes, 3, 1))
    d[:, 0, 0] = circuit.reservoir_voltage
    d[:, 1, 0] = circuit.reservoir_temperature - circuit.temperature
    d[:, 2, 0] = circuit.reservoir_current
    return d
