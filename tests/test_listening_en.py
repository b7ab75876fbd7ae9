"""English on its real model (vosk-model-small-en-us-0.15, which `make test` fetches): people's own
voices from ../shared/speech (read in place), everyday talk through the file driver and live ALSA
devices, and the start phrases of both locales in room tone from -65 to -45 dBFS."""

import json
import math
import zlib
from dataclasses import replace

import numpy as np
import pytest
from conftest import margin_by_its_own_floor, mic_says, run_voice

from voice.audio.frames import RATE, frames_for
from voice.audio.wavfile import write_wav
from voice.bench import human
from voice.bench.rooms import Condition, in_room
from voice.bench.speech import LEAD_S, TAIL_S, talk
from voice.bench.voices import VOICE_SETS, speak
from voice.listen import context
from voice.listen.commit import grammar_of
from voice.listen.endpoint import END_FRAMES
from voice.listen.intents import expand
from voice.models import default_model, is_model

needs_english = pytest.mark.skipif(not is_model(default_model("en")), reason="run 'voice models fetch' (make test does)")
try:
    SPEECH = human.speech_dir()
except Exception:  # a checkout without ../shared beside it
    SPEECH = None
needs_people = pytest.mark.skipif(SPEECH is None, reason="the shared recordings of people are not beside the checkout")
ROOM_TONES = [Condition(f"{kind} {level}", kind, level) for kind in ("pink", "brown", "fan") for level in (-65.0, -45.0)]


@pytest.fixture(scope="module")
def bench():
    from voice.bench.listening import Bench
    from voice.config import Settings

    return Bench(Settings(locale="en"))


def heard_in_line(recognizer) -> "Alternatives":
    """What a Vosk recognizer called directly heard, as the open recognizer gives it."""
    from voice.listen.recognizer import Alternatives

    alternatives = json.loads(recognizer.FinalResult())["alternatives"]
    return Alternatives([alt["text"].strip() for alt in alternatives], [alt["confidence"] for alt in alternatives])


def set_hearing(texts: list[str]) -> "Alternatives":
    """The open recognizer's hearing as a test sets it, scored so that the grammar never outscores it."""
    from voice.listen.recognizer import Alternatives

    return Alternatives(list(texts), [math.inf] * len(texts))


def intents_heard(bench, audio: np.ndarray, listening) -> list[str]:
    return [heard.match.intent for heard in bench.listen(audio, listening) if heard.match.intent is not None]


@needs_english
@needs_people
def test_people_saying_stop_are_heard_in_a_session(bench):
    """A fixed sample: the first 12 held-out speakers' 'stop', in a quiet room."""
    rng = np.random.default_rng(1)
    clips = human.command_clips("held-out", SPEECH)["stop"][:12]
    heard = [intents_heard(bench, in_room(human.read_clip(p), human.QUIET, rng), context.session(frozenset()))
             for p in clips]
    assert sum(intents == ["stop"] for intents in heard) >= 11, heard


@needs_english
@needs_people
def test_a_persons_stop_the_grammar_is_unsure_of_is_heard_once_heard_openly(bench):
    """A tuning speaker's "stop" comes at about 0.35 in a quiet room: below the floor it once had (0.5),
    above today's (en.yaml intent_confidence), and the open recognizer hears it as "stop"."""
    stop = in_room(human.read_clip(SPEECH / "en-commands" / "stop" / "4f8ef132_nohash_1.flac"), human.QUIET,
                   np.random.default_rng(2))
    heard = [h.match for h in bench.listen(stop, context.session(frozenset())) if h.match.intent is not None]
    assert [m.intent for m in heard] == ["stop"] and heard[0].confidence < 0.5, heard


@pytest.mark.slow  # 8 s: the fast tests keep people's "stop", talk and short words (below)
@needs_english
@needs_people
def test_peoples_other_words_never_stop_start_or_give_safety(bench):
    """A fixed sample of held-out recordings of other words, in idle, a session and a turn."""
    rng = np.random.default_rng(2)
    words = human.command_clips("held-out", SPEECH)
    clips = [path for word, paths in words.items() if word != "stop" for path in paths[:4]]
    for listening in (context.idle(bench.intents), context.session(frozenset()), context.turn()):
        for path in clips:
            intents = intents_heard(bench, in_room(human.read_clip(path), human.QUIET, rng), listening)
            disruptive = [intent for intent in intents if context.interrupts(intent) or intent == "safety"]
            assert not disruptive, (path.name, listening.name, intents)


@needs_english
@needs_people
def test_peoples_lone_words_in_a_noisy_room_are_no_commands(bench):
    """6 dB under the voice (a dishwasher, a fan on high) short commands are checked by the open
    recognizer too. Without it these held-out people's "no" were "next" in a session, "off" was
    "pause" in a turn and "happy" was help in idle."""
    said = {"no/03401e93_nohash_0.flac": context.session(frozenset()),
            "no/03401e93_nohash_2.flac": context.session(frozenset()),
            "off/0b57a6ed_nohash_0.flac": context.turn(),
            "_unknown_/happy_1fe4c891_nohash_1.flac": context.idle(bench.intents)}
    for name, listening in said.items():
        noisy = in_room(human.read_clip(SPEECH / "en-commands" / name), human.NOISY, np.random.default_rng(8))
        assert intents_heard(bench, noisy, listening) == [], (name, listening.name)


@pytest.mark.slow  # 3 s: real recognizers over several clips
@needs_english
@needs_people
def test_peoples_talk_that_sounds_like_stop_does_not_stop(bench):
    """Tuning talk clips heard as "stop" at 0.20-0.36 before English "stop" had its own floor
    (en.yaml intent_confidence), now below it only the open recognizer's check turns them away: "the
    topic", "mm" in a meeting."""
    rng = np.random.default_rng(6)
    clips = [SPEECH / "en-talk" / "ami_pyannote" / name for name in ("FEO072_tst00-17.flac", "FEO070_tst00-18.flac")]
    for listening in (context.idle(bench.intents), context.session(frozenset()), context.turn()):
        for path in clips:
            intents = intents_heard(bench, in_room(human.read_clip(path), human.QUIET, rng), listening)
            assert "stop" not in intents, (path.name, listening.name)


@needs_english
@needs_people
def test_peoples_talk_the_open_recognizer_hears_as_no_words_does_not_stop_in_a_noisy_room(bench):
    """A meeting's 2.1 s of talk at 6 dB SNR was "stop" in a session for these noise draws (3 of 200;
    openly "", then "stop" 2nd or 3rd): now none stops. The same speaker's talk in a quiet room, above."""
    speech = human.read_clip(SPEECH / "en-talk" / "ami_pyannote" / "FEO070_tst00-18.flac")
    for seed in (92, 109, 130):
        room = in_room(speech, human.NOISY, np.random.default_rng(seed))
        assert "stop" not in intents_heard(bench, room, context.session(frozenset())), seed


@pytest.mark.slow  # 3 s: real recognizers over several clips
@needs_english
@needs_people
def test_peoples_short_words_are_no_commands_once_heard_openly():
    """Tuning speakers' recorded words that a session's grammar takes for commands ("happy" and
    "house" as help, "no" as next) are turned away by the open-vocabulary check, which hears them as
    themselves (en.yaml cross_check). ("right" was repeat too, until the grammar heard it louder:
    listen/gain.py.)"""
    clips = {"_unknown_/happy_1f653d27_nohash_1.flac": "help", "_unknown_/house_2aa787cf_nohash_1.flac": "help",
             "no/0ea0e2f4_nohash_0.flac": "next"}
    from voice.bench.listening import Bench
    from voice.config import Settings

    # Fresh recognizers: Vosk adapts to the voices a recognizer has heard (i-vectors), so what the
    # module's bench heard before would make these few clips come out otherwise.
    checked, unchecked = Bench(Settings(locale="en")), Bench(Settings(locale="en"))
    unchecked.locale = replace(unchecked.locale, cross_check=None)
    session = context.session(frozenset())
    audio = {name: in_room(human.read_clip(SPEECH / "en-commands" / name), human.QUIET, np.random.default_rng(7))
             for name in clips}
    assert {name: intents_heard(unchecked, audio[name], session) for name in clips} == \
        {name: [command] for name, command in clips.items()}
    assert {name: intents_heard(checked, audio[name], session) for name in clips} == {name: [] for name in clips}


@needs_english
def test_only_a_command_heard_as_a_word_or_two_waits_for_the_open_recognizers_word(bench):
    """A lone word of talk is forced onto a short command ("happy" as help: above), not onto a phrase
    of three words: "end the session" in espeak-ng's voices, which the open recognizer hears as "and
    assertion", stops the session; a one-word "done" is still checked."""
    rng = np.random.default_rng(6)
    quiet = ROOM_TONES[0]
    for voice in ("espeak:en-us+f2", "espeak:en-us+m3"):
        speech = speak("end the session", voice)
        heard = bench.first_heard(in_room(speech, quiet, rng), speech, bench.context_of["stop"])
        assert heard.match is not None and heard.match.intent == "stop", (voice, heard.match)
    speech = speak("done", "flite:slt")
    checked = bench.first_heard(in_room(speech, quiet, rng), speech, bench.context_of["done"])  # openly "john"
    assert checked.match is not None and checked.match.intent is None and "not confirmed" in checked.match.reason


@needs_english
def test_a_command_that_begins_only_longer_ways_to_say_it_answers_before_the_end_of_speech(bench):
    """"repeat" begins "repeat that", the same command: it answers SAME_MEANING_QUIET frames into the
    quiet, not at the end of speech (END_FRAMES later). Which phrases wait: tests/test_commit.py."""
    speech = speak("repeat", "piper:en_US-joe-medium")
    heard = bench.first_heard(in_room(speech, ROOM_TONES[0], np.random.default_rng(1)), speech,
                              context.session(frozenset()))
    assert heard.match is not None and heard.match.intent == "repeat" and heard.match.early, heard
    assert heard.frame < END_FRAMES, heard


@needs_english
def test_in_a_noisy_room_a_sentence_that_begins_like_a_start_phrase_starts_nothing(
        bench, monkeypatch):
    """At 6 dB SNR espeak-ng's "let's visit grandma tomorrow morning" was "let's breathe" at a
    100 ms pause after "let's vis(it)", committed early (10 of 12 noise draws): in a noisy room a
    start waits for the end of speech (commit.grammar_of), and "let's breathe" is still heard."""
    from voice.bench.rooms import AT_6DB
    from voice.listen import listener

    idle = context.idle(bench.intents)
    sentence = speak("let's visit grandma tomorrow morning", "espeak:en-us")
    talk = in_room(sentence, AT_6DB, np.random.default_rng(0))
    assert intents_heard(bench, talk, idle) == []
    breathe = speak("let's breathe", "espeak:en-us")
    heard = bench.first_heard(in_room(breathe, AT_6DB, np.random.default_rng(0)), breathe, idle)
    assert heard.match.intent == "breathing" and not heard.match.early, heard
    with monkeypatch.context() as as_in_a_quiet_room:
        def commit_as_in_quiet(matcher, listening):
            grammar = grammar_of(matcher, listening)
            return grammar._replace(commit_in_noise=grammar.commit_after)

        as_in_a_quiet_room.setattr(listener, "grammar_of", commit_as_in_quiet)
        assert intents_heard(bench, talk, idle) == ["breathing"]


@needs_english
def test_a_phrase_whose_voice_pauses_inside_a_word_is_answered_whole(bench, monkeypatch):
    """flite's (slt) "safety information" pauses 100 ms inside "information": the grammar's partial
    result there is already the whole phrase, and its final "safety in", too far from any phrase,
    which the early commit answered before. It now waits for a final that is the phrase
    (`Listener._hear_again`), and the phrase is heard at the end of speech."""
    from voice.listen.listener import Listener

    heard_again = []
    hear_again = Listener._hear_again

    def noting(listener: Listener) -> None:
        heard_again.append(listener._partial)
        hear_again(listener)

    monkeypatch.setattr(Listener, "_hear_again", noting)
    speech = speak("safety information", "flite:slt")
    said = in_room(speech, ROOM_TONES[0], np.random.default_rng(1))
    heard = bench.first_heard(said, speech, bench.context_of["safety_info"])
    assert heard.match is not None and heard.match.intent == "safety_info", heard
    assert heard.frame <= END_FRAMES, heard
    assert heard_again == [("safety", "information")]


@pytest.mark.slow  # 2.5 s: real recognizers over several clips
@needs_english
@needs_people
def test_the_open_recognizer_hears_on_its_own_thread_what_vosk_hears_in_line():
    """Its thread changes when the work is done, not what is heard: the same frames give the same
    alternatives as Vosk called directly, utterance after utterance (its adaptation carries over),
    whether the final result is begun when asked for or before."""
    import vosk

    from voice.audio.frames import split_frames
    from voice.listen.recognizer import OPEN_N_BEST, OpenRecognizer, load_model

    model = load_model(default_model("en"), "en")
    threaded, in_line = OpenRecognizer(model), vosk.KaldiRecognizer(model, RATE)
    in_line.SetMaxAlternatives(OPEN_N_BEST)
    rng = np.random.default_rng(4)
    for name in ("no/0ea0e2f4_nohash_0.flac", "_unknown_/happy_1f653d27_nohash_1.flac", "stop/" + sorted(
            p.name for p in (SPEECH / "en-commands" / "stop").glob("*.flac"))[0]):
        frames = split_frames(in_room(human.read_clip(SPEECH / "en-commands" / name), human.QUIET, rng))
        threaded.reset()
        in_line.Reset()
        for frame in frames:
            threaded.accept(frame)
            in_line.AcceptWaveform(frame.tobytes())
        expected = heard_in_line(in_line)
        assert threaded.finish() == expected, name
        threaded.reset()  # begun before it is asked for, as the listener does when a command is likely
        in_line.Reset()
        for frame in frames:
            threaded.accept(frame)
            in_line.AcceptWaveform(frame.tobytes())
        threaded.begin_final()
        threaded.begin_final()  # once only
        expected = heard_in_line(in_line)
        assert threaded.finish() == expected, name


@needs_english
@needs_people
def test_the_open_recognizers_final_begins_in_the_pause_after_a_whole_phrase_before_the_answer(bench, monkeypatch):
    """Its final result is the slow part of a short command's answer (55 ms here, the grammar's 9 ms),
    so it is begun OPEN_VERDICT_LEAD frames of quiet before the answer to "stop" could commit, while
    the grammar's partial result settles, and is ready or nearly when it does."""
    from voice.listen.listener import Listener
    from voice.listen.recognizer import OpenRecognizer

    fed, began = [0], []
    feed, begin_final = Listener.feed, OpenRecognizer.begin_final

    def counting(self, frame):
        fed[0] += 1
        return feed(self, frame)

    def beginning(self):
        if self._final is None:
            began.append(fed[0] - 1)  # the index of the frame being fed
        begin_final(self)

    monkeypatch.setattr(Listener, "feed", counting)
    monkeypatch.setattr(OpenRecognizer, "begin_final", beginning)
    stop = in_room(human.read_clip(human.command_clips("held-out", SPEECH)["stop"][0]), human.QUIET,
                   np.random.default_rng(3))
    decisions = bench.listen(stop, context.session(frozenset()))
    assert [heard.match.intent for heard in decisions] == ["stop"], decisions
    assert len(began) == 1 and began[0] < decisions[0].frame, (began, decisions[0].frame)


@needs_english
@needs_people
def test_an_utterance_whose_voice_goes_on_after_an_early_final_is_heard_again_whole():
    """The open recognizer's final, begun at a pause after a whole phrase ("stop ... go"), does not
    stand when the voice goes on: the utterance is heard again from its first frame, and the verdict
    is what Vosk gives for all of it (after that early final, as it was)."""
    import vosk

    from voice.audio.frames import split_frames
    from voice.listen.open_hearing import OpenHearing
    from voice.listen.recognizer import OPEN_N_BEST, OpenRecognizer, load_model

    model = load_model(default_model("en"), "en")
    hearing, in_line = OpenHearing(OpenRecognizer(model)), vosk.KaldiRecognizer(model, RATE)
    in_line.SetMaxAlternatives(OPEN_N_BEST)
    said = [human.read_clip(human.command_clips("held-out", SPEECH)[word][0]) for word in ("stop", "go")]
    first, rest = (split_frames(clip) for clip in said)  # a second each, within the open recognizer's 3
    hearing.begin()
    for frame in first:
        hearing.hear(frame)
        in_line.AcceptWaveform(frame.tobytes())
    hearing.end()  # the pause after "stop"
    in_line.FinalResult()
    hearing.go_on()  # "go": what was heard is heard again
    in_line.Reset()
    for frame in first:
        in_line.AcceptWaveform(frame.tobytes())
    for frame in rest:
        hearing.hear(frame)
        in_line.AcceptWaveform(frame.tobytes())
    hearing.end()
    expected = heard_in_line(in_line)
    assert hearing.verdict() == expected
    assert any("go" in alternative.split() for alternative in expected.texts), expected


@needs_english
@needs_people
def test_every_utterance_heard_openly_ends_with_its_final_result_asked_for_or_not(bench, monkeypatch):
    """Vosk carries what it learnt of a voice into the next utterance, and a final result changes
    what it carries: so the open recognizer ends every utterance the same way, whether its verdict
    is asked for (a short command) or not (talk), and what it hears does not depend on which."""
    from voice.listen.recognizer import OpenRecognizer

    calls: list[str] = []
    reset, begin_final = OpenRecognizer.reset, OpenRecognizer.begin_final

    def resetting(self):
        calls.append("reset")
        reset(self)

    def beginning(self):
        if self._final is None:  # once an utterance: later calls find it begun
            calls.append("final")
        begin_final(self)

    monkeypatch.setattr(OpenRecognizer, "reset", resetting)
    monkeypatch.setattr(OpenRecognizer, "begin_final", beginning)
    talk_and_stop = np.concatenate([human.read_clip(path) for path in (
        human.talk_clips("held-out", SPEECH)[0], human.command_clips("held-out", SPEECH)["stop"][0])])
    room = in_room(talk_and_stop, human.QUIET, np.random.default_rng(2))
    decisions = bench.listen(room, context.idle(bench.intents))
    assert len(decisions) >= 2 and decisions[-1].match.intent == "stop", decisions
    assert calls == ["reset", "final"] * len(decisions), calls


@needs_english
@pytest.mark.parametrize("voice", ["espeak:en-us", pytest.param("flite:slt", marks=pytest.mark.slow)])
def test_in_idle_a_start_phrase_on_the_heels_of_other_words_is_no_start(bench, voice):
    """The couple talk most in idle: a start phrase stands only after a pause of about half a second
    (listener.PAUSE_BEFORE_START), not as the next piece of what they were saying."""
    from voice.listen.listener import AFTER_WORDS

    idle = context.idle(bench.intents)
    for pause_ms, heard in ((300, None), (800, "start_checkin")):
        said = np.concatenate([speak("that was a long day", voice), np.zeros(RATE * pause_ms // 1000, np.int16),
                               speak("start our check-in", voice)])
        decisions = bench.listen(in_room(said, human.QUIET, np.random.default_rng(3)), idle)
        assert decisions[-1].match.intent == heard, (pause_ms, decisions)
        assert (AFTER_WORDS in decisions[-1].match.reason) == (heard is None), decisions[-1].match


@needs_english
def test_a_start_phrase_right_after_the_speakers_own_voice_is_heard(bench):
    """The pause is counted from the couple's last words in idle: what was heard over the speaker's
    voice (its own echo, or a barge-in), or before it began (listener.reset), is not their conversation."""
    from voice.audio.frames import split_frames
    from voice.listen.endpoint import END_FRAMES
    from voice.listen.listener import AFTER_WORDS, Listener

    rng = np.random.default_rng(3)
    lead, tail = frames_for(LEAD_S), frames_for(TAIL_S)

    def said(text: str, before: int, after: int) -> list[np.ndarray]:
        """`text` with only `before` frames of room tone before it and `after` after it."""
        frames = split_frames(in_room(speak(text, "espeak:en-us"), human.QUIET, rng))
        return frames[lead - before : len(frames) - tail + after]

    words, okay = said("that was a long day", lead, END_FRAMES + 2), said("okay", 2, END_FRAMES + 2)
    start = said("start our check-in", 2, tail)
    idle = context.idle(bench.intents)
    for gate in (None, "reset", "over the speaker's voice"):
        listener = Listener(bench.matcher, bench.recognizer, cross_check=bench.locale.cross_check)
        listening = [idle]
        listener.follow(lambda: listening[0])
        heard = [listener.feed(frame) for frame in words]
        if gate == "reset":
            listener.reset()
        elif gate is not None:
            listening[0] = context.over_speech()
            over = [match for match in map(listener.feed, okay) if match is not None]
            assert len(over) == 1 and over[0].intent is None, over  # an utterance, heard and ended there
            listening[0] = idle
        heard = [match for match in heard + [listener.feed(frame) for frame in start] if match is not None]
        if gate is None:  # a start phrase on the heels of the couple's own words
            assert heard[-1].intent is None and AFTER_WORDS in heard[-1].reason, heard
        else:
            assert heard[-1].intent == "start_checkin", (gate, heard)


@pytest.mark.slow  # 2 s: real recognizers over several clips
@needs_english
@needs_people
def test_a_piece_of_a_persons_sentence_is_no_start_at_6_db(bench, monkeypatch):
    """At 6 dB SNR the endpointer cut these tuning speakers' sentences at short pauses: "...it is not
    reflection, but refraction..." was "start reflection", "...super-imposition of a number..." "safety
    information". Each piece began a frame or a few after the last one ended."""
    from voice.listen import listener, open_check

    idle = context.idle(bench.intents)
    for name, start in (("p225_019.flac", "reflection"), ("p226_022.flac", "safety_info")):
        talk = in_room(human.read_clip(SPEECH / "en-talk" / "vctk_autovc" / name), human.NOISY, np.random.default_rng(1))
        assert intents_heard(bench, talk, idle) == [], name
        with monkeypatch.context() as without_the_pause:
            without_the_pause.setattr(listener, "PAUSE_BEFORE_START", 0)
            # and without the open recognizer's word on a doubted start, which turns away the second
            without_the_pause.setattr(open_check, "_doubted_start_in_noise",
                                      lambda match, noisy: False)
            assert intents_heard(bench, talk, idle) == [start], name


@pytest.mark.slow  # 3 s: real recognizers over several clips
@needs_english
@needs_people
def test_the_human_bench_names_the_clip_and_words_of_each_false_accept(bench):
    """A person's "stop" given to the bench as talk: a false stop in a session, each time it is
    heard there (in the noisy room, in each draw of its noise), named so it can be heard again."""
    clip = human.command_clips("held-out", SPEECH)["stop"][0]
    figures = human._false_accepts(bench, [clip], np.random.default_rng(2), draws_in_noise=3)
    heard = f"stop/{clip.name}: 'stop' -> stop"
    quiet = figures["rooms"][human.QUIET.name]["session"]
    assert quiet["by_intent"] == {"stop": 1} and quiet["disruptive"] == 1 and quiet["draws"] == 1, quiet
    assert quiet["examples"] == [heard], quiet
    noisy = figures["rooms"][human.NOISY.name]["session"]
    assert noisy["by_intent"] == {"stop": 3} and noisy["disruptive"] == 3 and noisy["draws"] == 3, noisy
    assert noisy["examples"] == [heard, f"{heard} (noise draw 2)", f"{heard} (noise draw 3)"], noisy
    assert noisy["per_hour"] == quiet["per_hour"]  # an hour of talk heard three times is three hours


@needs_english
@needs_people
def test_a_stop_phrase_heard_with_a_word_more_in_a_persons_sentence_is_no_stop_at_6_db(bench, monkeypatch):
    """At 6 dB SNR a tuning speaker's "...the effect of super-imposition of a number..." was "[unk] end
    the session" or "safe end the session" in a session: a stop phrase with a word at its edge, which
    the open recognizer heard as "super imposition". (The grammar was unsure of it too, which in a
    noisy room also asks the open recognizer: `_unsure_stop_in_noise`; and the piece began right
    after other words: `_stop_after_words_in_noise`.)"""
    from voice.listen import open_check

    clip = SPEECH / "en-talk" / "vctk_autovc" / "p226_022.flac"
    talk = in_room(human.read_clip(clip), human.NOISY, np.random.default_rng(1))
    session = context.session(frozenset())
    assert intents_heard(bench, talk, session) == []
    monkeypatch.setattr(open_check, "_unsure_stop_in_noise", lambda match, noisy: False)
    assert intents_heard(bench, talk, session) == []  # the word more alone turns it away
    monkeypatch.setattr(open_check, "_stops_or_starts_with_a_word_more", lambda match: False)
    assert intents_heard(bench, talk, session) == []  # it began right after other words, too
    monkeypatch.setattr(open_check, "_stop_after_words_in_noise", lambda match, noisy, after: False)
    assert intents_heard(bench, talk, session) == ["stop"]


def as_before_breaks_interrupted(intent: str) -> bool:
    return intent == "stop" or context.starts_an_exercise(intent)


@needs_english
@needs_people
def test_a_break_phrase_heard_with_a_word_more_in_a_persons_sentence_is_no_break_at_6_db(
        bench, monkeypatch):
    """At 6 dB SNR a tuning speaker's "I think we need a break for ..." (openly, in a quiet room, "i
    think in a break for and") was "can we need a break" or "i'm we need a break" in a session: a
    calming break, until a break phrase heard with a word more waited for the open recognizer as a
    stop or a start phrase does (6 of 7 noise draws that gave one turned away)."""
    from voice.listen import open_check

    clip = SPEECH / "en-talk" / "ami_pyannote" / "MEE089_trn08-12.flac"
    talk = in_room(human.read_clip(clip), human.NOISY, np.random.default_rng(0))
    session = context.session(frozenset())
    assert intents_heard(bench, talk, session) == []
    # the rule as it was: a stop or a start phrase with a word more, not a break
    monkeypatch.setattr(open_check, "interrupts", as_before_breaks_interrupted)
    monkeypatch.setattr(open_check, "_doubted_start_in_noise", lambda match, noisy: False)
    assert intents_heard(bench, talk, session) == ["calming_break"]


@needs_english
@needs_people
def test_a_break_phrase_meets_the_open_recognizers_stricter_check_of_a_stop_or_a_start(
        bench, monkeypatch):
    """The same sentence in another noise draw, in idle, was "can we need a break" at 0.68, and the
    open recognizer heard "i mean and they break for at", then "i mean and they break for", 0.43
    from "i need a break": near enough for a step's command (0.45), not for one that interrupts
    the couple (0.4), as a break does now."""
    from voice.listen import open_check

    clip = SPEECH / "en-talk" / "ami_pyannote" / "MEE089_trn08-12.flac"
    noise = np.random.default_rng([718, zlib.crc32(b"idle")])
    talk = in_room(human.read_clip(clip), human.NOISY, noise)
    idle = context.idle(bench.intents)
    assert intents_heard(bench, talk, idle) == []
    # a break checked as a step's command, still asked about
    monkeypatch.setattr(open_check, "interrupts", as_before_breaks_interrupted)
    monkeypatch.setattr(open_check, "_stops_or_starts_with_a_word_more", lambda match: True)
    assert intents_heard(bench, talk, idle) == ["calming_break"]


@needs_english
def test_at_6_db_the_endpointer_keeps_a_loud_rooms_margin_and_a_start_phrase_is_heard(
        bench, monkeypatch):
    """At 6 dB SNR noise suppression leaves the floor near the endpointer's own loud-room boundary
    (LOUD_ROOM_DB): judged by that floor, the voiced margin flipped with the noise, and espeak-ng's
    "start speaker listener" went unheard in one of 12 noise draws. The listener's measure of the
    room, before suppression, chooses it now."""
    from voice.bench.rooms import AT_6DB

    speech = speak("start speaker listener", "espeak:en-us")

    def heard() -> str | None:
        microphone = in_room(speech, AT_6DB, np.random.default_rng(8))
        match = bench.first_heard(microphone, speech, bench.context_of["speaker_listener"]).match
        return match.intent if match is not None else None

    assert heard() == "speaker_listener"
    margin_by_its_own_floor(monkeypatch)
    assert heard() is None  # the margin as the suppressed floor chose it


@needs_english
def test_in_a_noisy_room_a_stop_phrase_said_right_after_other_words_still_stops(bench, monkeypatch):
    """In a noisy room a stop phrase heard right after other words (a 0.4 s pause: the last
    utterance ends 0.24 s into it) waits for the open recognizer
    (`open_check._stop_after_words_in_noise`: a person's "...health and zest" was "end the
    session"); said so, it still stops."""
    from voice.bench.rooms import AT_6DB
    from voice.listen import open_check

    asked = []
    verdict = open_check.OpenCheck.verdict

    def asking(check, match, *args):
        asked.append(match.intent)
        return verdict(check, match, *args)

    monkeypatch.setattr(open_check.OpenCheck, "verdict", asking)
    pause = np.zeros(RATE * 4 // 10, np.int16)
    said = np.concatenate([speak("that was a long day", "espeak:en-us"), pause,
                           speak("end the session", "espeak:en-us")])
    decisions = bench.listen(in_room(said, AT_6DB, np.random.default_rng(0)),
                             context.session(frozenset()))
    assert [d.match.intent for d in decisions if d.match.intent] == ["stop"], decisions
    assert asked[-1:] == ["stop"], asked


@needs_english
@needs_people
def test_a_stop_the_open_recognizer_heard_below_its_first_guess_only_with_more_sounds_is_no_stop(
        bench, monkeypatch):
    """A person's talk at 6 dB was "stop" in a session's grammar and openly "established", "stop us",
    "the stop us": the sound of "stop" with more. A person's "stop" heard openly as "stuff", then
    "stop", is one; a step's "next" heard openly second as "next one" stands."""
    from voice.listen.recognizer import OpenRecognizer

    heard: list[str] = []
    monkeypatch.setattr(OpenRecognizer, "finish", lambda self: set_hearing(heard))
    stop = in_room(human.read_clip(human.command_clips("held-out", SPEECH)["stop"][0]), human.QUIET,
                   np.random.default_rng(2))
    said_next = in_room(speak("next", VOICE_SETS["en"]["tuning"][0]), human.QUIET, np.random.default_rng(2))
    session = context.session(frozenset())
    heard[:] = ["established", "stop us", "the stop us"]
    assert intents_heard(bench, stop, session) == []
    heard[:] = ["stuff", "stop"]
    assert intents_heard(bench, stop, session) == ["stop"]
    heard[:] = ["mexico", "next one"]
    assert intents_heard(bench, said_next, session) == ["next"]


@needs_english
@needs_people
def test_in_a_noisy_room_a_stop_the_open_recognizer_heard_first_with_more_sounds_is_no_stop(bench, monkeypatch):
    """At 6 dB a tuning person's talk, "...established...", was "stop" in a session's grammar and
    openly first "stop us": there that is no stop, and in a quiet room it is (a voice's "stop it").
    A person's "stop" at 6 dB stood only on a first guess "the top": one sound more, which stands."""
    from voice.listen.recognizer import OpenRecognizer

    heard: list[str] = []
    monkeypatch.setattr(OpenRecognizer, "finish", lambda self: set_hearing(heard))
    clip = human.read_clip(human.command_clips("held-out", SPEECH)["stop"][0])
    session = context.session(frozenset())
    for room, stop_us_is in ((human.NOISY, []), (human.QUIET, ["stop"])):
        audio = in_room(clip, room, np.random.default_rng(2))
        heard[:] = ["stop us", "established"]
        assert intents_heard(bench, audio, session) == stop_us_is, room.name
        heard[:] = ["the top", "doc"]
        assert intents_heard(bench, audio, session) == ["stop"], room.name


@needs_english
@needs_people
def test_a_command_that_ends_or_starts_an_exercise_stands_only_on_the_open_recognizers_best_guesses(
        bench, monkeypatch):
    """"stop" in the open recognizer's 4th alternative is no stop (a person's talk in a partner's turn
    was heard so: issue 17's note); a step's "next" there still is."""
    from voice.listen.crosscheck import INTERRUPTING_ALTERNATIVES
    from voice.listen.recognizer import OpenRecognizer

    heard = ["mm", "", "the up"]
    monkeypatch.setattr(OpenRecognizer, "finish", lambda self: set_hearing(heard))
    stop = in_room(human.read_clip(human.command_clips("held-out", SPEECH)["stop"][0]), human.QUIET,
                   np.random.default_rng(2))
    said_next = in_room(speak("next", VOICE_SETS["en"]["tuning"][0]), human.QUIET, np.random.default_rng(2))
    assert len(heard) == INTERRUPTING_ALTERNATIVES
    for word, audio in (("stop", stop), ("next", said_next)):
        heard.append(word)
        assert intents_heard(bench, audio, context.turn()) == ([] if word == "stop" else ["next"]), word
        heard.insert(0, heard.pop())
        assert intents_heard(bench, audio, context.turn()) == [word], word
        heard.pop(0)


@needs_english
def test_a_steps_command_the_open_recognizer_misheard_stands_in_a_quiet_room_where_the_grammar_outscored_it(
        bench, monkeypatch):
    """flite's "pause" in a quiet room: the open recognizer's words do not confirm it (in the accuracy
    bench's draws they were "plus" or "class"), but nothing it heard fit the sound nearly as well as
    the grammar's "pause"."""
    from voice.listen.crosscheck import CrossCheck

    said = in_room(speak("pause", "flite:slt"), human.QUIET, np.random.default_rng(0))
    session = context.session(frozenset())
    assert intents_heard(bench, said, session) == ["pause"]
    monkeypatch.setattr(CrossCheck, "outscored", lambda *args: False)
    assert intents_heard(bench, said, session) == []


def margins_seen(monkeypatch) -> list[float]:
    """How far the grammar's hearing of each command the open recognizer looked at scored above the
    open recognizer's best, as the listener sees them from now on."""
    from voice.listen.open_check import OpenCheck

    margins: list[float] = []
    look = OpenCheck.verdict

    def looking(self, match, phrases, score, *where):
        heard = self._open.verdict()
        self._open.verdict = lambda: heard
        margins.append(score - heard.scores[0])
        try:
            return look(self, match, phrases, score, *where)
        finally:
            del self._open.verdict

    monkeypatch.setattr(OpenCheck, "verdict", looking)
    return margins


@needs_english
@needs_people
def test_in_a_noisy_room_a_persons_word_the_grammar_outscored_the_open_recognizer_on_is_no_command(
        bench, monkeypatch):
    """A person's "go" at 6 dB SNR was "done" at 1.0 in a session's grammar, which outscored the
    open recognizer's "though" by 8.5, more than OUTSCORED_BY: in noise the grammar's score counts
    only by NOISY_OUTSCORED_BY (crosscheck.py)."""
    from voice.listen.crosscheck import NOISY_OUTSCORED_BY, NOISY_OUTSCORED_CONFIDENCE, OUTSCORED_BY
    from voice.listen.open_check import OpenCheck

    clip = SPEECH / "en-commands" / "go" / "4fd1443e_nohash_1.flac"
    said = in_room(human.read_clip(clip), human.NOISY, np.random.default_rng(3))
    session = context.session(frozenset())
    margins = margins_seen(monkeypatch)
    sureness: list[float] = []
    look = OpenCheck.verdict

    def noting(self, match, *rest):
        sureness.append(match.confidence)
        return look(self, match, *rest)

    monkeypatch.setattr(OpenCheck, "verdict", noting)
    assert intents_heard(bench, said, session) == []
    assert len(margins) == 1 and OUTSCORED_BY <= margins[0] < NOISY_OUTSCORED_BY, margins
    assert sureness[0] >= NOISY_OUTSCORED_CONFIDENCE, sureness

    def as_if_quiet(self, match, phrases, score, noisy, *rest):
        return look(self, match, phrases, score, False, *rest)

    monkeypatch.setattr(OpenCheck, "verdict", as_if_quiet)
    assert intents_heard(bench, said, session) == ["done"]


@needs_english
def test_in_a_noisy_room_a_command_the_open_recognizer_misheard_stands_where_the_grammar_was_sure(
        bench, monkeypatch):
    """espeak-ng's "skip" at 6 dB SNR: openly "this kid", which is far from it, but the grammar was
    sure of "skip" and its hearing scored NOISY_OUTSCORED_BY above anything the open recognizer
    found (crosscheck.py). Without that, as before, it was turned away."""
    from voice.bench.rooms import AT_6DB
    from voice.listen.crosscheck import NOISY_OUTSCORED_BY, CrossCheck

    said = in_room(speak("skip", "espeak:en-us"), AT_6DB, np.random.default_rng(0))
    session = context.session(frozenset())
    margins = margins_seen(monkeypatch)
    assert intents_heard(bench, said, session) == ["next"]
    assert len(margins) == 1 and margins[0] >= NOISY_OUTSCORED_BY, margins
    outscored = CrossCheck.outscored

    def only_in_quiet(self, score, heard, interrupting, noisy=False, confidence=1.0):
        return not noisy and outscored(self, score, heard, interrupting)

    monkeypatch.setattr(CrossCheck, "outscored", only_in_quiet)
    assert intents_heard(bench, said, session) == []


@needs_english
@needs_people
def test_in_a_partners_turn_a_step_command_stands_only_on_the_open_recognizers_words(bench, monkeypatch):
    """A turn's grammar is a few words, so each scores higher: a person's "down" in a quiet room was
    "done" there, more than OUTSCORED_BY above the open recognizer's "down", "donna". That was before
    the grammar heard utterances louder (listen/gain.py: then 6.4 above), so it is heard so here."""
    from voice.listen.crosscheck import OUTSCORED_BY

    monkeypatch.setattr(bench, "locale", replace(bench.locale, gain_db=0.0))
    clip = SPEECH / "en-commands" / "down" / "5c8af87a_nohash_2.flac"
    said = in_room(human.read_clip(clip), human.QUIET, np.random.default_rng(0))
    margins = margins_seen(monkeypatch)
    assert intents_heard(bench, said, context.turn()) == []
    assert len(margins) == 1 and margins[0] >= OUTSCORED_BY, margins


@needs_english
@needs_people
def test_a_stop_heard_openly_only_across_a_word_break_is_no_stop(bench, monkeypatch):
    """A person's talk was "stop" in the grammar and "this topic" openly, in a session and in a turn:
    near enough for a step's command (0.44), not for one that ends the exercise (en.yaml)."""
    from voice.listen.recognizer import OpenRecognizer

    heard = ["this topic", "this", "this stuff"]
    monkeypatch.setattr(OpenRecognizer, "finish", lambda self: set_hearing(heard))
    stop = in_room(human.read_clip(human.command_clips("held-out", SPEECH)["stop"][0]), human.QUIET,
                   np.random.default_rng(2))
    for listening in (context.session(frozenset()), context.turn()):
        assert intents_heard(bench, stop, listening) == [], listening.name
    heard[1] = "stop"
    assert intents_heard(bench, stop, context.turn()) == ["stop"]


@needs_english
@needs_people
def test_a_word_the_grammar_was_unsure_of_stands_only_if_the_open_recognizers_first_guesses_say_it(bench, monkeypatch):
    """A person's recorded "seven" is "slower" in a session's grammar at about 0.13, and openly "sir",
    "sarah", then "so": near enough for a command the grammar was sure of, not for a doubtful one
    (crosscheck.py). That was before the grammar heard utterances louder (listen/gain.py: then it
    hears nothing), so it is heard so here."""
    from voice.listen import crosscheck

    monkeypatch.setattr(bench, "locale", replace(bench.locale, gain_db=0.0))
    seven = in_room(human.read_clip(SPEECH / "en-commands" / "_unknown_" / "seven_563aa4e6_nohash_1.flac"),
                    human.QUIET, np.random.default_rng(2))
    assert intents_heard(bench, seven, context.session(frozenset())) == []
    monkeypatch.setattr(crosscheck, "DOUBTFUL_CONFIDENCE", 0.0)  # as sure as any: it would stand
    assert intents_heard(bench, seven, context.session(frozenset())) == ["slower"]


@pytest.mark.slow  # 10 s: three fresh recognizers and a model of its own
@needs_english
@needs_people
def test_what_a_grammar_hears_does_not_depend_on_the_open_recognizers_thread():
    """Kaldi dithers features with the process's rand() unless the model's mfcc.conf says not to: a
    clip then scored differently in each decode, and with the open recognizer drawing on its own
    thread, differently by timing. The model loads without dither, so three fresh recognizers give
    the same scores while the open one decodes alongside."""
    import vosk

    from voice.audio.frames import split_frames
    from voice.listen.recognizer import N_BEST, OpenRecognizer, load_model

    model = load_model(default_model("en"), "en")
    clip = in_room(human.read_clip(SPEECH / "en-commands" / "no" / "0ea0e2f4_nohash_0.flac"), human.QUIET,
                   np.random.default_rng(4))
    talk = np.concatenate([clip] * 20)
    alongside = OpenRecognizer(model)
    scores = []
    for _ in range(3):
        alongside.reset()
        for frame in split_frames(talk):
            alongside.accept(frame)  # queued: decoded on its thread while the grammar hears the clip
        grammar = vosk.KaldiRecognizer(model, RATE, json.dumps(["next", "stop", "done", "[unk]"]))
        grammar.SetMaxAlternatives(N_BEST)
        grammar.AcceptWaveform(clip.tobytes())
        scores.append([alt["confidence"] for alt in json.loads(grammar.FinalResult())["alternatives"]])
        alongside.finish()
    assert scores[0] == scores[1] == scores[2]


@needs_english
def test_the_model_loads_as_published_where_no_folder_without_dither_can_be_made(tmp_path, monkeypatch, caplog):
    from voice.listen.recognizer import load_model

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path / "gone"))  # no temporary folder can be made
    model = load_model(default_model("en"), "en")
    assert model.vosk_model_find_word("stop") >= 0
    assert "dither on" in caplog.text


class BrokenDecoder:
    """A Vosk recognizer that fails on every frame, as a decoder can (vosk raises a bare Exception)."""

    def Reset(self):
        pass

    def AcceptWaveform(self, data):
        raise Exception("Failed to process waveform")

    def FinalResult(self):
        return '{"text": ""}'


@needs_english
def test_a_failure_on_the_open_recognizers_thread_is_raised_when_its_verdict_is_asked_and_it_starts_afresh():
    from voice.errors import ModelError
    from voice.listen.recognizer import OpenRecognizer, load_model

    recognizer = OpenRecognizer(load_model(default_model("en"), "en"))
    recognizer._recognizer = BrokenDecoder()
    recognizer.reset()
    recognizer.accept(np.zeros(320, dtype=np.int16))
    with pytest.raises(ModelError, match="open-vocabulary recognizer failed on an utterance .Failed to process"):
        recognizer.finish()
    recognizer.reset()
    recognizer.accept(np.zeros(320, dtype=np.int16))
    assert recognizer.finish().texts == [""]  # a fresh decoder hears the next utterance


@needs_english
@needs_people
def test_stop_is_heard_when_the_open_recognizer_fails(bench, monkeypatch, caplog):
    """The second opinion failing (its decoder raised on its thread) leaves a person's "stop" on the
    grammar's word, as before there was one; the failure is logged, and nothing is raised."""
    from voice.listen import recognizer

    monkeypatch.setattr(recognizer.OpenRecognizer, "_fresh", lambda self: BrokenDecoder())
    bench.recognizer._open = None  # made afresh, broken
    stop = in_room(human.read_clip(human.command_clips("held-out", SPEECH)["stop"][0]), human.QUIET,
                   np.random.default_rng(2))
    try:
        assert intents_heard(bench, stop, context.session(frozenset())) == ["stop"]
    finally:
        bench.recognizer._open = None  # the next test's is made afresh, whole
    assert "open-vocabulary recognizer failed" in caplog.text and "'stop' stands on the grammar alone" in caplog.text


def broken_first(monkeypatch, *broken: bool) -> None:
    """The grammar recognizers compiled next: a BrokenDecoder where `broken` says so, then real ones."""
    from voice.listen.recognizer import GrammarRecognizer

    compile_ = GrammarRecognizer._compile
    plan = iter(broken)
    monkeypatch.setattr(GrammarRecognizer, "_compile",
                        lambda self, grammar: BrokenDecoder() if next(plan, False) else compile_(self, grammar))


@needs_english
@needs_people
def test_stop_is_heard_after_the_grammar_recognizer_fails(bench, monkeypatch, caplog):
    """Vosk's grammar decoder failing on an utterance loses that utterance alone: nothing is raised
    (it ended the live loop), and the next "stop" is heard by a freshly compiled recognizer."""
    rng = np.random.default_rng(2)
    stop = human.read_clip(human.command_clips("held-out", SPEECH)["stop"][0])
    broken_first(monkeypatch, True)
    bench.recognizer.forget()
    try:
        twice = np.concatenate([in_room(stop, human.QUIET, rng), in_room(stop, human.QUIET, rng)])
        assert intents_heard(bench, twice, context.session(frozenset())) == ["stop"]
    finally:
        bench.recognizer.forget()  # the next test's are compiled whole
    assert "the speech recognizer failed on an utterance (Failed to process waveform)" in caplog.text


@needs_english
def test_a_safety_request_stands_when_its_second_look_fails(bench, monkeypatch, caplog):
    """In a partner's turn a safety request is decoded again with every command listened for; that
    decoder failing leaves the request as first heard: the safety response must work whatever fails."""
    said = in_room(speak("I need help", "espeak:en-us"), ROOM_TONES[0], np.random.default_rng(4))
    broken_first(monkeypatch, False, True)  # the turn's grammar, then the second look's
    bench.recognizer.forget()
    try:
        assert intents_heard(bench, said, context.turn()) == ["safety"]
    finally:
        bench.recognizer.forget()
    assert "the safety request stands on its first hearing" in caplog.text


@needs_english
def test_english_safety_phrases_are_heard_and_help_is_usage_help(bench):
    rng = np.random.default_rng(3)
    quiet = ROOM_TONES[0]
    for voice in ("espeak:en-us", "flite:slt"):
        for phrase in ("I don't feel safe", "we need help", "emergency"):
            assert intents_heard(bench, in_room(speak(phrase, voice), quiet, rng), bench.context_of["safety"]) == [
                "safety"], (voice, phrase)
        heard = intents_heard(bench, in_room(speak("help", voice), quiet, rng), bench.context_of["help"])
        assert heard == ["help"], (voice, heard)


@needs_english
def test_i_missed_you_over_the_speaker_is_no_safety_request(bench):
    """In a partner's turn and over the speaker's voice (a few commands listened for) "I missed you"
    was "I need help" at confidence 1.0 (espeak en-us+f4); the second look turns it away there and
    keeps the request itself."""
    rng = np.random.default_rng(4)
    for listening in (context.turn(), context.over_speech()):
        said = in_room(speak("I missed you", "espeak:en-us+f4"), ROOM_TONES[0], rng)
        assert "safety" not in intents_heard(bench, said, listening), listening.name
        for phrase in ("I need help", "we don't feel safe"):
            said = in_room(speak(phrase, "espeak:en-us+f4"), ROOM_TONES[0], rng)
            assert intents_heard(bench, said, listening) == ["safety"], (listening.name, phrase)


@pytest.mark.slow
@needs_english
@pytest.mark.parametrize("code", ["en", "ko"])
def test_the_start_phrases_are_heard_in_room_tone_from_minus_65_to_minus_45(code):
    from voice.bench.listening import Bench
    from voice.config import Settings

    bench = Bench(Settings(locale=code))
    rng = np.random.default_rng(4)
    phrase = min(expand(bench.locale.intents["start_checkin"][0]), key=len)
    voices = VOICE_SETS[code]["held-out"][:2]
    results = {(voice, room.name): intents_heard(bench, in_room(speak(phrase, voice), room, rng),
                                                 bench.context_of["start_checkin"])
               for voice in voices for room in ROOM_TONES}
    right = sum(intents == ["start_checkin"] for intents in results.values())
    print(f"{code} '{phrase}': {right} of {len(results)} in room tone")
    assert right >= len(results) - (1 if code == "en" else 3), results  # Korean espeak-ng: a floor (issue 17)
    assert not any(set(intents) - {"start_checkin"} for intents in results.values()), results


@needs_english
@pytest.mark.parametrize("pause_ms", [pytest.param(150, marks=pytest.mark.slow), 250,
                                      pytest.param(350, marks=pytest.mark.slow),
                                      pytest.param(500, marks=pytest.mark.slow)])
def test_a_pause_inside_a_sentence_does_not_make_its_start_a_safety_request(bench, pause_ms):
    """"I need help ... with the dishes": before the request waited for the quiet after it, a pause
    of 150-200 ms gave the crisis message for every tuning voice; while it waited 0.3 s, one of
    500 ms did (issue 17's note)."""
    rng = np.random.default_rng(8)
    for voice in ("espeak:en-us", "piper:en_US-joe-medium"):
        said = np.concatenate([speak("I need help", voice), np.zeros(RATE * pause_ms // 1000, np.int16),
                               speak("with the dishes", voice)])
        audio = in_room(said, ROOM_TONES[0], rng)
        for listening in (context.idle(bench.intents), context.turn(), context.over_speech()):
            assert "safety" not in intents_heard(bench, audio, listening), (voice, pause_ms, listening.name)
        alone = in_room(speak("I need help", voice), ROOM_TONES[0], rng)
        assert intents_heard(bench, alone, context.turn()) == ["safety"], voice


@pytest.mark.slow  # 3 s: real recognizers over several clips
@needs_english
def test_a_safety_request_right_after_other_words_is_heard(bench, second_looks):
    """A request that begins right after other words gets a second look (listener.PAUSE_BEFORE_START),
    which keeps a real one: "thanks", 0.3 s, then "I need help", in a quiet room and at 6 dB SNR."""
    from voice.bench.rooms import AT_6DB, ROOM_TONE

    said = np.concatenate([speak("thanks", "espeak:en-us"), np.zeros(int(0.3 * RATE), np.int16),
                           speak("I need help", "espeak:en-us")])
    for room in (ROOM_TONE[0], AT_6DB):
        for listening in (context.idle(bench.intents), context.session(frozenset())):
            second_looks.clear()
            heard = intents_heard(bench, in_room(said, room, np.random.default_rng(3)), listening)
            assert heard == ["safety"], (room.name, listening.name, heard)
            assert len(second_looks) == 1, (room.name, listening.name, second_looks)


@needs_english
def test_a_held_safety_request_is_handed_back_when_listening_stops(bench):
    """The speaker's own voice starting gates listening (listener.reset): a request already heard and
    waiting for the quiet after it is handed back to be answered, not dropped."""
    from voice.audio.frames import split_frames
    from voice.listen.endpoint import END_FRAMES
    from voice.listen.hold import HOLD_FRAMES
    from voice.listen.listener import Listener
    from voice.listen.safety_hearing import SafetyHearing

    rng = np.random.default_rng(10)
    frames = split_frames(in_room(speak("I don't feel safe", "espeak:en-us"), ROOM_TONES[0], rng))
    safety = SafetyHearing(second_look_phrases=bench.locale.second_look)
    listener = Listener(bench.matcher, bench.recognizer, safety=safety)
    listener.follow(lambda: context.turn())
    given: list = []
    spoke = False
    for frame in frames:  # up to a few frames into the hold: the utterance has ended, the quiet not lasted
        given.append(listener.feed(frame))
        spoke = spoke or listener.quiet_frames == 0
        if spoke and listener.quiet_frames == END_FRAMES + HOLD_FRAMES // 2:
            break
    assert not any(m is not None and m.intent == "safety" for m in given)
    held = listener.reset()
    assert held is not None and held.intent == "safety", given
    assert listener.reset() is None


# Safety responses allowed in 100 utterances: none in English. In Korean, espeak-ng's voice and a
# model without [unk] leave a floor that this test holds, not a target: a false start (사랑해 ->
# 체크인 하자) begins a session, and the talk that follows is heard over the speaker's voice, where only
# stop, pause and safety are listened for. The second look (listener.py) took the held-out voice from
# 3 to 1 (조심해 is still 지금 위험해 with every Korean command listened for) and left the tuning voice at
# 1; safety judged on the whole utterance and held for the quiet after it took both to 0 (issue 17's
# note); the same file gives the same events on every run. One is allowed for another machine's libm.
ALLOWED_SAFETY = {"en": 0, "ko": 1}


@pytest.mark.slow
@needs_english
@pytest.mark.parametrize("code", ["en", "ko"])
def test_everyday_utterances_through_the_file_driver_never_give_safety(isolated, tmp_path, code):
    """Every short everyday utterance of the locale ("I love you", "help me with the dishes", 사랑해,
    고마워, 밥 먹자 ...), one after another in a quiet room, read by the file driver while idle, in a
    tuning voice and a held-out one."""
    rng = np.random.default_rng(6)
    for part in ("tuning", "held-out"):
        voice = VOICE_SETS[code][part][0]
        said = [in_room(speak(text, voice), ROOM_TONES[0], rng) for text in talk(code)["short"]]
        write_wav(tmp_path / "in.wav", np.concatenate(said))
        result = run_voice("run", "--locale", code, "--input", str(tmp_path / "in.wav"), "--output",
                           str(tmp_path / "out.wav"), "--events", str(tmp_path / f"{part}.jsonl"), timeout=900)
        assert result.returncode == 0, result.stderr
        log = [json.loads(line) for line in (tmp_path / f"{part}.jsonl").read_text().splitlines()]
        intents = [e["name"] for e in log if e["type"] == "intent"]
        print(f"{code} {voice}: {len(said)} utterances ({sum(map(len, said)) / RATE:.0f} s) gave {intents}")
        assert intents.count("safety") <= ALLOWED_SAFETY[code], intents


@pytest.mark.slow
@needs_english
def test_english_start_through_live_sounddevice_on_alsa_devices(isolated, alsa_devices, tmp_path):
    rng = np.random.default_rng(7)
    said = in_room(speak("start a short check in", "espeak:en-us"), ROOM_TONES[0], rng)
    mic_says(alsa_devices["mic"], said)
    env = {"HOME": alsa_devices["HOME"], "VOICE_TTS_ENGINE": "pyttsx3"}
    # As set-up does: the lines rendered first, since the file-plugin devices run faster than real time.
    assert run_voice("prepare", env=env, timeout=600).returncode == 0
    result = run_voice("run", "--input-device", "testmic", "--output-device", "testspk", "--max-seconds", "12",
                       "--events", str(tmp_path / "e.jsonl"), env=env)
    assert result.returncode == 0, result.stderr
    log = [json.loads(line) for line in (tmp_path / "e.jsonl").read_text().splitlines()]
    assert [e["name"] for e in log if e["type"] == "intent"][:1] == ["start_short_checkin"]
    assert any(e["type"] == "script_started" and e["script"] == "checkin-short" for e in log)
    played = np.frombuffer(alsa_devices["speaker"].read_bytes(), "<i2")
    assert np.count_nonzero(played) / RATE > 3.0  # seconds of the first line reached the playback device


@pytest.mark.slow  # 120 commands through real Vosk
@needs_english
def test_commands_in_digital_silence_are_heard_as_well_as_in_a_quiet_room(bench):
    """A noise-gated microphone, or a WAV of silence through `voice run --input`, gives exact zeros
    around the words. Kaldi's models were trained with its dither, which we turned off for determinism
    (recognizer.undithered); the listener's own (voice/listen/dither.py) stands in for it. Without it,
    this voice's commands were 39 of 60 right in digital silence and 56 in the quiet room; with it,
    56 in both."""
    voice = VOICE_SETS["en"]["tuning"][0]
    phrases = [(min(expand(template), key=len), intent) for intent, templates in bench.matcher.templates.items()
               for template in templates]
    rng = np.random.default_rng(7)
    right = {}
    for room in (Condition("digital silence", None), ROOM_TONES[0]):
        heard = []
        for phrase, intent in phrases:
            speech = speak(phrase, voice)
            match = bench.first_heard(in_room(speech, room, rng), speech, bench.context_of[intent]).match
            heard.append(match is not None and match.intent == intent)
        right[room.name] = sum(heard)
    assert right["digital silence"] >= right[ROOM_TONES[0].name] - 2, right


@needs_english
def test_a_step_command_the_open_recognizer_heard_as_nothing_is_confirmed_heard_as_loud_as_the_grammar_did(
        bench, monkeypatch):
    """espeak-ng's quiet "done" (voice f2, in a quiet room) is "done" in the session's grammar, which
    hears it 10 dB louder, and nothing to the open recognizer at the microphone's level: heard openly
    again as loud as the grammar heard it, it is "done" (OpenCheck._confirmed_louder)."""
    from voice.listen.open_check import OpenCheck

    said = in_room(speak("done", "espeak:en-us+f2"), human.QUIET, np.random.default_rng(0))
    assert intents_heard(bench, said, context.session(frozenset())) == ["done"]
    monkeypatch.setattr(OpenCheck, "_confirmed_louder", lambda self, *args: False)
    assert intents_heard(bench, said, context.session(frozenset())) == []


@needs_english
def test_a_short_word_said_quietly_is_heard_once_made_louder(bench, monkeypatch):
    """espeak-ng's "done" at the bench's talker level is silence to the session's grammar; with the
    locale's gain before Vosk (listen/gain.py) it is "done"."""
    done = speak("done", "espeak:en-us")
    in_a_quiet_room = in_room(done, human.QUIET, np.random.default_rng(3))
    assert bench.locale.gain_db > 0
    assert intents_heard(bench, in_a_quiet_room, context.session(frozenset())) == ["done"]
    monkeypatch.setattr(bench, "locale", replace(bench.locale, gain_db=0.0))
    assert intents_heard(bench, in_a_quiet_room, context.session(frozenset())) == []


@needs_english
@pytest.mark.parametrize("rate", [120, pytest.param(110, marks=pytest.mark.slow)])
def test_a_start_phrase_said_slowly_is_heard(bench, rate):
    """A tired partner may speak slower than the benchmarks' voices: espeak-ng's "start stress talk" at
    110 words a minute takes 1.66 s, more than the 1.4 s its three vowel groups allow; its thirteen
    sounds allow 1.8 s (listen/saying.py)."""
    said = speak("start stress talk", "espeak:en-us", rate)
    heard = bench.first_heard(in_room(said, human.QUIET, np.random.default_rng(1)), said, context.idle(bench.intents))
    assert heard.match is not None and heard.match.intent == "stress_talk", heard.match


@needs_english
@needs_people
@pytest.mark.slow  # 10 s
def test_in_a_noisy_room_talk_the_grammar_hears_as_a_stop_phrase_is_asked_about(bench):
    """At 6 dB SNR a tuning person's "A cold dip restores health and zest" was "end the session" in a
    session, a stop at 0.2-0.8, in 18 of 40 noise draws; the open recognizer turns most away. The
    voices' own "end the session" comes at 1.0 there, and stands on the grammar."""
    talk = human.read_clip(SPEECH / "en-talk" / "commonvoice_rit682" / "cv88f05951_17828252.flac")
    said = speak("end the session", "espeak:en-us")
    session = context.session(frozenset())
    stops = [intents_heard(bench, in_room(talk, human.NOISY, np.random.default_rng(1000 + draw)), session)
             for draw in range(12)]
    assert sum("stop" in intents for intents in stops) <= 1, stops
    for draw in range(3):
        assert intents_heard(bench, in_room(said, human.NOISY, np.random.default_rng(draw)), session) == ["stop"]


@needs_english
@needs_people
@pytest.mark.slow  # 5 s
def test_in_a_noisy_room_talk_heard_unsure_as_a_stop_needs_the_best_two(monkeypatch):
    """The same talk in a partner's turn, in `voice bench human`'s 2nd noise draw: "end the session"
    at 0.79, and openly "and says", "and he says", "and the says". The third alternative was
    near enough to the phrase to stop the couple's turn; an unsure stop in noise now needs the
    open recognizer's best two."""
    from voice.bench.listening import Bench
    from voice.config import Settings
    from voice.listen import crosscheck

    talk = human.read_clip(SPEECH / "en-talk" / "commonvoice_rit682" / "cv88f05951_17828252.flac")
    noise = np.random.Generator(np.random.PCG64())
    noise.bit_generator.state = {  # the bench's generator as it stood before this clip
        "bit_generator": "PCG64", "has_uint32": 0, "uinteger": 0,
        "state": {"state": 204311967570836532846090208692803388808,
                  "inc": 47722916566197362761701757469086709125}}
    audio = in_room(talk, human.NOISY, noise)
    # Fresh recognizers: what a recognizer heard before changes how it hears (i-vectors).
    assert intents_heard(Bench(Settings(locale="en")), audio, context.turn()) == []
    monkeypatch.setattr(crosscheck, "NOISY_STOP_CONFIDENCE", 0.0)  # the best three, as before
    assert intents_heard(Bench(Settings(locale="en")), audio, context.turn()) == ["stop"]


@pytest.mark.slow  # 2.5 s: real recognizers over several clips
def test_in_a_noisy_room_a_request_heard_unsure_stands_if_the_second_look_hears_it():
    """At 6 dB SNR 7 / 14 / 5 / 5 of the tuning voices' 100 requests (idle / a session / a turn /
    over the speaker's voice, 4 noise draws) came at 0.33-0.73, under 0.75: espeak-ng's "I need
    help" here was 0.57, and a partner asking for help was not answered. In a noisy room a request
    need only reach `noisy_safety_confidence` (0.3), and the second look, which every request heard
    there at under 0.9 gets, decides."""
    from voice.bench.listening import Bench
    from voice.bench.rooms import AT_6DB
    from voice.config import Settings

    noise = np.random.Generator(np.random.PCG64())
    noise.bit_generator.state = {  # the 4th of its noise draws (/tmp/s34/find_case.py, rng 91)
        "bit_generator": "PCG64", "has_uint32": 0, "uinteger": 0,
        "state": {"state": 203506296008723655638160537010886365891,
                  "inc": 301325031617297768984019258933901347115}}
    audio = in_room(speak("I need help", "espeak:en-us"), AT_6DB, noise)
    bench = Bench(Settings(locale="en"))  # fresh: what a recognizer heard changes its hearing
    assert bench.locale.noisy_safety_confidence == 0.3
    heard = [h.match for h in bench.listen(audio, context.session(frozenset()))]
    assert [(m.intent, m.confidence) for m in heard] == [("safety", 0.57)]
    as_before = Bench(Settings(locale="en"))
    as_before.locale = replace(as_before.locale, noisy_safety_confidence=0.75)
    heard = [h.match for h in as_before.listen(audio, context.session(frozenset()))]
    assert [m.reason for m in heard] == ["unsure: safety at confidence 0.57"]


@needs_english
def test_in_a_quiet_room_talk_heard_as_a_request_is_turned_away_by_the_second_look():
    """In a quiet room, in idle, flite's (slt) "I need a hug" was "I need help" at 1.0: the crisis
    message. In English every safety request heard in a quiet room gets the second look
    (`second_look_in_quiet`), which hears it among the everyday words (hug among them); the request
    itself still stands."""
    from voice.bench.listening import Bench
    from voice.bench.rooms import ROOM_TONE
    from voice.config import Settings

    bench = Bench(Settings(locale="en"))
    assert bench.locale.second_look_in_quiet
    talk_ = in_room(speak("I need a hug", "flite:slt"), ROOM_TONE[0], np.random.default_rng(0))
    request = in_room(speak("I need help", "flite:slt"), ROOM_TONE[0], np.random.default_rng(0))
    idle = context.idle(bench.intents)
    heard = [h.match for h in bench.listen(talk_, idle)]
    assert [(m.intent, m.reason) for m in heard] == [
        (None, "safety not heard with every command listened for")]
    assert intents_heard(bench, request, idle) == ["safety"]
    # as before (the open recognizer, which the locale asks in a quiet room too, hears "hug")
    bench.locale = replace(bench.locale, second_look_in_quiet=False,
                           safety_heard_openly_in_quiet=False)
    assert intents_heard(bench, talk_, idle) == ["safety"]


@needs_english
def test_the_everyday_words_are_every_word_of_the_tuning_talk_the_model_knows(bench):
    """The second look hears a request among the commands and the everyday words: the words of the
    tuning half of the talk corpus. One left out is talk the second look cannot hear as itself
    ("please" was, and the held-out "I need a hug please" stood as "I need help")."""
    import re

    from voice.listen.intents import IntentMatcher

    tuning = talk("en", "tuning")
    words = {word for texts in tuning.values() for text in texts
             for word in re.findall(r"[a-z']+", text.lower())}
    known = words - set(bench.recognizer.unknown(words))
    commands = {word for phrase in IntentMatcher(bench.locale.intents).grammar()
                for word in phrase.split()}
    assert known - commands <= set(bench.locale.everyday_words)


@pytest.mark.slow  # 17 s
@needs_english
def test_talk_heard_as_a_request_and_one_more_word_is_turned_away_by_the_second_look(bench,
                                                                                    monkeypatch):
    """At 6 dB SNR, in a partner's turn, espeak-ng's "I need to help him" was "I need help" and, in
    the second look, "i need help did": "did" was short enough to pass for a stray word, and the
    crisis message began. An everyday word is listened for as talk, never as a stray word; the same
    voice's "I need help" in the same noise still gives safety. (In the first draw the open
    recognizer heard "i need the hell did", other words after a request's opening, which turns it
    away too: OpenCheck.safety_verdict.)"""
    from voice import assemble
    from voice.bench import listening
    from voice.bench.rooms import AT_6DB
    from voice.listen import open_check, safety_check

    def heard(text: str) -> list[list[str]]:
        said = speak(text, "espeak:en-us")
        return [intents_heard(bench, in_room(said, AT_6DB, np.random.default_rng(draw)),
                              context.turn()) for draw in (22, 23, 25)]

    assert heard("I need to help him") == [[], [], []]
    assert heard("I need help") == [["safety"]] * 3

    def as_before(*args, **kwargs):
        listener = assemble.listener_for(*args, **kwargs)
        # any short word may be a stray one
        listener._safety.hearing = replace(listener._safety.hearing, everyday_words=frozenset())
        return listener

    monkeypatch.setattr(listening, "listener_for", as_before)
    monkeypatch.setattr(open_check, "_begins_otherwise", lambda words, phrase: False)
    # and a later rule: in two of these draws its words took part of the utterance, openly no request
    monkeypatch.setattr(safety_check, "HEARD_OPENLY_SHARE", 0.0)
    assert heard("I need to help him") == [["safety"]] * 3


@needs_english
def test_in_a_quiet_room_a_request_the_open_recognizer_did_not_hear_is_turned_away(bench):
    """In a reverberant room with brown noise at -45 dBFS, in idle, espeak-ng's (en-us+m3) "I need
    a nap" was "I need help" to the grammar and its second look: the crisis message. The open
    recognizer heard "i need i know" (`safety_heard_openly_in_quiet`); the same voice's request in
    the same room still gives safety, and over the speaker's voice, where the open recognizer
    listens too. (Not Piper's "I don't feel sick", the case that set the rule: Piper's audio
    depends on what its process rendered before.)"""
    from voice.bench.rooms import ROOM_TONE

    reverberant = ROOM_TONE[2]
    said = in_room(speak("I need a nap", "espeak:en-us+m3"), reverberant,
                   np.random.default_rng(2))
    request = in_room(speak("I need help", "espeak:en-us+m3"), reverberant,
                      np.random.default_rng(2))
    idle = context.idle(bench.intents)
    assert [(h.match.intent, h.match.reason) for h in bench.listen(said, idle)] == [
        (None, "safety not heard openly: open vocabulary heard 'i need i know'")]
    assert intents_heard(bench, request, idle) == ["safety"]
    assert intents_heard(bench, request, context.over_speech()) == ["safety"]
    bench.locale = replace(bench.locale, safety_heard_openly_in_quiet=False)  # as before
    try:
        assert intents_heard(bench, said, idle) == ["safety"]
    finally:
        bench.locale = replace(bench.locale, safety_heard_openly_in_quiet=True)


@needs_english
def test_in_a_quiet_room_a_request_the_open_recognizer_heard_only_second_is_turned_away(
        bench, monkeypatch):
    """For a quiet talker (pink noise at -55 dBFS, speech 10 dB down), in idle, flite's (slt) "I
    don't feel sick" was "I don't feel safe" to the grammar and its second look, and openly "i
    don't feel sick", then "i don't feel safe": with a phrase anywhere in the open recognizer's
    best 4 alternatives, the crisis message. Now its best must hold one
    (QUIET_SAFETY_ALTERNATIVES); the same voice's "I need help" in the same room still gives
    safety."""
    from voice.bench.rooms import ROOM_TONE
    from voice.listen import open_check

    quiet_talker = ROOM_TONE[3]
    said = in_room(speak("I don't feel sick", "flite:slt"), quiet_talker, np.random.default_rng(1))
    request = in_room(speak("I need help", "flite:slt"), quiet_talker, np.random.default_rng(1))
    idle = context.idle(bench.intents)
    assert [(h.match.intent, h.match.reason) for h in bench.listen(said, idle)] == [
        (None, "safety not heard openly: open vocabulary heard 'i don't feel sick'")]
    assert intents_heard(bench, request, idle) == ["safety"]
    monkeypatch.setattr(open_check, "QUIET_SAFETY_ALTERNATIVES", 4)  # as before
    assert intents_heard(bench, said, idle) == ["safety"]


@needs_english
def test_in_a_quiet_room_a_request_not_heard_openly_is_heard_again_louder(bench, monkeypatch):
    """For a quiet talker (pink noise at -55 dBFS, speech 10 dB down), in idle, espeak-ng's
    (en-us+m3) "I need help" was "I need help" to the grammar and its second look, and openly
    "i need failed", then "i need help": turned away. Heard again as loud as the grammar heard it
    (`OpenCheck._heard_louder`), it is "i need help": the request stands."""
    from voice.bench.rooms import ROOM_TONE
    from voice.listen.open_check import OpenCheck

    quiet_talker = ROOM_TONE[3]
    said = in_room(speak("I need help", "espeak:en-us+m3"), quiet_talker,
                   np.random.default_rng([3000, 2, 1, 3, zlib.crc32(b"idle")]))
    idle = context.idle(bench.intents)
    assert intents_heard(bench, said, idle) == ["safety"]
    monkeypatch.setattr(OpenCheck, "_heard_louder", lambda self, said, frames: False)  # as before
    assert [(h.match.intent, h.match.reason) for h in bench.listen(said, idle)] == [
        (None, "safety not heard openly: open vocabulary heard 'i need failed'")]


@needs_english
def test_in_a_quiet_room_the_second_look_counts_its_best_two_alternatives(bench, monkeypatch):
    """Under a fan's hum at -50 dBFS, in a session, flite's (kal) "I need help" was heard by the
    second look as "i need i'll", then "i need help". There the open recognizer must hear the
    request word for word next, so the second look's best two count
    (second_look.HEARD_OPENLY_ALTERNATIVES): the request stands."""
    from voice.bench.rooms import ROOM_TONE
    from voice.listen import safety_check

    fan = ROOM_TONE[1]
    said = in_room(speak("I need help", "flite:kal"), fan,
                   np.random.default_rng([3000, 7, 1, 1, zlib.crc32(b"session")]))
    session = context.session(frozenset())
    assert intents_heard(bench, said, session) == ["safety"]
    monkeypatch.setattr(safety_check, "HEARD_OPENLY_ALTERNATIVES", 1)  # as before
    assert [(h.match.intent, h.match.reason) for h in bench.listen(said, session)] == [
        (None, "safety not heard with every command listened for")]


@needs_english
def test_over_the_speakers_voice_a_request_the_open_recognizer_did_not_hear_is_turned_away(bench):
    """Over the speaker's voice (its command set: safety, stop, pause), for a quiet talker (pink
    noise at -55 dBFS, speech 10 dB down), flite's (slt) "I need a hat" was "I need help" to the
    grammar and its second look. The open recognizer, which did not listen there, heard "i need
    her", then "i need help": its best holds no request, as the quiet room's rule asks, so it is
    no request now. The same voice's "I need help" in the same room still gives safety; without
    the open recognizer's word in a quiet room, as before, the hat gave safety."""
    from voice.bench.rooms import ROOM_TONE

    quiet_talker = ROOM_TONE[3]
    said = in_room(speak("I need a hat", "flite:slt"), quiet_talker, np.random.default_rng(1))
    request = in_room(speak("I need help", "flite:slt"), quiet_talker, np.random.default_rng(1))
    speaking = context.over_speech()
    assert [(h.match.intent, h.match.reason) for h in bench.listen(said, speaking)] == [
        (None, "safety not heard openly: open vocabulary heard 'i need her'")]
    assert intents_heard(bench, request, speaking) == ["safety"]
    bench.locale = replace(bench.locale, safety_heard_openly_in_quiet=False)
    try:
        assert intents_heard(bench, said, speaking) == ["safety"]
    finally:
        bench.locale = replace(bench.locale, safety_heard_openly_in_quiet=True)


@needs_english
def test_over_the_speakers_voice_what_is_left_of_it_after_a_request_does_not_drop_it(bench):
    """Through the echo canceller, what was left of the speaker's own voice started an utterance
    23-29 dB below a request's loudest frame while it was held, and dropped it as "speech went on"
    (3 of 400 requests said over its voice, in the closest room). Here a line of its own, its
    loudest frame 24 dB below the request's, stands in for that residue: the request stands. A
    partner going on at their own level after 250 ms still makes it the start of a sentence."""
    from voice.audio.frames import rms_dbfs, split_frames
    from voice.bench.rooms import ROOM_TONE

    def loudest_db(audio: np.ndarray) -> float:
        return max(rms_dbfs(frame) for frame in split_frames(audio))

    request = speak("I need help", "flite:slt").astype(np.float64)
    residue = speak("Take a slow breath in, and let it out.", "espeak:en-us").astype(np.float64)
    residue *= 10 ** ((loudest_db(request) - loudest_db(residue) - 24) / 20)
    going_on = speak("with the dishes", "flite:slt").astype(np.float64)
    pause = np.zeros(RATE // 4)
    over_residue = np.concatenate([request, pause[: RATE // 10], residue]).astype(np.int16)
    with_words = np.concatenate([request, pause, going_on]).astype(np.int16)
    room = ROOM_TONE[0]
    speaking = context.over_speech()
    heard = intents_heard(bench, in_room(over_residue, room, np.random.default_rng(2)), speaking)
    assert heard == ["safety"]
    assert intents_heard(bench, in_room(with_words, room, np.random.default_rng(2)), speaking) == []


@needs_english
@pytest.mark.parametrize("sentence, asking, draw, heard_openly", [
    ("I need a haircut", "I need help", 5,
     "safety heard openly as other words: 'i need a haircut'"),
    ("an emergency plan", "emergency", 10,
     "safety heard openly with words after it: 'an emergency room'"),
    ("I need a helmet", "I need help", 1,
     "safety not heard openly: open vocabulary heard 'i mean'"),
])
def test_in_a_noisy_room_talk_the_open_recognizer_heard_otherwise_is_no_request(
        bench, monkeypatch, sentence, asking, draw, heard_openly):
    """At 6 dB SNR, in idle, flite's (slt) "I need a haircut" and "I need a helmet" were "I need
    help" to the grammar, and its "an emergency plan" was "emergency": the crisis message. The
    open recognizer heard "i need a haircut" first, the opening of a request and then other words;
    "an emergency room", a request's words and then more; and "i mean" for the helmet, whose
    words took only part of the utterance's speech (safety_check.HEARD_OPENLY_SHARE), so it must
    be heard openly (`OpenCheck.safety_verdict`). The same voice's request in the same noise
    still gives safety. With those rules off, as before, the talk gave safety."""
    from voice.bench.rooms import AT_6DB
    from voice.listen import open_check, safety_check

    idle = context.idle(bench.intents)
    said = in_room(speak(sentence, "flite:slt"), AT_6DB, np.random.default_rng(draw))
    asked = in_room(speak(asking, "flite:slt"), AT_6DB, np.random.default_rng(draw))
    assert [(h.match.intent, h.match.reason) for h in bench.listen(said, idle)] == [
        (None, heard_openly)]
    assert intents_heard(bench, asked, idle) == ["safety"]
    monkeypatch.setattr(open_check, "_begins_otherwise", lambda words, phrase: False)  # as before
    monkeypatch.setattr(open_check, "_goes_on_past", lambda words, phrases: False)
    monkeypatch.setattr(safety_check, "HEARD_OPENLY_SHARE", 0.0)
    assert intents_heard(bench, said, idle) == ["safety"]


@pytest.mark.slow  # 18 s: the engine, its echo canceller and four rooms
@needs_english
def test_through_the_echo_canceller_talk_the_open_recognizer_did_not_hear_as_a_request_is_none(
        isolated, tmp_path):
    """Said over the speaker's voice (espeak-ng's lines, through pyttsx3: Piper's audio depends on
    what its process rendered before) in the barge-in benchmark's four rooms, at 0 and 6 dB under
    its echo, flite's (slt) "I need a hat" was "I need help" to the grammar and its second look 4
    times of 8: the crisis message. The open recognizer now listens there too and heard "i need
    her" first, so none is a request; the same voice's "I need help" is heard every time."""
    from voice.bench import speaking
    from voice.config import Settings

    said = [speak("I need a hat", "flite:slt"), speak("I need help", "flite:slt")]
    settings = Settings(locale="en", tts_engine="pyttsx3", cache_dir=tmp_path / "cache")
    trials = speaking.said_over_speech(settings, said)
    hat = [trial for trial in trials if trial["utterance"] == 0]
    assert [trial["heard"] for trial in hat] == [[]] * 8, hat
    # The open recognizer's word is the last on a safety request: each it turned away was one
    # before.
    turned_away = [trial for trial in hat if "not heard openly" in (trial["rejected"] or "")]
    assert turned_away, [trial["rejected"] for trial in hat]
    request = [trial["heard"] for trial in trials if trial["utterance"] == 1]
    assert request == [["safety"]] * 8, request


@needs_english
def test_in_a_noisy_room_talk_the_grammar_heard_as_a_start_it_was_unsure_of_starts_nothing(
        bench, monkeypatch):
    """At 6 dB SNR, in idle, flite's (slt) "just a second" was "let's check in" to the grammar at
    0.35: a check-in started over the couple's talk. The open recognizer heard "that's the second"
    (open_check.DOUBTED_START_CONFIDENCE). With a doubted start not asked about, as before, the
    talk started the check-in."""
    from voice.bench.rooms import AT_6DB
    from voice.listen import open_check

    idle = context.idle(bench.intents)
    noise = np.random.default_rng([1100, 194, zlib.crc32(b"idle")])
    said = in_room(speak("just a second", "flite:slt"), AT_6DB, noise)
    assert intents_heard(bench, said, idle) == []
    monkeypatch.setattr(open_check, "_doubted_start_in_noise", lambda match, noisy: False)
    assert intents_heard(bench, said, idle) == ["start_checkin"]


@needs_english
def test_in_a_noisy_room_a_start_the_grammar_was_unsure_of_stands_where_heard_openly_near_it(
        bench, monkeypatch):
    """At 6 dB SNR espeak-ng's "begin check in" was itself to the grammar at 0.48, and "they didn't
    check in" to the open recognizer: near enough for a step's command, which a start asked about
    for the grammar's doubt alone is judged as. By a stricter standard (that of a start heard
    with a word more) the couple's start phrase would have been lost."""
    from voice.bench.rooms import AT_6DB
    from voice.bench.voices import BASE_RATE
    from voice.listen import open_check

    idle = context.idle(bench.intents)
    noise = np.random.default_rng([0, zlib.crc32(b"idle")])
    said = in_room(speak("begin check in", "espeak:en-us", BASE_RATE), AT_6DB, noise)
    assert intents_heard(bench, said, idle) == ["start_checkin"]
    monkeypatch.setattr(open_check, "_doubted_start_alone", lambda match, noisy: False)
    assert intents_heard(bench, said, idle) == []


@needs_english
def test_in_a_noisy_room_a_doubted_start_stands_where_the_grammar_outscored_the_open_hearing(
        bench, monkeypatch):
    """At 6 dB SNR flite's (slt) "we need to repair" was itself to the grammar at 0.34, and "here",
    "hair" to the open recognizer: far from it, but the grammar's hearing scored 10.0 above the open
    recognizer's best, more than OUTSCORED_BY, as a step's command stands in a quiet room
    (OpenCheck.verdict). Judged by the open recognizer's words alone, as before, it was lost."""
    from voice.bench.rooms import AT_6DB
    from voice.bench.voices import BASE_RATE
    from voice.listen.crosscheck import OUTSCORED_BY, CrossCheck

    idle = context.idle(bench.intents)
    noise = np.random.default_rng([1700, 4, 66])
    said = in_room(speak("we need to repair", "flite:slt", BASE_RATE), AT_6DB, noise)
    margins = margins_seen(monkeypatch)
    assert intents_heard(bench, said, idle) == ["repair"]
    assert len(margins) == 1 and margins[0] >= OUTSCORED_BY, margins
    monkeypatch.setattr(CrossCheck, "outscored", lambda *args, **kwargs: False)
    assert intents_heard(bench, said, idle) == []
