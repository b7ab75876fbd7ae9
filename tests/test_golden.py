"""Golden runs: every shipped script through the simulate driver in frame time, with the real voice.

Each `tests/golden/LOCALE/ID.commands` is what the couple says; `ID.said` is what the speaker must say,
in order. Timings are checked from first principles: breathing phases exact to the frame, pauses after
lines exact, and every script ends. Set VOICE_UPDATE_GOLDEN=1 to rewrite the .said files (then read them).
"""

import os
from pathlib import Path

import pytest

from voice.audio.frames import frames_for
from voice.engine import ECHO_TAIL_FRAMES, Engine
from voice.exercises.history import SessionLog
from voice.exercises.library import Library, bundled_scripts_dir
from voice.exercises.steps import Breathe, Say
from voice.listen.intents import IntentMatcher
from voice.listen.listener import Listener
from voice.locale import Locale
from voice.simulate import run_simulation
from voice.speak.cache import PromptCache
from voice.speak.pyttsx3_voice import Pyttsx3Voice

GOLDEN = Path(__file__).parent / "golden"
RUNS = sorted(GOLDEN.glob("*/*.commands"))


def test_every_shipped_script_has_a_golden_run():
    for locale in ("en", "ko"):
        shipped = {p.stem for p in (bundled_scripts_dir() / locale).glob("*.yaml")}
        assert shipped == {p.stem for p in (GOLDEN / locale).glob("*.commands")}


@pytest.mark.parametrize("commands", RUNS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_run(commands: Path, tmp_path, shared_cache):
    locale = Locale.load(commands.parent.name)
    library = Library([bundled_scripts_dir()], locale.code, locale.intents)
    cache = PromptCache(Pyttsx3Voice(locale.tts_voice), shared_cache / "golden")
    engine = Engine(locale, library, cache, Listener(IntentMatcher(locale.intents)), ("Alex", "Sam"),
                    SessionLog(tmp_path / "sessions.db"), clock=lambda: 1_790_000_000.0, seed=7)
    events = []
    run_simulation(engine, commands.read_text(encoding="utf-8").splitlines(), events.extend)
    engine.close()

    said = [e.data["text"] for e in events if e.type == "said"]
    expected = commands.with_suffix(".said")
    if os.environ.get("VOICE_UPDATE_GOLDEN"):
        expected.write_text("\n".join(said) + "\n", encoding="utf-8")
    assert said == expected.read_text(encoding="utf-8").splitlines()

    started = [e for e in events if e.type == "script_started"]
    finished = [e for e in events if e.type == "script_finished"]
    assert [e.data["script"] for e in started] == [commands.stem] and finished[-1].data["reason"] == "completed"
    assert not [e for e in events if e.type in ("error", "ignored", "rejected")]
    script = library.scripts[commands.stem]
    check_breathing_frames(events, script)
    check_pauses(events, script)


def check_breathing_frames(events: list, script) -> None:
    """Every cycle of every breathing step that ran; each phase exactly its length after the last."""
    runs: list[tuple[Breathe, list]] = []
    for event in events:
        if event.type == "step_started":
            step = script.steps[event.data["index"]]
            runs.append((step, []))
        elif event.type == "breath":
            runs[-1][1].append(event)
    for step, breaths in runs:
        if not isinstance(step, Breathe):
            assert not breaths
            continue
        assert [(b.data["cycle"], b.data["phase"]) for b in breaths] == [
            (cycle + 1, phase) for cycle in range(step.cycles) for phase, _ in step.phases]
        for before, after in zip(breaths, breaths[1:]):
            assert after.frame - before.frame == frames_for(dict(step.phases)[before.data["phase"]])


def check_pauses(events: list, script) -> None:
    """After a line with a pause, the next step starts exactly that long after the line's last sound
    (the listening gate reopens ECHO_TAIL_FRAMES after it, which dates the end of the line)."""
    for index, event in enumerate(events):
        if event.type != "step_started":
            continue
        step = script.steps[event.data["index"]]
        if not isinstance(step, Say) or step.pause < 1:
            continue
        later = events[index + 1:]
        reopened = next(e for e in later if e.type == "listening")
        nxt = next(e for e in later if e.type in ("step_started", "script_finished", "paused"))
        if nxt.type == "paused":
            continue
        assert nxt.frame - (reopened.frame - ECHO_TAIL_FRAMES) == frames_for(step.pause), (event, nxt)
