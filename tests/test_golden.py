"""Golden runs: every shipped script through `voice simulate` in frame time, with the real voice.

Each `tests/golden/LOCALE/ID.commands` is what the couple says; `ID.said` is what the speaker must say,
in order. Timings are checked from first principles: breathing phases exact to the frame, pauses after
lines exact, and every script ends. Set VOICE_UPDATE_GOLDEN=1 to rewrite the .said files (then read them).
"""

import json
import os
from pathlib import Path

import pytest
from conftest import run_voice

from voice.audio.frames import frames_for
from voice.engine import ECHO_TAIL_FRAMES
from voice.events import Event
from voice.exercises.library import Library, bundled_scripts_dir
from voice.exercises.steps import Breathe, Say
from voice.locale import Locale
from voice.simulate import printed

GOLDEN = Path(__file__).parent / "golden"
RUNS = sorted(GOLDEN.glob("*/*.commands"))


def test_every_shipped_script_has_a_golden_run():
    for locale in ("en", "ko"):
        shipped = {p.stem for p in (bundled_scripts_dir() / locale).glob("*.yaml")}
        assert shipped == {p.stem for p in (GOLDEN / locale).glob("*.commands")}


@pytest.mark.slow  # a subprocess per shipped script: 16 s in all
@pytest.mark.parametrize("commands", RUNS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_golden_run(commands: Path, isolated, no_network, tmp_path):
    """Also the no-network proof for every script: each run's Python refuses any socket."""
    locale = commands.parent.name
    result = run_voice("simulate", "--locale", locale, "--partners", "Alex,Sam", "--seed", "7", "--events",
                       str(tmp_path / "events.jsonl"), stdin=commands.read_text(encoding="utf-8"),
                       env={"VOICE_TTS_ENGINE": "pyttsx3", **no_network})  # the tests' usual voice
    assert result.returncode == 0, result.stderr
    events = read_events(tmp_path / "events.jsonl")

    said = [e.data["text"] for e in events if e.type == "said"]
    assert result.stdout.splitlines() == [printed(e) for e in events if e.type == "said"]
    expected = commands.with_suffix(".said")
    if os.environ.get("VOICE_UPDATE_GOLDEN"):
        expected.write_text("\n".join(said) + "\n", encoding="utf-8")
    assert said == expected.read_text(encoding="utf-8").splitlines()

    started = [e for e in events if e.type == "script_started"]
    finished = [e for e in events if e.type == "script_finished"]
    assert [e.data["script"] for e in started] == [commands.stem] and finished[-1].data["reason"] == "completed"
    assert not [e for e in events if e.type in ("error", "ignored", "rejected")]
    script = Library([bundled_scripts_dir()], locale, Locale.load(locale).intents).scripts[commands.stem]
    check_breathing_frames(events, script)
    check_pauses(events, script)


def read_events(path: Path) -> list[Event]:
    events = []
    for line in path.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        events.append(Event(data.pop("frame"), data.pop("type"), {k: v for k, v in data.items() if k != "t"}))
    return events


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
