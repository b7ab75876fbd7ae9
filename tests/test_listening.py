"""Listening through real Vosk (the Korean model) on espeak-ng speech: step-scoped command sets, early
commit, the prefix guard, rejection of ordinary talk; the benchmarks."""

import json
import logging

import numpy as np
import pytest
from conftest import margin_by_its_own_floor, run_voice

from voice.audio.frames import split_frames
from voice.bench.rooms import AT_6DB, SLOWER_TALKER
from voice.bench.speech import room_noise, utterances
from voice.listen import context
from voice.listen.endpoint import END_FRAMES
from voice.listen.hold import HOLD_FRAMES

pytestmark = pytest.mark.slow

# Everyday Korean between partners, none of it a command; some share words with commands
# (다음 next, 계속 continue, 다 했어 done, 시간 time, 기록 record).
OOV = {
    "oov_dinner": "오늘 저녁에 뭐 먹을까",
    "oov_work": "회사에서 너무 힘들었어",
    "oov_next_week": "우리 다음 주에 여행 갈까",
    "oov_keep_on": "계속 그러면 안 돼",
    "oov_late": "시간이 벌써 이렇게 됐네",
    "oov_records": "기록은 나중에 보자",
    "oov_homework": "아이들 숙제 다 했어",
    "oov_slowly": "천천히 생각해 봐도 돼",
}


@pytest.fixture(scope="module")
def bench():
    from voice.bench.listening import Bench
    from voice.config import Settings

    return Bench(Settings(locale="ko"))


def hear(bench, text: str, listening, snr: float | None = None):
    """`text` spoken by espeak-ng (ko+f2, 150 wpm) after 1 s of silence or room noise at `snr` dB. The
    noise is the same draw for every test, whichever ran before it on the same worker."""
    said = utterances([text], "ko", voices=1, rates=(150,))[0]
    return bench.hear(said, room_noise(5, np.random.default_rng(7)), snr, listening)


def test_a_command_is_committed_before_the_endpoint(bench):
    # (잠깐 쉬자 is heard whole but now commits at the end: espeak-ng's 쉬 draws 지금 into its partial results;
    # 지금 위험해 waits for the quiet after it, below)
    heard = hear(bench, "오래 쉬자", bench.context_of["long_break"])
    assert heard.match.intent == "long_break" and heard.match.early, heard
    # Our endpointer alone would wait END_FRAMES (240 ms) of quiet; the stable partial answers sooner.
    assert heard.frame < END_FRAMES // 2, heard


def test_a_phrase_that_begins_only_longer_ways_to_say_it_answers_before_the_end_of_speech(bench):
    # "이전" (back) is complete, and "이전 거" starts with it but is back too: the answer need not wait
    # for the end of speech (it waited END_FRAMES once). Which phrases wait: tests/test_commit.py.
    heard = hear(bench, "이전", context.session(frozenset()))
    assert heard.match.intent == "back" and heard.match.early, heard
    assert heard.frame < END_FRAMES, heard


def test_a_safety_request_waits_for_the_quiet_after_it(bench):
    """Judged on the whole utterance, and given once the quiet has lasted HOLD_FRAMES more."""
    heard = hear(bench, "지금 위험해", bench.context_of["safety"])
    assert heard.match.intent == "safety" and not heard.match.early, heard
    assert HOLD_FRAMES <= heard.frame < END_FRAMES + HOLD_FRAMES + 10, heard


def test_a_pause_inside_a_sentence_does_not_make_its_start_a_safety_request(bench):
    """"지금 위험해 ... 보여" (it looks dangerous now; spoken Korean puts words after the verb too):
    with a 500 ms pause it was the crisis message while the hold was 0.3 s (`voice bench pauses
    --locale ko`: 7 of the tuning voices' 20 such sentences; issue 17's note)."""
    from voice.audio.frames import RATE
    from voice.bench.rooms import ROOM_TONE, in_room
    from voice.bench.voices import speak

    rng = np.random.default_rng(8)
    request = speak("지금 위험해", "espeak:ko+f2")
    said = np.concatenate([request, np.zeros(RATE // 2, np.int16), speak("보여", "espeak:ko+f2")])
    for listening in (context.idle(bench.intents), context.turn(), context.over_speech()):
        heard = bench.listen(in_room(said, ROOM_TONE[0], rng), listening)
        assert "safety" not in [h.match.intent for h in heard], listening.name
    alone = bench.listen(in_room(request, ROOM_TONE[0], rng), context.turn())
    assert [h.match.intent for h in alone if h.match.intent] == ["safety"]


def test_commands_are_heard_in_room_noise(bench):
    heard = hear(bench, "지금 위험해", bench.context_of["safety"], snr=20.0)
    assert heard.match.intent == "safety" and heard.frame < END_FRAMES + HOLD_FRAMES  # safety waits, above


def test_noise_suppression_hears_more_commands_and_mistakes_fewer_at_6_db(bench):
    """Every command phrase (ko+f2, 150 wpm) in room noise 6 dB below it, with and without suppression.
    Measured over four runs: right 25-33 of 40 with, 13-18 without; another command 1-3 with, 16-19
    without. With issue 19's Korean exercises in the grammar (46 phrases): right 29 with, 14 without;
    another command 6 with, 16 without. In the speaker's whole idle grammar with issue 17's phrases
    (56), over six noise draws (seeds 1-6): right 32-39 with, 19-25 without; another command 1-5
    with, 4-12 without. The noise is its own draw: from the module's shared generator it depended on
    which tests had run before on the same worker (5 against 9 wrong in one CI run)."""
    said = utterances([phrase for phrase, _ in bench.commands()], "ko", voices=1, rates=(150,))
    noise = room_noise(5, np.random.default_rng(1))
    tally = {}
    for denoise in (True, False):
        bench.denoise = denoise
        got = [(bench.hear(u, noise, 6.0, bench.context_of[intent]).match, intent)
               for u, (_, intent) in zip(said, bench.commands())]
        tally[denoise] = (sum(m is not None and m.intent == intent for m, intent in got),
                          sum(m is not None and m.intent not in (None, intent) for m, intent in got))
    bench.denoise = True
    (right, wrong), (right_without, wrong_without) = tally[True], tally[False]
    assert right >= right_without + 7 and wrong < wrong_without, tally


@pytest.mark.parametrize("name", sorted(OOV))
@pytest.mark.parametrize("where", ["idle", "session", "turn"])
def test_ordinary_talk_is_rejected(bench, name, where):
    listening = {"idle": context.idle(bench.intents),
                 "session": context.session(frozenset()), "turn": context.turn()}[where]
    heard = hear(bench, OOV[name], listening)
    assert heard.match is None or heard.match.intent is None, heard
    assert heard.match is None or heard.match.reason  # every rejection says why


def test_what_a_sentence_is_heard_as_does_not_depend_on_what_was_heard_before(bench):
    """With Kaldi's dither on (the Korean model's mfcc.conf does not turn it off), every decode drew its
    noise from the process's rand(): "기록은 나중에 보자" was a start or not by what the process had
    heard before. The model loads without dither, so the same frames score the same after other talk."""
    said = utterances(["기록은 나중에 보자", "회사에서 너무 힘들었어"], "ko", voices=1, rates=(150,))
    grammar = bench.matcher.grammar()

    def heard(audio):
        bench.recognizer.use(grammar)
        for frame in split_frames(audio):
            bench.recognizer.accept(frame)
        return bench.recognizer.finish()[:2]

    first = heard(said[0].audio)
    heard(said[1].audio)
    assert heard(said[0].audio) == first


def test_talk_over_the_speaker_is_not_a_safety_request_but_the_request_is(bench):
    """Over the speaker's voice only safety, stop and pause are listened for, and talk was pulled
    onto safety (축하해 and 조심해 were 지금 위험해 at confidence 1.0 in ko+f2): the second look, with
    every command listened for, turns them away and keeps the request."""
    for text in ("축하해", "조심해", "누구세요"):
        for listening in (context.over_speech(), context.turn()):
            heard = hear(bench, text, listening)
            assert heard.match.intent != "safety", (text, listening.name, heard)
    for text in ("지금 위험해", "도움이 필요해"):
        for listening in (context.over_speech(), context.turn()):
            assert hear(bench, text, listening).match.intent == "safety", (text, listening.name)


def crisis_messages_in_noise(said: np.ndarray, draws: tuple[int, ...]) -> int:
    """How often `said`, in a session at 6 dB SNR (one noise draw each), gives the crisis message. A
    bench of its own: what Vosk carries from one utterance to the next stays the same."""
    from voice.bench.listening import Bench
    from voice.bench.rooms import in_room
    from voice.config import Settings

    bench = Bench(Settings(locale="ko"))
    in_noise = [in_room(said, AT_6DB, np.random.default_rng(draw)) for draw in draws]
    heard = [bench.listen(audio, context.session(frozenset())) for audio in in_noise]
    return sum(any(h.match.intent == "safety" for h in decisions) for decisions in heard)


def bench_noise(state: int, inc: int) -> np.random.Generator:
    """The safety bench's noise generator as it stood before one utterance of its talk."""
    noise = np.random.Generator(np.random.PCG64())
    noise.bit_generator.state = {"bit_generator": "PCG64", "has_uint32": 0, "uinteger": 0,
                                 "state": {"state": state, "inc": inc}}
    return noise


def test_the_end_of_a_sentence_cut_off_in_noise_is_no_safety_request(monkeypatch):
    """At 6 dB SNR the endpointer cut espeak-ng's (ko+f2) "오늘 저녁에 차 정비 맡겨야 해" in two, and
    its end was 지금 위험해 in a session: the crisis message in 5 of 40 noise draws. That piece began
    right after the words before it (listener.PAUSE_BEFORE_START), so it gets the second look, which
    turns it away (heard at under NOISY_SAFETY_CONFIDENCE in a noisy room, it would get one
    anyway)."""
    from voice.bench.voices import speak
    from voice.listen import listener, second_look

    said = speak("오늘 저녁에 차 정비 맡겨야 해", "espeak:ko+f2")
    assert crisis_messages_in_noise(said, (17, 24, 25, 31)) == 0
    monkeypatch.setattr(listener, "PAUSE_BEFORE_START", 0)  # no piece counts as right after words
    monkeypatch.setattr(second_look, "NOISY_SAFETY_CONFIDENCE", 0.0)  # nor as heard unsure in noise
    assert crisis_messages_in_noise(said, (17, 24, 25, 31)) >= 1


def test_a_safety_phrase_heard_over_only_the_end_of_a_sentence_is_no_safety_request(monkeypatch):
    """At 6 dB SNR espeak-ng's (ko+m1) whole "오늘 저녁에 팀이랑 긴 통화가 있어" was 지금 위험해 in a
    session, its words 0.69 s of the utterance's 1.04 s: the rest was other words, so it gets the
    second look (second_look.PHRASE_SHARE), which turns it away (as it would for its confidence).
    It was so committed early, mid-sentence, at 다음 in the grammar's partial result; an early
    commit now asks for a final that is its phrase (commit.final_is), and the sentence is heard
    whole, too far from any phrase, with or without the second look."""
    from voice.bench.voices import speak
    from voice.listen import listener, second_look

    said = speak("오늘 저녁에 팀이랑 긴 통화가 있어", "espeak:ko+m1")
    assert crisis_messages_in_noise(said, (18, 19)) == 0
    monkeypatch.setattr(second_look, "PHRASE_SHARE", 0.0)  # no phrase counts as part of one
    monkeypatch.setattr(second_look, "NOISY_SAFETY_CONFIDENCE", 0.0)  # nor as heard unsure in noise
    assert crisis_messages_in_noise(said, (18, 19)) == 0
    monkeypatch.setattr(listener, "final_is", lambda decoded, words: True)  # early, as before
    assert crisis_messages_in_noise(said, (18, 19)) == 1


def test_the_end_of_a_sentence_cut_off_is_heard_with_the_words_before_it(monkeypatch):
    """In the safety bench's second noise draw of the tuning talk at 6 dB SNR (this generator
    state), "오늘 저녁에 차 정비 맡겨야 해" was cut after 차 정비, and its end was 지금 위험해 alone
    even with every Korean command listened for: the crisis message, in all four contexts. Heard
    with the end of the words before it (second_look.WORDS_BEFORE), it is "자기소개 나누기 기록 위험해"
    and is turned away."""
    from voice.bench.listening import Bench
    from voice.bench.rooms import in_room
    from voice.bench.safety import contexts
    from voice.bench.voices import speak
    from voice.config import Settings
    from voice.listen import listener

    noise = bench_noise(45459939064470294035423731932031433761,
                        52131516617050977621456385875672117441)
    audio = in_room(speak("오늘 저녁에 차 정비 맡겨야 해", "espeak:ko+f2"), AT_6DB, noise)

    def crisis_messages() -> list[str]:
        bench = Bench(Settings(locale="ko"))
        return [name for name, listening in contexts(bench).items()
                if any(h.match.intent == "safety" for h in bench.listen(audio, listening))]

    assert crisis_messages() == []
    monkeypatch.setattr(listener, "WORDS_BEFORE", 0)  # the second look hears the piece alone
    assert crisis_messages() == ["idle", "session", "turn", "speaking"]


# Two of the safety bench's noise draws of the tuning talk at 6 dB SNR (draws 17 and 18), as they
# stood before espeak-ng's (ko+m1) 약속해 and "이번 달 카드값이 많이 나왔어".
UNSURE_IN_NOISE = {
    "약속해": (294863868965098394885882846883870041584, 315114634820981063409214502968820813625),
    "이번 달 카드값이 많이 나왔어": (219205569874572083685715302938954380017,
                                247289290253657632905156645022425144587),
}


def test_talk_heard_as_a_safety_request_unsure_in_a_noisy_room_is_looked_at_again(monkeypatch):
    """At 6 dB SNR, in a session, 약속해 (I promise) and "이번 달 카드값이 많이 나왔어" were 긴급 상황
    at 0.80 and 0.85: the crisis message. In a noisy room a request heard at under
    NOISY_SAFETY_CONFIDENCE gets the second look, whose best hearing is other words. A request
    said in the same noise is heard at 1.0, without it."""
    from voice.bench.listening import Bench
    from voice.bench.rooms import in_room
    from voice.bench.voices import speak
    from voice.config import Settings
    from voice.listen import listener, second_look

    def heard(text: str, noise: str) -> str | None:
        audio = in_room(speak(text, "espeak:ko+m1"), AT_6DB, bench_noise(*UNSURE_IN_NOISE[noise]))
        decisions = Bench(Settings(locale="ko")).listen(audio, context.session(frozenset()))
        return next((h.match.intent for h in decisions if h.match.intent), None)

    assert [heard(text, text) for text in UNSURE_IN_NOISE] == [None, None]
    assert heard("지금 위험해", "이번 달 카드값이 많이 나왔어") == "safety"
    monkeypatch.setattr(second_look, "NOISY_SAFETY_CONFIDENCE", 0.0)  # none is unsure
    # The sentence was a request committed early mid-sentence: no longer (commit.final_is).
    assert [heard(text, text) for text in UNSURE_IN_NOISE] == ["safety", None]
    monkeypatch.setattr(listener, "final_is", lambda decoded, words: True)  # early, as before
    # ... and cut where it was: the endpointer's margin as its suppressed floor chose it, before
    # the listener told it the room was loud (endpoint.LOUD_ROOM_DB)
    margin_by_its_own_floor(monkeypatch)
    assert [heard(text, text) for text in UNSURE_IN_NOISE] == ["safety", "safety"]


def test_talk_heard_as_a_break_at_low_confidence_in_a_noisy_room_starts_nothing():
    """At 6 dB SNR espeak-ng's (ko+f4) "내일 아침에 거실 좀 치우자" in idle was 잠깐 쉬자 or 오래 쉬자
    at 0.11-0.21 in these noise draws: a break started while the couple talked. In a noisy room a
    start or a break must reach the locale's `noisy_start_confidence`; the start phrases and breaks
    themselves, said there, still start."""
    from dataclasses import replace

    from voice.bench.listening import Bench
    from voice.bench.rooms import in_room
    from voice.bench.voices import speak
    from voice.config import Settings

    def started(text: str, bench: Bench) -> list[str | None]:
        said = speak(text, "espeak:ko+f4")
        idle = context.idle(bench.intents)
        heard = [bench.listen(in_room(said, AT_6DB, np.random.default_rng(draw)), idle)
                 for draw in (3, 5, 9, 10)]
        return [next((h.match.intent for h in decisions if h.match.intent), None)
                for decisions in heard]

    bench = Bench(Settings(locale="ko"))
    assert started("내일 아침에 거실 좀 치우자", bench) == [None] * 4
    assert started("오래 쉬자", bench) == ["long_break"] * 4
    assert started("숨 쉬기", bench) == ["breathing"] * 4
    without_the_floor = Bench(Settings(locale="ko"))
    without_the_floor.locale = replace(without_the_floor.locale, noisy_start_confidence=0.0)
    assert started("내일 아침에 거실 좀 치우자", without_the_floor) == [
        "calming_break", "calming_break", "calming_break", "long_break"]


def test_talk_is_no_safety_request_where_the_second_look_hears_the_phrase_only_below_its_best(
        monkeypatch):
    """Over the speaker's voice at 6 dB SNR espeak-ng's (ko+f4) 피곤해 (I'm tired) was 지금 위험해
    at 1.0 in these noise draws; the second look's best hearing was other words ("쉬고 호흡
    했어"), with 지금 위험해 an alternative below it. The request said there is heard as before."""
    from voice.bench.listening import Bench
    from voice.bench.rooms import in_room
    from voice.bench.voices import speak
    from voice.config import Settings
    from voice.listen import safety_check, second_look

    def heard(text: str) -> list[str | None]:
        bench = Bench(Settings(locale="ko"))
        said = speak(text, "espeak:ko+f4")
        decisions = [bench.listen(in_room(said, AT_6DB, np.random.default_rng(draw)),
                                  context.over_speech()) for draw in (16, 19, 28, 29, 32)]
        return [next((h.match.intent for h in d if h.match.intent), None) for d in decisions]

    assert heard("피곤해") == [None] * 5
    requests = heard("지금 위험해")
    assert requests.count("safety") == 3, requests
    # as before: any alternative
    looked = second_look.second_look
    monkeypatch.setattr(safety_check, "second_look",
                        lambda *args, **kwargs: looked(*args, **{**kwargs, "alternatives": 99}))
    assert heard("피곤해") == ["safety"] * 5


def test_a_safety_request_is_not_looked_at_again_for_its_length(bench, second_looks):
    """A request alone fills its utterance: in a session, in a quiet room and at 6 dB, it stands
    on its first hearing."""
    from voice.bench.rooms import ROOM_TONE, in_room
    from voice.bench.voices import speak

    for room in (ROOM_TONE[0], AT_6DB):
        said = in_room(speak("지금 위험해", "espeak:ko+f2"), room, np.random.default_rng(5))
        heard = bench.listen(said, context.session(frozenset()))
        assert [h.match.intent for h in heard] == ["safety"], (room.name, heard)
        assert not second_looks, room.name


def test_a_safety_request_right_after_other_words_is_heard(bench, second_looks):
    """The second look a request gets there keeps a real one: 고마워, 0.3 s, then 지금 위험해."""
    from voice.audio.frames import RATE
    from voice.bench.rooms import ROOM_TONE, in_room
    from voice.bench.voices import speak

    said = np.concatenate([speak("고마워", "espeak:ko+f2"), np.zeros(int(0.3 * RATE), np.int16),
                           speak("지금 위험해", "espeak:ko+f2")])
    for room in (ROOM_TONE[0], AT_6DB):
        second_looks.clear()
        heard = bench.listen(in_room(said, room, np.random.default_rng(3)), context.session(frozenset()))
        assert [h.match.intent for h in heard][-1] == "safety", (room.name, heard)
        assert len(second_looks) == 1, (room.name, second_looks)


def test_a_command_outside_the_step_is_not_heard(bench):
    # "넘어가" (next) means nothing before an exercise starts: the idle grammar does not even hold it.
    assert "next" not in context.idle(bench.intents).intents
    heard = hear(bench, "넘어가", context.idle(bench.intents))
    assert heard.match is None or heard.match.intent != "next"
    assert hear(bench, "넘어가", context.session(frozenset())).match.intent == "next"


def test_a_quiet_talkers_start_phrase_is_heard_once_made_louder(bench, monkeypatch):
    """A talker 10 dB quieter than the bench's, in a quiet room: with Korean's gain before Vosk
    (listen/gain.py, under its own ceiling) the phrase is heard in each of three noise draws; heard
    as the microphone gives it, in none."""
    from dataclasses import replace

    import numpy as np

    from voice.bench.rooms import CONDITIONS, in_room
    from voice.bench.voices import speak

    intent = "start:our-cycle"  # a script's own start phrase, heard without the gain as 쉬자 or nothing
    quieter = next(condition for condition in CONDITIONS if condition.talker_db < 0)
    speech = speak("싸움 패턴", "espeak:ko+m1")
    rooms = [in_room(speech, quieter, np.random.default_rng(seed)) for seed in range(3)]

    def heard() -> list[str | None]:
        return [bench.first_heard(room, speech, bench.context_of[intent]).match.intent for room in rooms]

    assert bench.locale.gain_db > 0 and bench.locale.gain_ceiling_dbfs < -9
    assert heard() == [intent] * 3
    monkeypatch.setattr(bench, "locale", replace(bench.locale, gain_db=0.0))
    assert intent not in heard()


def test_start_up_names_grammar_words_the_model_lacks(caplog):
    from voice.assemble import recognizer_for
    from voice.config import Settings
    from voice.listen.intents import IntentMatcher
    from voice.locale import Locale

    with caplog.at_level(logging.WARNING):
        recognizer_for(Settings(locale="ko"), Locale.load("ko"), IntentMatcher({"start_checkin": ["시작하자"]}))
    assert "시작하자" in caplog.text and "voice/locales/ko.yaml" in caplog.text


@pytest.mark.parametrize("what, fields", [
    ("latency", {"algorithmic_ms", "compute_ms", "live_answer_wait_ms", "per_command_algorithmic_ms", "utterances",
                 "recognized"}),
    ("accuracy", {"sets", "conditions", "false_accepts_noise", "phrases"}),
    ("human", {"parts", "stop_over_speech_held_out", "room"}),
    ("vad", {"rooms", "utterances", "voices"}),
    ("phrases", {"phrases", "overall", "heard_as_another_command", "trials", "conditions"}),
    ("idle", {"cpu_seconds_per_audio_second", "cpu_percent_of_one_core", "peak_rss_mb", "intents_triggered"}),
    ("safety", {"sets", "phrases", "rooms"}),
    ("pauses", {"people", "voices", "hold_ms"}),
])
def test_benchmarks_print_their_figures(isolated, what, fields):
    more_draws = ("--draws", "2") if what in ("safety", "human") else ()  # talk at 6 dB, over more noise
    locale = "en" if what in ("human", "pauses") else "ko"  # the recordings of people are English
    result = run_voice("bench", what, "--locale", locale, "--quick", *more_draws)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["benchmark"] == what and fields <= set(figures) and ("targets" in figures or what == "phrases")
    assert f"{what}: " in result.stderr  # the human summary
    if what == "accuracy":
        assert set(figures["sets"]) == {"tuning", "held-out"}  # the held-out half is the headline
        held_out = figures["sets"]["held-out"]
        assert {"idle", "session", "turn"} <= set(held_out["talk"]) and "accuracy_room_tone" in held_out
        assert held_out["talk_at_6db"]["room"] == AT_6DB.name and "turn" in held_out["talk_at_6db"]
        assert "at 6 dB idle" in result.stderr  # talk in a noisy room, per context
        assert set(held_out["by_voice"]) == set(held_out["voices"])  # which voices a set's figure comes from
        assert all(set(rooms) == {"room_tone", "at_6db"} for rooms in held_out["by_voice"].values())
        trials = figures["phrases"] * len(held_out["voices"])  # quick: one voice, one room of each kind
        missed = round((1 - held_out["accuracy"][AT_6DB.name]) * trials)
        assert SLOWER_TALKER.name in held_out["accuracy"]  # a slower talker too
        # quick: one reverberant room; every answer's time is counted in one of the two figures
        reverberant = held_out["latency_ms_reverberant"]
        not_reverberant = held_out["latency_ms_not_reverberant"]
        assert reverberant["n"] > 0 and not_reverberant["n"] > 0, (reverberant, not_reverberant)
        assert reverberant["n"] + not_reverberant["n"] == held_out["latency_ms"]["n"]
        assert f"reverberant rooms {reverberant['p95']:.0f}" in result.stderr
        assert sum(held_out["missed_because"]["at_6db"].values()) == missed  # what limits it, every miss
        assert sum(held_out["misses_heard_as"]["at_6db"].values()) == missed  # as heard (a few kinds)
    if what == "safety":  # talk heard in room tone and in a noisy room, per context
        talk = figures["sets"]["held-out"]["talk"]
        assert set(talk["safety"]) == set(talk["safety_at_6db"]) == {"idle", "session", "turn", "speaking"}
        assert talk["draws_at_6db"] == 2 and "over 2 noise draws" in result.stderr
        in_words = figures["sets"]["held-out"]["requests_in_words"]  # "please, I need help"
        assert in_words["trials_per_context"] == 2 * 2 and "said among other words" in result.stderr
        in_noise = figures["sets"]["held-out"]["requests_at_6db"]  # over as many draws as the talk
        assert in_noise["trials_per_context"] == len(figures["phrases"]) * 2
        summary = next(line for line in result.stderr.splitlines() if line.startswith("safety: "))
        assert "at 6 dB SNR over 2 noise draws idle" in summary.split(";")[0]
        near = figures["sets"]["held-out"]["near_safety"]  # "I need a hat", in every voice and room
        assert near["trials_per_context"] == 2 and set(near["safety"]) == set(talk["safety"])
        assert "talk near a safety phrase in every voice and room tone (2)" in result.stderr
        near_in_noise = figures["sets"]["held-out"]["near_safety_at_6db"]  # over the talk's draws
        assert near_in_noise["trials_per_context"] == 2 * 2 and "tone (2) " in summary
        assert "at 6 dB SNR over 2 noise draws (4)" in summary
        # and said over the speaker's voice, through the echo canceller: one room, two levels
        over = figures["sets"]["held-out"]["over_speech"]
        assert over["requests"]["trials"] == over["near_safety"]["trials"] == 2 * 2
        assert "through the echo canceller, requests heard" in summary
    if what == "pauses":  # people's pauses in a sentence, and the test voices' requests going on
        assert set(figures["people"]) == set(figures["voices"]) == {"tuning", "held-out"}
        assert figures["people"]["held-out"]["all_rooms"]["pauses"] > 0
        pauses = set(figures["voices"]["held-out"]["continued_safety"])
        assert pauses == {"300_ms", "500_ms", "700_ms"}
        assert figures["voices"]["held-out"]["over_speech"]["trials"] == 2 * 2  # one room, 2 levels
        assert "people's pauses in a sentence joined" in result.stderr
    if what == "human":
        assert set(figures["parts"]) == {"tuning", "held-out"}
        stops = figures["parts"]["held-out"]["stop_in_session"]
        missed = stops["trials"] - stops["hits"]  # named by clip, the most missed first
        assert bool(stops["missed_clips"]) == bool(missed) and sum(stops["missed_clips"].values()) <= missed
        in_noise = figures["parts"]["held-out"]["talk"]["rooms"][AT_6DB.name]
        assert {listening["draws"] for listening in in_noise.values()} == {2}


def test_candidate_phrases_are_measured_and_a_broken_file_is_named(isolated, tmp_path):
    """`voice bench phrases --candidates` is how a locale's commands are chosen: each candidate is
    heard among all the others, and the words the model lacks are named."""
    candidates = tmp_path / "candidates.yaml"
    candidates.write_text("stop: [그만]\nsafety: [위험해]\npause: [일시정지하자, 잠깐 멈춰]\n", encoding="utf-8")
    result = run_voice("bench", "phrases", "--locale", "ko", "--quick", "--candidates", str(candidates))
    assert result.returncode == 0, result.stderr
    rows = {row["phrase"]: row for row in json.loads(result.stdout)["phrases"]}
    assert set(rows) == {"그만", "위험해", "일시정지하자"}  # --quick: each command's first phrase
    assert rows["일시정지하자"]["unknown_words"] == ["일시정지하자"] and rows["일시정지하자"]["right"] == 0
    assert rows["위험해"]["right"] == rows["위험해"]["trials"] == 1

    candidates.write_text("stop: [그만\npause: 잠깐 멈춰\n", encoding="utf-8")
    result = run_voice("bench", "phrases", "--locale", "ko", "--quick", "--candidates", str(candidates))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"voice: {candidates}:" in result.stderr
