"""Nothing can trap a person in an exercise: in every step of every script, in both locales, the
safety request stops it and speaks the locale's resources within 1 s of frame time, and "stop" ends it.

Each step is reached the way a couple would reach it after a crash: a session cut off at that step
is resumed by "continue our check-in". Then, half a second into the step, the request is heard.
"""

import pytest
from conftest import ToneVoice

from voice.audio.frames import SILENT_FRAME, frames_for
from voice.engine import Engine
from voice.exercises.history import SessionLog
from voice.exercises.library import Library, bundled_scripts_dir
from voice.exercises.lines import safety_line
from voice.exercises.steps import Jump
from voice.listen.intents import IntentMatcher, expand
from voice.listen.listener import Listener
from voice.locale import Locale
from voice.speak.cache import PromptCache

NOW = 1_790_000_000.0
WITHIN = frames_for(1.0)
LOCALES = {code: (Locale.load(code), Library([bundled_scripts_dir()], code, Locale.load(code).intents))
           for code in ("en", "ko")}
STEPS = [(code, script.id, index) for code, (_, library) in LOCALES.items()
         for script in library.scripts.values() for index, step in enumerate(script.steps)
         if not isinstance(step, Jump)]  # a jump takes no time: nobody is ever in one


def engine_at_step(tmp_path, code: str, script_id: str, index: int) -> tuple[Engine, list]:
    """An engine whose session was cut off at `index` and has just been continued."""
    locale, library = LOCALES[code]
    log = SessionLog(tmp_path / "sessions.db")
    row = log.start(script_id, library.scripts[script_id].title, "Alex", NOW - 60)
    log.step(row, index, index)
    log.interrupt_open(NOW - 30)
    engine = Engine(locale, library, PromptCache(ToneVoice(), tmp_path / "cache"),
                    Listener(IntentMatcher(locale.intents)), ("Alex", "Sam"), log, clock=lambda: NOW, seed=1)
    events: list = []
    engine.hear_text(phrase(locale, "continue_session"))
    for _ in range(frames_for(0.5)):
        events += engine.feed(SILENT_FRAME)[1]
    return engine, events


def phrase(locale: Locale, intent: str) -> str:
    return min(expand(locale.intents[intent][0]), key=len)


def run_until(engine: Engine, events: list, done, limit: int) -> int | None:
    for waited in range(limit):
        batch = engine.feed(SILENT_FRAME)[1]
        events += batch
        if done(batch):
            return waited + 1
    return None


@pytest.mark.slow
@pytest.mark.parametrize("code", ["en", "ko"])
def test_the_safety_request_wins_in_every_step_within_a_second(tmp_path, code):
    locale, _ = LOCALES[code]
    worst = 0
    steps = [(script_id, index) for c, script_id, index in STEPS if c == code]
    for number, (script_id, index) in enumerate(steps):
        engine, events = engine_at_step(tmp_path / str(number), code, script_id, index)
        assert [e.data["script"] for e in events if e.type == "script_started"] == [script_id], (script_id, index)
        engine.hear_text(phrase(locale, "safety"))
        waited = run_until(engine, events, lambda batch: any(
            e.type == "said" and e.data["text"] == safety_line(locale, stopped=True) for e in batch), WITHIN)
        assert waited is not None, f"{script_id} step {index}: no safety answer within 1 s"
        worst = max(worst, waited)
        assert any(e.type == "script_finished" and e.data["reason"] == "safety" for e in events)
        run_until(engine, events, lambda batch: False, frames_for(30.0))
        assert engine.session is None or engine.session.finished  # nothing carries on afterwards
        engine.close()
    print(f"{code}: {len(steps)} steps, the safety resources began at most {worst} frames "
          f"({worst * 20} ms) after the request")


@pytest.mark.slow
@pytest.mark.parametrize("code", ["en", "ko"])
def test_stop_ends_every_step_of_every_script(tmp_path, code):
    locale, _ = LOCALES[code]
    for number, (script_id, index) in enumerate((s, i) for c, s, i in STEPS if c == code):
        engine, events = engine_at_step(tmp_path / str(number), code, script_id, index)
        engine.hear_text(phrase(locale, "stop"))
        waited = run_until(engine, events, lambda batch: any(e.type == "script_finished" for e in batch), WITHIN)
        assert waited is not None, f"{script_id} step {index}: 'stop' did not end it within 1 s"
        finished = [e for e in events if e.type == "script_finished"]
        assert finished[-1].data["reason"] == "stopped", (script_id, index, finished)
        before = len(events)
        run_until(engine, events, lambda batch: False, frames_for(30.0))
        assert not [e for e in events[before:] if e.type in ("step_started", "breath")], (script_id, index)
        engine.close()


def test_a_session_resumed_past_its_last_step_ends_in_the_log_instead_of_hanging_open(tmp_path):
    _, library = LOCALES["en"]
    checkin = library.scripts["checkin"]
    last_jump = max(i for i, step in enumerate(checkin.steps) if isinstance(step, Jump))
    engine, events = engine_at_step(tmp_path, "en", "checkin", last_jump)  # as after an edit moved the steps
    assert [e.data["reason"] for e in events if e.type == "script_finished"] == ["completed"]
    assert engine.history.resumable(NOW) is None  # not offered again
