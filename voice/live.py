"""The live speaker: the engine on the sound card, with `voice status`, the GPIO button and light, and
SIGHUP (`systemctl reload voice`), which rebuilds the speaker from fresh settings once no session is
running. Settings that do not load leave the running speaker as it was."""

import logging
import signal
import threading
from collections.abc import Callable

from .assemble import build_engine
from .audio.live_driver import run_live
from .config import Settings
from .engine import Engine
from .errors import VoiceError
from .events import Event
from .status import StatusBoard, status_file

log = logging.getLogger("voice")


def serve(load: Callable[[], Settings], settings: Settings, engines: list[Engine],
          write: Callable[[list[Event]], None], max_seconds: float | None, wait_for_devices: bool) -> None:
    """Run `engines[-1]` live until stopped; a reload appends the new engine (the caller closes the last)."""
    reload = threading.Event()
    stop = threading.Event()
    signal.signal(signal.SIGHUP, lambda *_: reload.set())  # also while a reload is under way
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # a stop mid-reload is a clean exit too
    engines[-1].introduce_once()
    while True:
        engine = engines[-1]
        status = StatusBoard(engine, status_file())
        panel = None
        if settings.button_pin is not None or settings.led_pin is not None:
            from .gpio import Panel

            panel = Panel(engine, settings.button_pin, settings.led_pin)

        try:
            reloading = run_live(engine, settings.input_device, settings.output_device,
                                 _recorder(write, status, panel), max_seconds,
                                 status, wait_for_devices=wait_for_devices, reload=reload, stop=stop)
        finally:
            if panel is not None:
                panel.close()
        if not reloading or stop.is_set():
            return
        reload.clear()
        try:
            fresh = load()
            replacement = build_engine(fresh, recognize=True)
        except VoiceError as error:
            log.error("the settings were not reloaded (%s); the speaker carries on as it was", error)
            continue
        replacement.microphone_tap = engine.microphone_tap
        engines.append(replacement)
        engine.close()
        settings = fresh
        log.info("settings reloaded")
        if stop.is_set():
            return


def _recorder(write: Callable[[list[Event]], None], status: StatusBoard, panel) -> Callable[[list[Event]], None]:
    """Each frame's events to the log and events file, `voice status` and the button's light."""
    def record(batch: list[Event]) -> None:
        write(batch)
        status.observe(batch)
        if panel is not None:
            panel.observe(batch)
    return record
