"""The one error shape of spincaloric: a field path and a one-line reason.

Every input error names the offending field (``contacts[1].polarization``,
``nodes.free.magnet.damping``) so that the command line can print ``error: FILE: field: reason``.
"""


class FieldError(ValueError):
    """Invalid input: ``field`` names the culprit, ``reason`` says why (one line)."""

    def __init__(self, field: str, reason: str):
        reason = " ".join(str(reason).split())  # one line, whatever it quotes
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def unknown(what: str, given: str, choices) -> str:
    """The reason for an unknown name: ``"unknown key; did you mean damping?"`` — the close
    matches among ``choices`` (difflib: similarity ≥ 0.6, and within 0.1 of the closest) — or
    the choices themselves when none is close (at most twelve). ``what``: "key", "node", ..."""
    import difflib

    choices = sorted({str(c) for c in choices})
    ratio = {c: difflib.SequenceMatcher(None, given, c).ratio() for c in choices}
    close = difflib.get_close_matches(given, choices, n=3, cutoff=0.6)
    close = [c for c in close if ratio[c] >= ratio[close[0]] - 0.1]
    if close:
        return f"unknown {what}; did you mean {' or '.join(close)}?"
    if not choices:
        return f"unknown {what}"
    shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
    return f"unknown {what} (known: {shown})"


def at_point(err: FieldError, point, where: str = "at") -> FieldError:
    """``err`` (same type and field) of one point of a grid, ``point`` its (key, value)
    pairs (a key may leave out the path's head: ``free.magnet.thickness``): the reason
    prefixed with the coordinates other than the field itself, so that a varied field that
    is itself invalid is named once ("…thickness: must be positive, got -1e-09")."""
    shown = ", ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                      for k, v in point if err.field != k and not err.field.endswith(f".{k}"))
    return type(err)(err.field, f"{where} {shown}: {err.reason}" if shown else err.reason)


def user_stacklevel() -> int:
    """The ``stacklevel`` of a ``warnings.warn`` call (made by the function calling this) that
    names the caller of the outermost spincaloric frame: a warning points at the user's line,
    however deep in the package (and the libraries it calls back through, such as pydantic's
    validators) it arose."""
    import os
    import sys

    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame, level, outermost = sys._getframe(1), 1, 1
    while frame is not None:
        if os.path.abspath(frame.f_code.co_filename).startswith(package):
            outermost = level
        frame, level = frame.f_back, level + 1
    return outermost + 1


class DeviceError(FieldError):
    """Invalid device: ``field`` is the dotted path of the culprit, ``reason`` says why."""


class DynamicsError(FieldError):
    """Invalid dynamics input; ``field`` names the culprit."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) during a study that had finished part of its work: ``partial``
    holds the result of that part (e.g. the replicas of multilevel splitting that completed),
    ``done`` and ``total`` count the parts, ``parts`` names them ("replicas",
    "trajectories")."""

    def __init__(self, partial, done: int, total: int, parts: str = "parts"):
        super().__init__(f"interrupted after {done} of {total} {parts}")
        self.partial = partial
        self.done = done
        self.total = total
        self.parts = parts
