"""Child processes that Ctrl-C can reach.

A shell starts background jobs with SIGINT ignored, and a Python started with SIGINT ignored
never raises KeyboardInterrupt: a test that interrupts a child must give it the default
disposition back, or it tests how the test was launched instead of the program.
"""

import signal


def interruptible() -> None:
    """``preexec_fn`` of a child that a test interrupts with SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
