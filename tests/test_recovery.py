"""Unplug and replug through real sounddevice streams on ALSA file-plugin devices.

The stream fails on purpose (its callback aborts, as PortAudio's does when a USB device goes away),
and the capture device really vanishes from PortAudio's list and returns: ALSA lists a file-plugin
capture device only while its input file exists.
"""

import threading
import time

import numpy as np
import pytest
import sounddevice as sd
from test_engine import make_engine

from voice.audio import live_driver
from voice.audio.frames import RATE, frames_for
from voice.status import StatusBoard, describe, engine_state


@pytest.fixture
def portaudio_on_alsa_files(alsa_devices, monkeypatch):
    monkeypatch.setenv("HOME", alsa_devices["HOME"])
    sd._terminate()
    sd._initialize()
    yield alsa_devices
    monkeypatch.undo()
    sd._terminate()
    sd._initialize()


class Unpluggable(sd.Stream):
    """A real stream whose device can be pulled out: its callback aborts while `unplugged` is set."""

    unplugged = threading.Event()

    def __init__(self, *args, callback, **kwargs) -> None:
        def pulled(*call_args) -> None:
            if Unpluggable.unplugged.is_set():
                raise sd.CallbackAbort
            callback(*call_args)
        super().__init__(*args, callback=pulled, **kwargs)


@pytest.mark.slow
def test_an_unplugged_microphone_pauses_the_session_and_listening_resumes_soon_after_it_returns(
        portaudio_on_alsa_files, monkeypatch, tmp_path):
    mic = portaudio_on_alsa_files["mic"]
    mic.write_bytes(np.zeros(120 * RATE, "<i2").tobytes())
    monkeypatch.setattr(live_driver.sd, "Stream", Unpluggable)
    monkeypatch.setattr(live_driver, "FLAP_S", 0.0)  # it ran long enough: an unplug, not a failing device
    engine = make_engine(tmp_path)
    engine.hear_text("start our check-in")
    status = StatusBoard(engine, tmp_path / "status.json")
    events: list = []

    def record(batch) -> None:
        status.observe(batch)
        events.extend(batch)

    driver = threading.Thread(target=live_driver.run_live, args=(engine, "testmic", "testspk", record, 60.0, status),
                              daemon=True)
    driver.start()
    wait_for(lambda: engine.frame > 500)  # the check-in is under way
    latency_s = (status.devices["input_latency_ms"] + status.devices["output_latency_ms"]) / 1000
    assert engine.device_delay_frames >= 1 and abs(engine.device_delay_frames - frames_for(latency_s + 0.02)) <= 1
    Unpluggable.unplugged.set()
    mic.unlink()  # the device is gone from PortAudio's list, not only silent
    wait_for(lambda: status.audio.startswith("lost"))
    paused_at = engine.frame
    time.sleep(2.0)
    assert engine.frame == paused_at and engine_state(engine)["paused"] is True  # time stands still, nothing lost
    assert "lost: the audio stream stopped" in describe(status.snapshot())
    Unpluggable.unplugged.clear()
    mic.write_bytes(np.zeros(120 * RATE, "<i2").tobytes())
    replugged = time.monotonic()
    wait_for(lambda: engine.frame > paused_at + 10)
    back_after = time.monotonic() - replugged
    driver.join(timeout=30)
    assert not driver.is_alive()
    kinds = [e.type for e in events]
    assert kinds.count("audio_lost") == 1 and kinds.count("audio_back") == 1
    assert back_after < 5.0, f"listening again {back_after:.1f} s after the microphone returned"
    said = [e.data["text"] for e in events if e.type == "said"]
    assert "I can hear you again. Let's carry on." in said
    assert engine_state(engine).get("paused") is False and engine.session is not None
    print(f"listening again {back_after:.2f} s after the microphone returned")


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.slow
def test_the_service_waits_for_a_microphone_that_is_not_there_yet_at_boot(portaudio_on_alsa_files, tmp_path):
    mic = portaudio_on_alsa_files["mic"]
    mic.unlink(missing_ok=True)
    engine = make_engine(tmp_path)
    status = StatusBoard(engine, tmp_path / "status.json")
    events: list = []
    driver = threading.Thread(target=live_driver.run_live, args=(engine, "testmic", "testspk", events.extend, 5.0,
                                                                 status), kwargs={"wait_for_devices": True}, daemon=True)
    driver.start()
    time.sleep(1.5)
    assert engine.frame == 0 and status.audio.startswith("waiting: there is no input device 'testmic'")
    mic.write_bytes(np.zeros(10 * RATE, "<i2").tobytes())
    driver.join(timeout=30)
    assert not driver.is_alive() and engine.frame >= 250
    assert [e.type for e in events].count("audio_back") == 1
