"""The engine's side of living on a shelf: the weekly reminder in frame time, devices lost and back,
the button's mute and stop, and the status it reports."""

import datetime as dt
import time

from conftest import ToneVoice
from test_engine import Recorder

from voice.audio.frames import frames_for
from voice.engine import Engine
from voice.exercises.history import SessionLog
from voice.exercises.library import Library, bundled_scripts_dir
from voice.listen.intents import IntentMatcher
from voice.listen.listener import Listener
from voice.locale import Locale
from voice.schedule import Daily, QuietHours, Weekly
from voice.speak.cache import PromptCache
from voice.status import engine_state

SUNDAY_6_59_PM = dt.datetime(2026, 11, 22, 18, 59).timestamp()


def frame_clock_engine(tmp_path, start: float, quiet: str | None = None, db: str = "sessions.db") -> Engine:
    """An engine whose wall clock is made from its frame count, as a live one's would be."""
    lang = Locale.load("en")
    library = Library([bundled_scripts_dir()], "en", lang.intents)
    holder: dict[str, Engine] = {}
    engine = Engine(lang, library, PromptCache(ToneVoice(), tmp_path / "cache"), Listener(IntentMatcher(lang.intents)),
                    ("Alex", "Sam"), SessionLog(tmp_path / db), clock=lambda: start + holder["e"].frame * 0.02,
                    reminder=Weekly.parse("sunday 19:00"), quiet_hours=QuietHours.parse(quiet) if quiet else None)
    holder["e"] = engine
    return engine


def test_the_reminder_comes_once_at_its_time_and_not_again_after_a_restart(tmp_path):
    engine = frame_clock_engine(tmp_path, SUNDAY_6_59_PM)
    recorder = Recorder(engine)
    recorder.run(frames_for(59.0))
    assert not recorder.of("reminder")
    recorder.run(frames_for(2.0))
    [reminder] = recorder.of("reminder")
    assert abs(reminder.frame - frames_for(60.0)) <= frames_for(1.0)  # checked once a second
    assert any("check-in time" in e.data["text"] for e in recorder.of("said"))
    recorder.run(frames_for(120.0))
    assert len(recorder.of("reminder")) == 1  # never nags twice
    engine.close()
    again = Recorder(frame_clock_engine(tmp_path, SUNDAY_6_59_PM + 180))  # restarted the same evening
    again.run(frames_for(30.0))
    assert not again.of("reminder")


def test_the_reminder_waits_for_quiet_hours_to_end_and_for_a_session_to_finish(tmp_path):
    engine = frame_clock_engine(tmp_path, SUNDAY_6_59_PM, quiet="18:00-19:02")
    recorder = Recorder(engine)
    recorder.run(frames_for(200.0))
    [reminder] = recorder.of("reminder")
    assert abs(reminder.frame - frames_for(180.0)) <= frames_for(1.0)  # at 19:02, not 19:00

    busy = Recorder(frame_clock_engine(tmp_path, SUNDAY_6_59_PM, db="other.db"))
    busy.say("start a calming break")
    busy.run(frames_for(90.0))
    assert not busy.of("reminder")  # not in the middle of a break
    busy.say("stop")
    busy.run(frames_for(10.0))
    assert len(busy.of("reminder")) == 1


def test_a_lost_device_pauses_the_session_silently_and_it_carries_on_when_back(tmp_path):
    engine = frame_clock_engine(tmp_path, SUNDAY_6_59_PM - 3600)
    recorder = Recorder(engine)
    recorder.say("start our check-in")
    recorder.run(frames_for(3.0))
    said_before = len(recorder.of("said"))
    engine.audio_lost("the microphone stopped sending audio")
    assert engine_state(engine)["paused"] is True and not engine.player.playing
    # No frames while the device is gone: the engine's time stands still.
    engine.audio_back()
    recorder.run(frames_for(5.0))
    assert [e.type for e in recorder.events if e.type.startswith("audio")] == ["audio_lost", "audio_back"]
    said = [e.data["text"] for e in recorder.of("said")[said_before:]]
    assert said[0] == "I can hear you again. Let's carry on." and "Paused" not in " ".join(said)
    assert engine_state(engine)["paused"] is False


def test_a_session_paused_by_the_couple_stays_paused_when_the_device_comes_back(tmp_path):
    engine = frame_clock_engine(tmp_path, SUNDAY_6_59_PM - 3600)
    recorder = Recorder(engine)
    recorder.say("start our check-in")
    recorder.say("pause")
    engine.audio_lost("unplugged")
    engine.audio_back()
    recorder.run(frames_for(3.0))
    assert engine_state(engine)["paused"] is True


def test_the_button_mutes_and_its_long_press_stops(tmp_path):
    engine = frame_clock_engine(tmp_path, SUNDAY_6_59_PM - 3600)
    recorder = Recorder(engine)
    recorder.say("start our check-in")
    engine.request("toggle_mute")
    recorder.run(1)
    assert engine.muted and engine_state(engine)["state"] == "muted" and recorder.of("muted")
    engine.request("stop")
    recorder.run(frames_for(5.0))
    assert any(e.data.get("reason") == "stopped" for e in recorder.of("script_finished"))
    engine.request("toggle_mute")
    recorder.run(1)
    assert not engine.muted and recorder.of("unmuted")
    assert engine_state(engine)["state"] in ("listening", "speaking") and "script" not in engine_state(engine)


def test_the_gpio_button_and_led_through_gpiozero_mock_pins(tmp_path):
    from gpiozero.pins.mock import MockFactory

    from voice.gpio import Panel

    factory = MockFactory()
    engine = frame_clock_engine(tmp_path, SUNDAY_6_59_PM - 3600)
    panel = Panel(engine, button_pin=17, led_pin=27, pin_factory=factory, long_press_s=0.2)
    recorder = Recorder(engine)

    def run(frames: int) -> None:
        before = len(recorder.events)
        recorder.run(frames)
        panel.observe(recorder.events[before:])

    button, led = factory.pin(17), factory.pin(27)
    assert led.state  # listening
    recorder.say("start our check-in")
    run(frames_for(1.0))
    button.drive_low()
    button.drive_high()  # a short press
    run(1)
    assert engine.muted and not led.state
    button.drive_low()
    time.sleep(0.5)  # held past the long press
    button.drive_high()
    run(frames_for(5.0))
    assert any(e.data.get("reason") == "stopped" for e in recorder.of("script_finished"))
    assert engine.muted  # a long press stops; it does not also toggle the mute
    button.drive_low()
    button.drive_high()
    run(1)
    assert not engine.muted and led.state
    panel.close()


def test_status_says_it_is_waiting_for_the_devices_until_they_open(tmp_path):
    from voice.status import StatusBoard, describe

    board = StatusBoard(frame_clock_engine(tmp_path, SUNDAY_6_59_PM))
    board.audio = "waiting: no microphone 'USB' was found"
    assert board.snapshot()["state"] == "waiting for the microphone and speaker"
    assert describe(board.snapshot()).startswith("waiting for the microphone and speaker")
    board.audio = "ok"
    assert board.snapshot()["state"] == "listening"


def test_the_daily_reminder_comes_each_day_beside_the_weekly_one(tmp_path):
    """Set with `daily_reminder: 20:00`: at 20:00 on Sunday after the weekly one at 19:00, and again
    at 20:00 on Monday; once each, the weekly check-in's and the daily one's kept apart in the log."""
    lang = Locale.load("en")
    library = Library([bundled_scripts_dir()], "en", lang.intents)
    start = dt.datetime(2026, 11, 22, 18, 59).timestamp()
    log = SessionLog(tmp_path / "sessions.db")
    holder: dict[str, Engine] = {}
    clock = {"offset": 0.0}  # jumps forward between the evenings, as a day on the shelf would pass
    engine = Engine(lang, library, PromptCache(ToneVoice(), tmp_path / "cache"), Listener(IntentMatcher(lang.intents)),
                    ("Alex", "Sam"), log, clock=lambda: start + clock["offset"] + holder["e"].frame * 0.02,
                    reminder=Weekly.parse("sunday 19:00"), daily_reminder=Daily.parse("20:00"))
    holder["e"] = engine
    recorder = Recorder(engine)
    recorder.run(frames_for(120.0))  # 19:01: the weekly one
    assert [e.data["which"] for e in recorder.of("reminder")] == ["reminder"]
    clock["offset"] = 3600.0  # 20:01 the same Sunday
    recorder.run(frames_for(30.0))
    assert [e.data["which"] for e in recorder.of("reminder")] == ["reminder", "daily_reminder"]
    assert any("daily connection" in e.data["text"] for e in recorder.of("said"))
    clock["offset"] = 3600.0 + 86400.0  # 20:01 on Monday: the daily one again, not the weekly one
    recorder.run(frames_for(30.0))
    assert [e.data["which"] for e in recorder.of("reminder")] == ["reminder", "daily_reminder", "daily_reminder"]
    assert log.marked("daily_reminder") > log.marked("reminder") > 0
