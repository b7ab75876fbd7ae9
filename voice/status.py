"""What the running speaker is doing, for `voice status` and SIGUSR1: state, uptime, last intent, devices.

The live driver writes it once a second to a small JSON file in the runtime folder (a tmpfs under
systemd, so months of writes never wear the SD card). It holds intent names, never words.
"""

import json
import logging
import os
import tempfile
import time
from pathlib import Path

from .audio.frames import seconds_of
from .events import Event

log = logging.getLogger(__name__)
SERVICE_RUNTIME_DIR = Path("/run/voice")  # RuntimeDirectory=voice in hardware/voice.service
WRITE_EVERY_S = 1.0


def engine_state(engine) -> dict[str, object]:
    """What the engine is doing: listening, speaking or muted, and the exercise's step (never any words)."""
    state = "muted" if engine.muted else "speaking" if engine.player.playing else "listening"
    out: dict[str, object] = {"state": state, "audio_seconds": round(seconds_of(engine.frame), 1)}
    session = engine.session
    if session is not None and not session.finished:
        out.update(script=session.script.id, step=session.index + 1, steps=len(session.script.steps),
                   paused=session.paused)
    if engine.suspended is not None:
        out["set_aside"] = engine.suspended.script.id
    return out


def status_file() -> Path:
    """The runtime folder: systemd's RuntimeDirectory= for the service, else the user's runtime folder."""
    given = os.environ.get("RUNTIME_DIRECTORY")
    return (Path(given.split(":")[0]) if given else _user_runtime_dir() / "voice") / "status.json"


def _user_runtime_dir() -> Path:
    """$XDG_RUNTIME_DIR, else the session's /run/user/UID, else a private folder in the temporary
    folder (a login without a session, cron): the same place platformdirs falls back to, without its
    warning on every command."""
    given = os.environ.get("XDG_RUNTIME_DIR")
    if given and os.path.isdir(given):
        return Path(given)
    session = Path(f"/run/user/{os.getuid()}")
    return session if session.is_dir() else Path(tempfile.gettempdir()) / f"runtime-{os.getuid()}"


def process_age() -> float | None:
    """Seconds since this process was started (exec), from /proc; None where there is no /proc."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started_ticks = int(fields[19])  # field 22 of stat: start time in clock ticks after boot
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return uptime - started_ticks / os.sysconf("SC_CLK_TCK")


class StatusBoard:
    def __init__(self, engine, path: Path | None = None) -> None:
        self.engine, self.path = engine, path
        self.started = time.time()
        self.audio = "starting"
        self.devices: dict[str, object] = {}
        self.last_intent: dict[str, object] | None = None
        self._written = 0.0

    def observe(self, events: list[Event]) -> None:
        """The last intent, by name. (`audio` is set by the live driver, which knows it first.)"""
        for event in events:
            if event.type == "intent":
                self.last_intent = {"name": event.data["name"], "at": time.time()}

    def snapshot(self) -> dict[str, object]:
        now = time.time()
        state = engine_state(self.engine)
        if self.audio != "ok":  # starting, waiting for a device, or one was lost: nothing is heard yet
            state["state"] = "waiting for the microphone and speaker"
        return {"pid": os.getpid(), "updated": now, "uptime_s": round(now - self.started, 1), "audio": self.audio,
                **state, "last_intent": self.last_intent, "devices": self.devices}

    def tick(self) -> None:
        """Write the file at most once a second; a failing write is logged once and never stops the speaker."""
        now = time.monotonic()
        if self.path is None or now - self._written < WRITE_EVERY_S:
            return
        self._written = now
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            partial = self.path.with_suffix(".tmp")
            partial.write_text(json.dumps(self.snapshot()))
            partial.replace(self.path)
        except OSError as error:
            log.warning("cannot write the status file %s (%s); 'voice status' will not see this speaker",
                        self.path, error)
            self.path = None

    def log(self) -> None:
        log.info("status: %s", describe(self.snapshot()))


def read_status() -> tuple[Path, dict] | None:
    """The newest status file of a speaker that is still running (this user's, or the service's)."""
    found = []
    for path in {status_file(), SERVICE_RUNTIME_DIR / "status.json"}:
        try:
            status = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if isinstance(status, dict) and isinstance(status.get("updated", 0), (int, float)):
            found.append((path, status))  # anything else was not written by a speaker
    alive = [(path, status) for path, status in found if _running(status.get("pid"))]
    return max(alive, key=lambda item: item[1].get("updated", 0)) if alive else None


def _running(pid: object) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True  # the service's user: alive, not ours to signal
    except OSError:
        return False
    return True


def describe(status: dict) -> str:
    """One readable paragraph: what it is doing, for how long, what it last understood."""
    parts = [f"{status.get('state', '?')}", f"up {_duration(status.get('uptime_s', 0))}",
             f"audio {status.get('audio', '?')}"]
    if status.get("script"):
        paused = ", paused" if status.get("paused") else ""
        parts.append(f"in {status['script']} step {status['step']} of {status['steps']}{paused}")
    if status.get("set_aside"):
        parts.append(f"{status['set_aside']} set aside for a break")
    last = status.get("last_intent")
    parts.append(f"last intent {last['name']} {_duration(time.time() - last['at'])} ago" if last else "no intent yet")
    devices = status.get("devices") or {}
    if devices:
        parts.append(f"microphone '{devices.get('input')}', speaker '{devices.get('output')}' at "
                     f"{devices.get('rate')} Hz, latency in {devices.get('input_latency_ms')} ms / out "
                     f"{devices.get('output_latency_ms')} ms")
    return "; ".join(parts)


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
