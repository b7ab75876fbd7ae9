"""The process that owns pyttsx3 (espeak-ng): `python -m voice.speak.pyttsx3_worker FOLDER`.

espeak-ng is native code and pyttsx3 drives it from Python callbacks on espeak's own thread; a fault
there (a SIGSEGV was seen in `_espeak.Synth` in 3 of 9 runs of `voice bench firstaudio --locale ko`)
would take the whole speaker down, the safety response with it. Here it takes down only this
process, which pyttsx3_voice.py restarts.

Each line is rendered by a fresh espeak-ng, in a child forked for it (`_forked`). espeak-ng carries
state from one line to the next in its waveform generator (its pitch flutter's phase, for one: a
function's static, which nothing resets), so one process rendered the same sentence four times to
four different waveforms, and a line's audio depended on which lines, retries and races came before
it. The speaker's echo over a safety request then differed between two runs of the same test on a
busy machine. A fresh espeak-ng costs 30 ms a line here (its start), against the renders it makes
reproducible, in any order, in any process.

A fresh espeak-ng must also be left to settle before its job. pyttsx3's driver sets its rate and volume
through espeak-ng's asynchronous command queue as it starts, while the voice is chosen at once on the
calling thread. A line that reached a child before that queue had run (right after a short line, on a
busy machine) came out 13 % slower: 2 lines of the Korean library's 414 in 12 runs, and one such
greeting failed the determinism test in CI. So each child waits for the queue to empty first (then no
line differed in 20 runs).

Protocol, one request at a time: the parent writes a JSON line {"text", "voice", "rate", "volume"} to
stdin; the worker answers on its own copy of stdout with a JSON line ({"samples": N} or
{"error": "..."}) then N 16-bit samples. The first line it writes lists the voices ({"voices": {...}}).
Everything else printed (by pyttsx3 or espeak-ng) goes to stderr, never into the protocol.

pyttsx3's espeak driver is asynchronous: `runAndWait()` returns once espeak has *started* (espeak
synthesizes on its own thread and writes the file when it ends), and a stop flag can be left set from
the previous line, cancelling the next. So the child waits for the driver's "finished-utterance" and
for espeak to go idle, and a cancelled line is rendered again, by another fresh child.
"""

import json
import os
import select
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

# imported here, once: in each child they cost 100 ms a line
from ..audio.wavfile import read_wav
from .delivery import trim

RENDER_TIMEOUT_S = 30.0
RENDER_ATTEMPTS = 3


def main(folder: Path) -> int:
    protocol = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever the libraries print goes to stderr
    try:
        # loaded once: each child starts its own espeak-ng from it
        import pyttsx3.drivers.espeak  # noqa: F401
    except Exception as error:  # noqa: BLE001 — reported to the parent as one sentence
        _answer(protocol, {"error": f"the text-to-speech engine could not start ({error})"})
        return 1
    spare = _Child(folder, protocol)
    header, _ = spare.ask({"voices": True})
    _answer(protocol, header)
    if "error" in header:
        return 1
    spare = _Child(folder, protocol)
    for request in sys.stdin:
        job = json.loads(request)
        for attempt in range(RENDER_ATTEMPTS):
            if attempt:  # the driver cancelled the line: another fresh espeak-ng renders it
                spare = _Child(folder, protocol)
            header, audio = spare.ask(job)
            if not header.get("cancelled"):
                break
        else:
            header = {"error": f"espeak-ng gave no audio after {RENDER_ATTEMPTS} attempts"}
        _answer(protocol, header, audio)
        spare = _Child(folder, protocol)  # its espeak-ng starts while the speaker plays this line
    spare.close()
    return 0


def _answer(protocol, header: dict, payload: bytes = b"") -> None:
    protocol.write(json.dumps(header).encode() + b"\n" + payload)
    protocol.flush()


class _Child:
    """A child forked from this process, which never starts espeak-ng itself: it starts a fresh
    espeak-ng at once (30 ms here, before it is needed), then does one job and ends."""

    def __init__(self, folder: Path, protocol) -> None:
        jobs, self._jobs = os.pipe()
        self._answers, answers = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                # only the worker answers the speaker: were it killed, the speaker sees its end
                for inherited in (self._jobs, self._answers, protocol.fileno(), sys.stdin.fileno()):
                    os.close(inherited)
                _serve_one(jobs, answers, folder)
            finally:  # reached only if it failed: never run on as a second worker
                os._exit(1)
        os.close(jobs)
        os.close(answers)

    def ask(self, job: dict) -> tuple[dict, bytes]:
        """Its answer to `job`, or an error when it crashed, hung or answered nothing whole."""
        try:
            os.write(self._jobs, json.dumps(job).encode() + b"\n")
        except OSError:
            pass  # it died before its job: its status says how
        answer = _read_all(self._answers, time.monotonic() + RENDER_TIMEOUT_S)
        if answer is None:
            os.kill(self.pid, signal.SIGKILL)
        status = self.close()
        if answer is None:
            return {"error": "espeak-ng did not finish the line in time"}, b""
        if os.WIFSIGNALED(status):
            return {"error": f"espeak-ng crashed (signal {os.WTERMSIG(status)})"}, b""
        line, _, payload = answer.partition(b"\n")
        try:
            header = json.loads(line)
        except ValueError:
            return {"error": "espeak-ng's render ended without an answer"}, b""
        if len(payload) != 2 * header.get("samples", 0):
            return {"error": "espeak-ng's render ended part way"}, b""
        return header, payload

    def close(self) -> int:
        """End it (a child without its job ends at the end of its input): its wait status."""
        for stream in (self._jobs, self._answers):
            try:
                os.close(stream)
            except OSError:
                pass
        return os.waitpid(self.pid, 0)[1]


def _serve_one(jobs: int, answers: int, folder: Path) -> None:
    """The child's life: a fresh espeak-ng, one job from `jobs`, its answer to `answers`."""
    engine = failure = None
    try:
        engine = _engine()
    except Exception as error:  # noqa: BLE001 — the answer to whatever it is asked
        failure = error
    request = bytearray()
    while not request.endswith(b"\n"):
        chunk = os.read(jobs, 1 << 16)
        if not chunk:
            os._exit(0)  # the worker ended before it had a job for this child
        request += chunk
    job = json.loads(request)
    try:
        if failure is not None:
            raise failure
        header, payload = _voices(engine) if job.get("voices") else _render(engine, job, folder)
    except Exception as error:  # noqa: BLE001 — one bad line must not end the worker
        header, payload = {"error": str(error)}, b""
    with os.fdopen(answers, "wb") as out:
        out.write(json.dumps(header).encode() + b"\n" + payload)
    os._exit(0)  # nothing of the worker's own (its exit handlers, its folder) runs here


def _read_all(stream: int, deadline: float) -> bytes | None:
    """Everything written to `stream` until its writer closes it, or None at `deadline`."""
    data = bytearray()
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([stream], [], [], remaining)[0]:
            return None
        chunk = os.read(stream, 1 << 16)
        if not chunk:
            return bytes(data)
        data += chunk


def _engine():
    """A fresh espeak-ng through pyttsx3, settled: its start-up's rate and volume applied before a
    job's voice is chosen (see the module docstring)."""
    import pyttsx3

    try:
        from pyttsx3.drivers import _espeak

        engine = pyttsx3.init()
    except Exception as error:  # noqa: BLE001 — reported to the parent as one sentence
        raise RuntimeError(f"the text-to-speech engine could not start ({error})") from None
    _silence_driver()
    _espeak.Synchronize()  # waits until espeak-ng's asynchronous command queue is empty
    return engine


def _voices(engine) -> tuple[dict, bytes]:
    return {"voices": {voice.id: voice.name for voice in engine.getProperty("voices")}}, b""


def _render(engine, job: dict, folder: Path) -> tuple[dict, bytes]:
    """One line: its samples, or {"cancelled": true} when the driver cancelled it (then it is
    rendered again, by another child)."""
    from pyttsx3.drivers import _espeak

    finished = threading.Event()
    outcomes: list[bool] = []  # "completed" of each finished-utterance: False when cancelled

    def on_finished(name: str, completed: bool) -> None:  # pyttsx3 calls back by keyword
        outcomes.append(completed)
        finished.set()

    engine.connect("finished-utterance", on_finished)
    engine.setProperty("voice", job["voice"])
    # Rate and volume travel inside the text as espeak-ng embedded commands (Ctrl-A, value, letter):
    # set as properties, they went through espeak's asynchronous command queue and often missed the
    # line, which then came out at the previous line's rate.
    text = f"\x01{job['rate']}S\x01{round(job['volume'] * 100)}A {job['text']}"
    path = folder / f"line-{os.getpid()}.wav"
    engine.save_to_file(text, str(path))
    engine.runAndWait()  # returns once espeak has started, not when it has finished
    if not finished.wait(RENDER_TIMEOUT_S):
        raise RuntimeError("espeak-ng did not finish the line in time")
    deadline = time.monotonic() + RENDER_TIMEOUT_S
    while _espeak.IsPlaying() and time.monotonic() < deadline:
        time.sleep(0.002)
    if not all(outcomes) or not path.exists():
        return {"cancelled": True}, b""
    audio = trim(read_wav(path)).astype("<i2")
    path.unlink()
    return {"samples": len(audio)}, audio.tobytes()


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
