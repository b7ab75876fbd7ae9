"""The pure engine over frames: script flow, frame-exact timings, commands, and the listening gate."""

import numpy as np
import pytest
from conftest import ToneVoice

from voice.audio.frames import FRAME_SAMPLES, SILENT_FRAME, frames_for
from voice.engine import ECHO_TAIL_FRAMES, Engine
from voice.exercises.script import bundled_scripts_dir, load_scripts
from voice.listen.intents import IntentMatcher
from voice.listen.listener import Listener
from voice.locale import Locale
from voice.speak.cache import PromptCache


@pytest.fixture
def engine(tmp_path) -> Engine:
    locale = Locale.load("en")
    return Engine(locale, load_scripts([bundled_scripts_dir()], "en"),
                  PromptCache(ToneVoice(), tmp_path), Listener(IntentMatcher(locale.intents)),
                  {"partner_a": "Alex", "partner_b": "Sam"})


class Recorder:
    def __init__(self, engine: Engine) -> None:
        self.engine, self.events, self.audio = engine, [], []

    def run(self, frames: int, mic: np.ndarray = SILENT_FRAME) -> None:
        for _ in range(frames):
            out, events = self.engine.feed(mic)
            self.audio.append(out)
            self.events += events

    def until_listening(self) -> None:
        while not self.engine.listening:
            self.run(1)

    def until_step(self, kind: str) -> None:
        while not any(e.data.get("kind") == kind for e in self.of("step_started")):
            self.run(1)

    def say(self, text: str) -> None:
        self.until_listening()
        self.engine.hear_text(text)
        self.run(1)

    def of(self, kind: str) -> list:
        return [e for e in self.events if e.type == kind]


def test_start_runs_the_checkin_with_names(engine):
    rec = Recorder(engine)
    rec.say("start our check-in")
    assert [e.data["name"] for e in rec.of("intent")] == ["start_checkin"]
    assert rec.of("script_started")[0].data["script"] == "checkin-short"
    rec.run(frames_for(5))
    first = rec.of("said")[0]
    assert first.data["text"].startswith("Welcome, Alex and Sam.")
    # The chime plays in the same frame the command is understood; the line follows it directly.
    assert rec.audio[0].any() and first.frame - rec.of("intent")[0].frame <= frames_for(0.2)


def test_breathing_cues_land_on_exact_frames(engine):
    rec = Recorder(engine)
    rec.say("start our check in")
    rec.run(frames_for(90))
    breathe = next(e for e in rec.of("step_started") if e.data["kind"] == "breathe")
    cues = [e for e in rec.of("said") if e.data["text"] in ("Breathe in.", "And out.")]
    assert len(cues) == 12
    assert [c.frame - breathe.frame for c in cues] == [i * frames_for(5) for i in range(12)]


def test_waits_end_on_silence_timeout_and_the_script_completes(engine):
    rec = Recorder(engine)
    rec.say("start our check in")
    rec.run(frames_for(240))
    waits = [e for e in rec.of("step_started") if e.data["kind"] == "wait"]
    assert len(waits) == 2
    after_first = next(e for e in rec.of("step_started") if e.data["index"] == waits[0].data["index"] + 1)
    assert after_first.frame - waits[0].frame == frames_for(12)
    assert rec.of("script_finished")[0].data["reason"] == "completed"
    assert engine.idle


def test_next_ends_a_wait_at_once(engine):
    rec = Recorder(engine)
    rec.say("start our check in")
    rec.until_step("wait")
    rec.say("I'm done")
    assert rec.of("step_started")[-1].data["kind"] == "say"
    assert rec.of("step_started")[-1].frame == rec.of("intent")[-1].frame


def test_pause_holds_the_session_and_resume_restarts_the_step(engine):
    rec = Recorder(engine)
    rec.say("start our check in")
    rec.run(frames_for(30))  # into the breathing
    rec.until_listening()
    paused_at = engine.frame
    engine.hear_text("pause")
    rec.run(frames_for(20))
    assert rec.of("paused")[0].frame == paused_at
    said_after = [e for e in rec.of("said") if e.frame >= paused_at]
    assert [e.data["text"] for e in said_after] == ["Paused. Say resume when you're ready."]
    assert engine.idle  # paused, waiting for a person
    rec.say("resume")
    rec.run(frames_for(0.5))
    assert rec.of("resumed") and rec.of("step_started")[-1].data["kind"] == "breathe"
    assert rec.of("said")[-1].data["text"] == "Breathe in."


def test_repeat_during_a_wait_repeats_the_question(engine):
    rec = Recorder(engine)
    rec.say("start our check in")
    rec.until_step("wait")
    rec.say("repeat that")
    rec.run(frames_for(1))
    assert rec.of("said")[-1].data["text"].startswith("Alex, when you're ready")


def test_stop_ends_the_script_and_says_goodbye(engine):
    rec = Recorder(engine)
    rec.say("start our check in")
    rec.run(frames_for(3))
    rec.say("stop")
    rec.run(frames_for(5))
    assert rec.of("script_finished")[0].data["reason"] == "stopped"
    assert rec.of("said")[-1].data["text"].startswith("Okay. We'll stop here.")
    rec.until_listening()
    assert engine.idle


def test_calming_break_replaces_a_running_checkin(engine):
    rec = Recorder(engine)
    rec.say("start our check in")
    rec.say("I need a break")
    finished = rec.of("script_finished")
    assert finished[0].data == {"script": "checkin-short", "reason": "replaced"}
    assert rec.of("script_started")[-1].data["script"] == "calming-break"


def test_listening_is_gated_while_speaking_and_for_an_echo_tail(engine):
    rec = Recorder(engine)
    rec.say("start our check in")
    rec.run(1)
    assert not engine.listening
    while engine.player.playing:
        rec.run(1)
    last_sound = max(i for i, frame in enumerate(rec.audio) if frame.any())
    rec.until_listening()
    opened = rec.of("listening")[-1].frame
    assert opened - last_sound == ECHO_TAIL_FRAMES + 1


def test_unknown_speech_is_rejected_without_keeping_its_text(engine):
    rec = Recorder(engine)
    rec.say("what should we have for dinner")
    rejected = rec.of("rejected")
    assert rejected and set(rejected[0].data) == {"reason"} and not rec.of("intent")


def test_output_is_one_frame_per_input_frame(engine):
    rec = Recorder(engine)
    rec.say("start our check in")
    rec.run(100)
    assert all(len(frame) == FRAME_SAMPLES and frame.dtype == np.int16 for frame in rec.audio)
    assert len(rec.audio) == engine.frame
