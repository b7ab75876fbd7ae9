"""The process that owns pyttsx3 (espeak-ng): `python -m voice.speak.pyttsx3_worker FOLDER`.

espeak-ng is native code and pyttsx3 drives it from Python callbacks on espeak's own thread; a fault
there (a SIGSEGV was seen in `_espeak.Synth` in 3 of 9 runs of `voice bench firstaudio --locale ko`)
would take the whole speaker down, the safety response with it. Here it takes down only this
process, which pyttsx3_voice.py restarts.

Protocol, one request at a time: the parent writes a JSON line {"text", "voice", "rate", "volume"} to
stdin; the worker answers on its own copy of stdout with a JSON line ({"samples": N} or
{"error": "..."}) then N 16-bit samples. The first line it writes lists the voices ({"voices": {...}}).
Everything else printed (by pyttsx3 or espeak-ng) goes to stderr, never into the protocol.

pyttsx3's espeak driver is asynchronous: `runAndWait()` returns once espeak has *started* (espeak
synthesizes on its own thread and writes the file when it ends), and a stop flag can be left set from
the previous line, cancelling the next. So after each line the worker waits for the driver's
"finished-utterance", waits for espeak to go idle and clears the stale flag before the next one.
"""

import json
import os
import shutil
import sys
import threading
import time
from pathlib import Path

import numpy as np

RENDER_TIMEOUT_S = 30.0
RENDER_ATTEMPTS = 3


def main(folder: Path) -> int:
    protocol = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever the libraries print goes to stderr
    try:
        import pyttsx3

        engine = pyttsx3.init()
        _silence_driver()
        voices = {voice.id: voice.name for voice in engine.getProperty("voices")}
    except Exception as error:  # noqa: BLE001 — reported to the parent as one sentence
        _answer(protocol, {"error": f"the text-to-speech engine could not start ({error})"})
        return 1
    _answer(protocol, {"voices": voices})
    finished = threading.Event()
    outcomes: list[bool] = []  # "completed" of each finished-utterance: False when cancelled

    def on_finished(name: str, completed: bool) -> None:  # pyttsx3 calls back by keyword
        outcomes.append(completed)
        finished.set()

    engine.connect("finished-utterance", on_finished)
    path = folder / "line.wav"
    current_voice = None
    for request in sys.stdin:
        job = json.loads(request)
        try:
            if job["voice"] != current_voice:
                engine.setProperty("voice", job["voice"])
                current_voice = job["voice"]
            # Rate and volume travel inside the text as espeak-ng embedded commands (Ctrl-A, value,
            # letter): set as properties, they went through espeak's asynchronous command queue and
            # often missed the line, which then came out at the previous line's rate.
            text = f"\x01{job['rate']}S\x01{round(job['volume'] * 100)}A {job['text']}"
            for _ in range(RENDER_ATTEMPTS):
                finished.clear()
                outcomes.clear()
                audio = _render(engine, text, path, finished, outcomes)
                if audio is not None:
                    break
            else:
                raise RuntimeError(f"espeak-ng gave no audio after {RENDER_ATTEMPTS} attempts")
        except Exception as error:  # noqa: BLE001 — one bad line must not end the worker
            _answer(protocol, {"error": str(error)})
            continue
        _answer(protocol, {"samples": len(audio)}, audio.astype("<i2").tobytes())
    return 0


def _answer(protocol, header: dict, payload: bytes = b"") -> None:
    protocol.write(json.dumps(header).encode() + b"\n" + payload)
    protocol.flush()


def _render(engine, text: str, path: Path, finished: threading.Event, outcomes: list[bool]) -> np.ndarray | None:
    """One line, or None when the driver cancelled it (then it is tried again)."""
    from pyttsx3.drivers import _espeak

    from ..audio.wavfile import read_wav
    from .delivery import trim

    driver = engine.proxy._driver
    driver._stopping = False  # a stop left over from the previous line would cancel this one
    path.unlink(missing_ok=True)  # never read an earlier line's audio
    engine.save_to_file(text, str(path))
    engine.runAndWait()  # returns once espeak has started, not when it has finished
    if not finished.wait(RENDER_TIMEOUT_S):
        raise RuntimeError("espeak-ng did not finish the line in time")
    deadline = time.monotonic() + RENDER_TIMEOUT_S
    while _espeak.IsPlaying() and time.monotonic() < deadline:
        time.sleep(0.002)
    driver._stopping = False
    if not all(outcomes) or not path.exists():
        return None
    return trim(read_wav(path))


def _silence_driver() -> None:
    """The espeak driver print()s "Audio saved to ..." for every line; stdout is stderr here, but a
    line per render would still fill the journal."""
    try:
        from pyttsx3.drivers import espeak

        espeak.print = lambda *args, **kwargs: None
    except ImportError:  # another platform's driver
        pass


if __name__ == "__main__":
    try:
        sys.exit(main(Path(sys.argv[1])))
    finally:  # the speaker ended (its end of the pipe closed): leave nothing behind
        shutil.rmtree(sys.argv[1], ignore_errors=True)
