"""How the `voice` process starts and ends: bounded memory arenas, and SIGTERM/SIGHUP unwinding like Ctrl-C."""

import ctypes
import signal


class Ended(BaseException):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C, so every `finally` runs (an output WAV gets its length,
    the session log closes, the voice's temporary folder is removed)."""

    def __init__(self, code: int) -> None:
        self.code = code


def _end_on_signal(number: int, frame: object) -> None:
    raise Ended(128 + number)


def end_on_signals() -> None:
    """Raise `Ended` on SIGTERM (systemd's stop) and SIGHUP (a closed terminal)."""
    for signal_number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signal_number, _end_on_signal)


def bound_malloc_arenas() -> None:
    """glibc gives each thread its own malloc arena and keeps what it touched: the speaker's memory crept
    up for hours (`voice bench soak`: 15.6 MB after hour 1, 4.7-6.3 MB with two). Set before any thread."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass  # not glibc: nothing to bound
