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
