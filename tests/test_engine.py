"""The pure engine over frames: script flow, frame-exact timings, commands, turns, choices, breaks,
safety, the session log, and the listening gate."""

import logging

import numpy as np
import pytest
from conftest import ToneVoice

from voice.audio.frames import FRAME_SAMPLES, SILENT_FRAME, frames_for
from voice.audio.tones import earcons
from voice.engine import ECHO_TAIL_FRAMES, Engine
from voice.exercises.session import FIRST_WORDS_FRAMES
from voice.events import EventFile, log_events
from voice.exercises.history import SessionLog
from voice.exercises.library import Library, bundled_scripts_dir
from voice.listen.intents import IntentMatcher, expand
from voice.listen.listener import Listener
from voice.locale import Locale
from voice.speak.cache import PromptCache

NOW = 1_790_000_000.0  # a fixed wall clock for the session log


def make_engine(tmp_path, locale: str = "en", seed: int = 1, log: SessionLog | None = None) -> Engine:
    lang = Locale.load(locale)
    library = Library([bundled_scripts_dir()], locale, lang.intents)
    return Engine(lang, library, PromptCache(ToneVoice(), tmp_path / "cache"), Listener(IntentMatcher(lang.intents)),
                  ("Alex", "Sam"), log if log is not None else SessionLog(tmp_path / "sessions.db"),
                  clock=lambda: NOW, seed=seed)


@pytest.fixture
def engine(tmp_path) -> Engine:
    return make_engine(tmp_path)


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
    assert rec.of("script_started")[0].data["script"] == "checkin"
    rec.run(frames_for(5))
    first = rec.of("said")[0]
    assert first.data["text"] == "Welcome, Alex and Sam. It's time for your weekly check-in. Alex goes first tonight."
    # The chime plays in the same frame the command is understood; the line follows it directly.
    assert rec.audio[0].any() and first.frame - rec.of("intent")[0].frame <= frames_for(0.2)


def test_breathing_cues_land_on_exact_frames_then_soft_tones(engine):
    rec = Recorder(engine)
    rec.say("start a short check in")
    rec.run(frames_for(90))
    breathe = next(e for e in rec.of("step_started") if e.data["kind"] == "breathe")
    note = next(e for e in rec.of("said") if e.data["text"].startswith("Breathe slowly, not deeply."))
    cues = [e for e in rec.of("said") if e.data["text"] in ("Breathe in.", "And out.")]
    assert len(cues) == 6  # words for the first three cycles, then tones alone
    start = cues[0].frame
    assert note.frame == breathe.frame and start > note.frame
    assert [c.frame - start for c in cues] == [i * frames_for(5) for i in range(6)]
    step_end = next(e for e in rec.of("step_started") if e.frame > start).frame
    assert step_end - start == 6 * frames_for(10)  # one minute at six breaths a minute


@pytest.mark.slow  # 3 s: four sessions
def test_turns_alternate_who_goes_first_from_session_to_session(tmp_path):
    firsts = []
    log = SessionLog(tmp_path / "sessions.db")
    for _ in range(3):
        engine = make_engine(tmp_path, log=log)
        rec = Recorder(engine)
        rec.say("start a short check in")
        rec.run(frames_for(400))
        turns = [e.data["text"] for e in rec.of("said") if "one thing they did this week" in e.data["text"]]
        firsts.append(turns[0].split(",")[0])
        assert turns[1].split(",")[0] != firsts[-1]
        assert rec.of("script_finished")[-1].data["reason"] == "completed"
    assert firsts == ["Alex", "Sam", "Alex"]


def test_a_turn_ends_on_done_at_once_and_on_silence_otherwise(engine):
    rec = Recorder(engine)
    rec.say("start a short check in")
    rec.until_step("turn")
    turn = rec.of("step_started")[-1]
    rec.say("I'm done")
    assert rec.of("step_started")[-1].data["kind"] == "turn"
    assert rec.of("step_started")[-1].frame == rec.of("intent")[-1].frame
    second = rec.of("step_started")[-1]
    rec.until_listening()  # the prompt has played and its echo tail is over
    opened = engine.frame
    while rec.of("step_started")[-1] is second:
        rec.run(1)
    # Silence is counted from the end of the prompt, which is the echo tail before listening opens;
    # before anyone has spoken, a turn gives 45 s to gather one's thoughts (15 s after the first words).
    assert rec.of("step_started")[-1].frame - opened == FIRST_WORDS_FRAMES - ECHO_TAIL_FRAMES
    assert turn.frame < second.frame


def test_a_long_turn_gets_one_gentle_reminder_at_a_pause_then_ends(tmp_path):
    engine = make_engine(tmp_path)
    rec = Recorder(engine)
    rec.say("start a short check in")
    rec.until_step("turn")
    rec.until_listening()
    began = engine.frame
    voice = (np.sin(np.arange(FRAME_SAMPLES) / 3) * 6000).astype(np.int16)
    for _ in range(frames_for(100) // 27):  # talking past the 90 s soft limit: words, short gaps
        rec.run(20, voice)
        rec.run(7)
    assert not [e for e in rec.of("said") if "take your time to find a place to finish" in e.data["text"]]
    rec.run(frames_for(2))  # a pause
    reminders = [e for e in rec.of("said") if "take your time to find a place to finish" in e.data["text"]]
    assert len(reminders) == 1 and reminders[0].frame > began + frames_for(100)


def test_choosing_the_short_checkin_by_voice(engine):
    rec = Recorder(engine)
    rec.say("start our check in")
    rec.until_step("choose")
    rec.say("the short one")
    rec.run(frames_for(3))
    texts = [e.data["text"] for e in rec.of("said")]
    assert texts[-1] == "Let's start with one minute of slow breathing together."


def test_nobody_answering_a_choice_asks_again_then_takes_the_default(engine):
    rec = Recorder(engine)
    rec.say("start our check in")
    rec.run(frames_for(70))
    texts = [e.data["text"] for e in rec.of("said")]
    asks = [i for i, text in enumerate(texts) if text.startswith("Would you like the full check-in")]
    assert len(asks) == 2
    assert texts[asks[-1] + 1].startswith("Let's start with one minute")  # otherwise: short


def test_pause_holds_the_session_and_resume_restarts_the_step(engine):
    rec = Recorder(engine)
    rec.say("start a short check in")
    rec.until_step("breathe")
    rec.run(frames_for(12))
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


@pytest.mark.parametrize("command", ["repeat that", "go back"])
def test_repeat_and_back_during_breathing(engine, command):
    rec = Recorder(engine)
    rec.say("start a short check in")
    rec.until_step("breathe")
    rec.run(frames_for(12))
    rec.say(command)
    rec.run(frames_for(1))
    if command == "repeat that":  # the breathing step starts again
        assert [e.data["kind"] for e in rec.of("step_started")][-2:] == ["breathe", "breathe"]
    else:  # the line before it is said again
        assert rec.of("said")[-1].data["text"] == "Let's start with one minute of slow breathing together."


def test_during_a_turn_only_done_repeat_and_the_always_on_commands_are_heard(engine):
    rec = Recorder(engine)
    rec.say("start a short check in")
    rec.until_step("turn")
    rec.until_listening()
    assert engine.context().name == "turn" and engine.context().strict
    for heard in ("go back", "slower", "what can I say", "start our check in"):
        rec.say(heard)
    assert [e.data["reason"] for e in rec.of("rejected")] == ["back is not listened for now (turn)",
        "slower is not listened for now (turn)", "help is not listened for now (turn)",
        "start_checkin is not listened for now (turn)"]
    assert not rec.of("ignored") and not engine.player.playing
    rec.say("I need a break")  # always on
    assert rec.of("script_started")[-1].data["script"] == "calming-break"


def test_slower_and_faster_change_the_breathing_pace_within_bounds(engine):
    rec = Recorder(engine)
    rec.say("start a short check in")
    rec.until_step("breathe")
    rec.run(frames_for(12))
    rec.say("slower")
    assert rec.of("pace")[-1].data == {"breathing": 1.15}
    rec.say("slower")
    rec.say("slower")  # 1.52 would be past the bound
    assert [e.data["breathing"] for e in rec.of("pace")] == [1.15, 1.322]
    rec.run(frames_for(1.5))
    assert "That's as slow as the breathing goes." in [e.data["text"] for e in rec.of("said")]
    rec.run(frames_for(30))
    cues = [e.frame for e in rec.of("said") if e.data["text"] in ("Breathe in.", "And out.")]
    assert cues[-1] - cues[-2] == frames_for(5 * 1.15 * 1.15)


def test_slower_outside_breathing_slows_the_voice(engine):
    rec = Recorder(engine)
    rec.say("slower please")
    assert rec.of("pace")[-1].data == {"speech": 0.85}
    rec.run(frames_for(1))
    assert rec.of("said")[-1].data["text"] == "I'll speak more slowly."


def test_what_can_i_say_depends_on_the_moment(engine):
    rec = Recorder(engine)
    rec.say("what can we say")
    rec.run(frames_for(1))
    assert rec.of("said")[-1].data["text"].startswith("You can say start our check-in")
    rec.say("start our check in")
    rec.until_step("choose")
    rec.say("what can I say")
    rec.run(frames_for(1))
    assert rec.of("said")[-1].data["text"] == "You can say full, or short. Or say stop."  # the shortest phrases


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


def test_a_break_sets_the_exercise_aside_and_offers_to_come_back(engine):
    rec = Recorder(engine)
    rec.say("start a short check in")
    rec.until_step("turn")
    rec.until_listening()
    rec.say("I need a break")
    assert rec.of("script_started")[-1].data["script"] == "calming-break"
    assert not rec.of("script_finished")  # the check-in waits; it is not ended
    rec.run(frames_for(150))
    assert rec.of("script_finished")[-1].data["reason"] == "completed"
    assert rec.of("said")[-1].data["text"].startswith("Welcome back. When you're ready to return to the short check-in")
    rec.say("continue")
    rec.run(frames_for(6))
    texts = [e.data["text"] for e in rec.of("said")]
    assert texts[-2] == "Let's pick up the short check-in where we left off."
    assert texts[-1].startswith("Alex, tell Sam one thing")


@pytest.mark.parametrize("when", ["idle", "breathing", "turn", "choice", "paused", "break"])
def test_the_safety_request_always_wins(engine, when):
    rec = Recorder(engine)
    if when != "idle":
        rec.say("start our check in" if when == "choice" else "start a short check in")
        rec.until_step({"breathing": "breathe", "turn": "turn", "choice": "choose"}.get(when, "say"))
        rec.run(frames_for(3))
    if when == "paused":
        rec.say("pause")
    if when == "break":
        rec.say("I need a break")
        rec.run(frames_for(20))
    heard = engine.frame
    engine.hear_text("I don't feel safe")  # even while the speaker talks: no waiting for a pause
    rec.run(frames_for(1))
    safety = [e for e in rec.of("said") if e.data["text"].startswith("If anyone is in danger right now, call 911.")]
    assert safety and safety[0].frame - heard <= frames_for(1.0)
    text = safety[0].data["text"]
    assert "988" in text and text.endswith("To hear this again, say safety information.")
    assert ("I've stopped the exercise." in text) == (when != "idle")  # never "stopped" when nothing ran
    if when != "idle":
        assert {e.data["reason"] for e in rec.of("script_finished")} == {"safety"}
    assert engine.session is None or engine.session.finished
    assert engine.suspended is None


@pytest.mark.parametrize("said", ["help", "help me", "help us", "what can I say"])
def test_help_is_usage_help_never_the_crisis_lines(engine, said):
    rec = Recorder(engine)
    engine.hear_text(said)
    rec.run(frames_for(1))
    assert [e.data["name"] for e in rec.of("intent")] == ["help"]
    assert [e.data["text"] for e in rec.of("said")] == [engine.locale.lines["help_idle"]]


@pytest.mark.parametrize("said", ["I need help with the dishes", "help me with the dishes", "it's not an emergency",
                                  "I'm scared of spiders", "I don't feel safe driving at night"])
def test_talk_that_holds_a_safety_phrase_is_not_the_safety_request(engine, said):
    rec = Recorder(engine)
    engine.hear_text(said)
    rec.run(frames_for(1))
    assert "safety" not in [e.data["name"] for e in rec.of("intent")]


@pytest.mark.slow  # 2 s: seven sessions
def test_prompts_are_never_repeated_within_the_last_sessions(tmp_path):
    log = SessionLog(tmp_path / "sessions.db")
    seen: list[str] = []
    for seed in range(7):  # 7 sessions x 2 prompts = the whole 14-prompt deck, no repeats
        engine = make_engine(tmp_path, seed=seed, log=log)
        rec = Recorder(engine)
        rec.say("ask us a question")
        rec.until_step("choose")
        rec.say("dreams")
        rec.run(frames_for(300))  # four turns, each waiting 45 s for words that never come
        drawn = rec.of("prompts_drawn")
        assert drawn and drawn[0].data == {"deck": "dreams", "count": 2}
        deck = engine.library.decks["dreams"].prompts
        seen += [e.data["text"] for e in rec.of("said") if e.data["text"] in deck]
        rec.say("stop")
    assert len(seen) == 14 and len(set(seen)) == 14


def test_the_session_log_keeps_steps_and_pauses_and_no_words(tmp_path):
    engine = make_engine(tmp_path)
    rec = Recorder(engine)
    rec.say("start a short check in")
    rec.until_step("turn")
    rec.say("pause")
    rec.say("resume")
    rec.say("stop")
    row = engine.history.recent()[0]
    assert (row.script, row.first, row.reason, row.pauses) == ("checkin-short", "Alex", "stopped", 1)
    assert row.last_step == 4 and row.started == NOW and row.ended == NOW
    dump = "\n".join(engine.history._db.iterdump())
    assert "tell Sam" not in dump and "pause" not in dump.replace("pauses", "")


def test_a_cut_off_session_continues_from_its_last_step(tmp_path):
    engine = make_engine(tmp_path)
    rec = Recorder(engine)
    rec.say("start a short check in")
    rec.until_step("turn")
    engine.history._db.close()  # the power goes: nothing is closed cleanly
    engine = make_engine(tmp_path)
    rec = Recorder(engine)
    rec.say("continue our check in")
    rec.run(frames_for(6))
    texts = [e.data["text"] for e in rec.of("said")]
    assert texts[0] == "Let's pick up the short check-in where we left off."
    assert texts[1].startswith("Alex, tell Sam one thing")
    assert rec.of("script_started")[0].data["at_step"] == 4


def test_forget_tonight_deletes_todays_sessions(tmp_path):
    engine = make_engine(tmp_path)
    rec = Recorder(engine)
    rec.say("start a short check in")
    rec.say("stop")
    assert engine.history.recent()
    rec.say("forget tonight")
    rec.run(frames_for(1))
    assert engine.history.recent() == []
    assert rec.of("said")[-1].data["text"] == "Done. Tonight's sessions are forgotten."


@pytest.mark.parametrize("device_delay", [0, 15])
def test_listening_is_gated_while_speaking_and_for_an_echo_tail(engine, device_delay):
    """A sound card's buffers (the live driver reports them) make the echo later: the gate waits longer."""
    engine.device_delay_frames = device_delay
    rec = Recorder(engine)
    rec.say("start our check in")
    rec.run(1)
    assert not engine.listening
    while engine.player.playing:
        rec.run(1)
    last_sound = max(i for i, frame in enumerate(rec.audio) if frame.any())
    rec.until_listening()
    opened = rec.of("listening")[-1].frame
    assert opened - last_sound == ECHO_TAIL_FRAMES + device_delay + 1


def test_unknown_speech_is_rejected_and_its_text_never_leaves_without_a_debug_recording(engine, tmp_path,
                                                                                      caplog):
    rec = Recorder(engine)
    rec.say("what should we have for dinner")
    rejected = rec.of("rejected")
    assert rejected and rejected[0].data["text"] == "what should we have for dinner" and not rec.of("intent")
    rec.say("start our check-in")
    for keep in (False, True):
        events = EventFile(tmp_path / "events.jsonl", keep_recognized=keep)
        events.write(rec.events)
        events.close()
        written = (tmp_path / "events.jsonl").read_text()
        assert ("dinner" in written and "start our check-in" in written) is keep
        assert '"name": "start_checkin"' in written and "It's time for your weekly check-in" in written
    with caplog.at_level(logging.DEBUG, logger="voice.state"):
        log_events(rec.events)
    assert "rejected reason=" in caplog.text and "dinner" not in caplog.text


def test_a_command_that_means_nothing_now_is_ignored_quietly(engine):
    rec = Recorder(engine)
    rec.say("I need more time")  # no timer is running: not even listened for
    assert rec.of("rejected")[0].data["reason"] == "more_time is not listened for now (idle)"
    rec.say("start our check in")
    rec.until_step("breathe")
    rec.run(frames_for(3))
    engine.hear_text("resume")  # nothing is paused: not even listened for, so nothing, not even the chime
    rec.run(1)
    assert rec.of("rejected")[-1].data["reason"].startswith("resume is not listened for now")
    rec.say("pause")
    rec.run(frames_for(5))
    said = len(rec.of("said"))
    rec.say("pause")  # already paused: it says so again, and how to go on
    rec.run(frames_for(1))
    assert [e.data["text"] for e in rec.of("said")[said:]] == [engine.locale.lines["paused"]]


def test_output_is_one_frame_per_input_frame(engine):
    rec = Recorder(engine)
    rec.say("start our check in")
    rec.run(100)
    assert all(len(frame) == FRAME_SAMPLES and frame.dtype == np.int16 for frame in rec.audio)
    assert len(rec.audio) == engine.frame


@pytest.mark.parametrize("command, answer", [
    ("stop", "Okay. We'll stop here. Thank you both."),
    ("pause", "Paused. Say resume when you're ready."),
    ("repeat", "Welcome, Alex and Sam. It's time for your weekly check-in. Alex goes first tonight."),
])
def test_stop_pause_and_repeat_take_effect_in_the_next_frame(engine, command, answer):
    """Stop and pause are heard over a line (barge-in), which is cut; repeat after it. The answer
    starts in the very next frame: the cached line, nothing to wait for."""
    rec = Recorder(engine)
    rec.say("start our check in")
    rec.run(10)
    assert engine.player.playing
    if command == "repeat":
        rec.until_listening()
    heard_at = engine.frame
    engine.hear_text(command)
    rec.run(1)
    said = rec.of("said")[-1]
    assert said.frame == heard_at and said.data["text"] == answer



@pytest.mark.parametrize("code", ["en", "ko"])
def test_the_first_start_introduces_the_speaker_once_and_says_plainly_what_it_is_not(tmp_path, code):
    engine = make_engine(tmp_path, code)
    engine.introduce_once()
    rec = Recorder(engine)
    rec.run(frames_for(120))
    assert [e.data["script"] for e in rec.of("script_started")] == ["introduction"]
    said = " ".join(e.data["text"] for e in rec.of("said"))
    plainly = {"en": ["I'm not a therapist", "not an emergency service", "violence or fear at home",
                      "I never record or keep what you say"],
               "ko": ["상담사가 아니고", "긴급 구조 서비스도 아니에요", "폭력이나 두려움", "녹음하거나 남기지 않아요"]}
    assert all(words in said for words in plainly[code]), said
    engine.close()
    again = make_engine(tmp_path, code)
    again.introduce_once()
    assert again.session is None  # once: the session log remembers


def plays(audio: list[np.ndarray], sound: np.ndarray) -> bool:
    """The earcon's exact samples are somewhere in what the speaker played."""
    at = np.concatenate(audio).tobytes().find(sound.tobytes())
    return at >= 0 and at % 2 == 0


def test_a_choice_ends_with_the_listening_tone_and_an_unclear_answer_gets_not_understood(engine):
    tones = earcons()
    rec = Recorder(engine)
    rec.say("what should we have for dinner")  # no question asked: the couple's talk, no sound
    rec.say("start our check in")
    rec.until_step("choose")
    rec.until_listening()
    assert plays(rec.audio, tones["listening"]) and not plays(rec.audio, tones["not_understood"])
    rec.say("the purple one")  # an answer, but none of the options
    rec.run(frames_for(1))
    assert rec.of("rejected")[-1].data["text"] == "the purple one"
    assert plays(rec.audio, tones["not_understood"])
    rec.say("the short one")
    rec.run(frames_for(3))
    assert rec.of("said")[-1].data["text"] == "Let's start with one minute of slow breathing together."


@pytest.mark.slow  # 3 s: half an hour of frames
def test_more_time_during_the_long_break_adds_to_it_and_never_shortens_it(engine):
    rec = Recorder(engine)
    rec.say("start a long break")
    rec.until_step("timer")
    rec.run(frames_for(60))
    asked = engine.frame
    rec.say("I need more time")  # a minute into twenty: the chime comes 29 minutes from now
    rec.run(frames_for(2))
    assert rec.of("said")[-1].data["text"] == "Of course. I'll call you back in 29 minutes."
    rec.run(frames_for(28.5 * 60))
    back = [e for e in rec.of("said") if e.data["text"].startswith("It's time to come back")]
    assert not back
    rec.run(frames_for(60))
    back = [e for e in rec.of("said") if e.data["text"].startswith("It's time to come back")]
    assert back and 0 <= back[0].frame - asked - frames_for(29 * 60) < frames_for(10)  # + the start line
    rec.say("I need more time")  # at the call back, more time counts from now
    rec.run(frames_for(2))
    assert rec.of("said")[-1].data["text"] == "Of course. I'll call you back in 10 minutes."


@pytest.mark.parametrize("code", ["en", "ko"])
def test_a_line_said_over_the_breathing_never_breaks_its_rhythm(tmp_path, code):
    engine = make_engine(tmp_path, code)
    rec = Recorder(engine)
    lines = engine.locale.lines
    rec.say(min(expand(engine.locale.intents["calming_break"][0]), key=len))
    rec.run(frames_for(30))
    rec.say(min(expand(engine.locale.intents["help"][0]), key=len))
    rec.run(frames_for(25))
    said = rec.of("said")
    helped = next(i for i, e in enumerate(said) if e.data["text"] == lines["help_session"])
    cues = [e for e in said[helped + 1:] if e.data["text"] in (lines["breathe_inhale"], lines["breathe_exhale"])]
    assert cues[0].data["text"] == lines["breathe_inhale"]  # a new breath, from its first phase
    assert all(b.frame - a.frame >= frames_for(4.5) for a, b in zip(cues, cues[1:]))  # never bunched
    assert cues[0].frame >= said[helped].frame + len(engine.speech.audio(lines["help_session"])) // 320


def rehearse(engine: Engine, lines: str) -> list:
    from voice.simulate import run_simulation

    events: list = []
    run_simulation(engine, lines.splitlines(), events.extend)
    return events


def test_a_turn_waits_longer_for_the_first_words_than_after_them(engine):
    events = rehearse(engine, "start a short check-in\n:wait 12\nnext\n:wait 3\nnext\n:wait 120\n")
    prompts = [e for e in events if e.type == "said" and "Say done when you've finished" in e.data["text"]]
    # nobody speaks: the next turn comes about 45 s after the first prompt ends, not 15
    assert frames_for(44) < prompts[1].frame - prompts[0].frame < frames_for(60)


def test_talk_keeps_a_turn_open_and_silence_after_it_ends_the_turn(engine):
    events = rehearse(engine, "start a short check-in\n:wait 12\nnext\n:wait 3\nnext\n:wait 8\n:talk 40\n:wait 30\n")
    prompts = [e for e in events if e.type == "said" and "Say done when you've finished" in e.data["text"]]
    talk_ends = prompts[0].frame + frames_for(40)  # at least: the talk began after the prompt
    assert prompts[1].frame > talk_ends  # never cut off while talking
    assert prompts[1].frame - talk_ends < frames_for(30)  # then 15 s of quiet ends the turn


@pytest.mark.slow  # 3 s each: twenty minutes of frames and more
@pytest.mark.parametrize(("after_the_call", "welcomed"), [(":talk 3\n:wait 10", True), (":wait 400", False)])
def test_the_long_breaks_return_waits_for_a_voice(engine, after_the_call, welcomed):
    events = rehearse(engine, f"start a long break\n:wait 1250\n{after_the_call}\n")
    said = [e.data["text"] for e in events if e.type == "said"]
    calls = [text for text in said if text.startswith("It's time to come back together.")]
    assert any(text.startswith("Welcome back.") for text in said) == welcomed
    assert len(calls) == (1 if welcomed else 3)  # an empty room is called three times, then left in peace
    assert [e.data["reason"] for e in events if e.type == "script_finished"] == ["completed"]


def test_a_question_can_be_repeated_while_it_is_answered_and_the_same_partner_goes_on(engine):
    said_by_the_couple = "ask us a question\n:wait 10\ndreams\n:wait 10\n:talk 5\n:wait 20\n:talk 3\nrepeat\n:wait 5\n"
    events = rehearse(engine, said_by_the_couple)
    said = [e.data["text"] for e in events if e.type == "said"]
    deck = engine.library.decks["dreams"].prompts
    asked = [index for index, text in enumerate(said) if text in deck]
    assert said[asked[0]] == said[asked[1]] != said[asked[2]]  # the question again, then the next one
    again = asked[1]
    assert said[again - 1].endswith("your turn. Say done when you've finished.")
    assert said[again + 1] == said[again - 1]  # the partner who asked answers, not the first again


def test_the_safety_response_right_after_a_false_start(engine):
    """An exercise started by mistake and the safety request at once: everything stops, the resources
    come first, and only then that the exercise was stopped and how to hear this again."""
    from voice.exercises.lines import safety_line

    rec = Recorder(engine)
    rec.say("start our check in")
    engine.hear_text("I don't feel safe")  # mid-sentence of the welcome, the frame after it started
    rec.run(frames_for(2))
    said = [e.data["text"] for e in rec.of("said")]
    assert safety_line(engine.locale, stopped=True) in said
    assert said.index(safety_line(engine.locale, stopped=True)) == len(said) - 1  # nothing of the check-in after it
    assert [e.data["reason"] for e in rec.of("script_finished")] == ["safety"]
    rec.run(frames_for(60))
    assert engine.running() is None and not rec.of("step_started")[1:]


def test_a_break_asked_for_inside_a_break_and_a_second_stop_get_an_answer(engine):
    rec = Recorder(engine)
    rec.say("I need a break")
    rec.run(frames_for(15))
    rec.say("I need a break")  # the calming break is already running: it says so and goes on
    rec.run(frames_for(3))
    assert "We're in the calming break now." in [e.data["text"] for e in rec.of("said")]
    assert [e.data["script"] for e in rec.of("script_started")] == ["calming-break"]
    rec.say("stop")
    rec.run(frames_for(5))
    rec.say("stop")  # nothing runs and nothing sounds: it says so, instead of silence
    rec.run(frames_for(3))
    assert rec.of("said")[-1].data["text"] == engine.locale.lines["not_running"]
