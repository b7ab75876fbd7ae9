"""The open-vocabulary check of short commands (voice/listen/crosscheck.py): pure, with espeak-ng's
library for how words sound, no model."""

import pytest

from voice.listen import crosscheck
from voice.listen.crosscheck import NOISY_FIRST_ADDED, NOISY_STOP_CONFIDENCE, CrossCheck
from voice.locale import Locale

ENGLISH = CrossCheck(0.45, "gmw/en-us", 0.4, 0.3)


def test_words_are_as_far_apart_as_they_sound():
    assert ENGLISH.apart("help", "help") == 0.0
    assert ENGLISH.apart("dun", "done") == 0.0  # spelled apart, said alike
    assert ENGLISH.apart("hell", "help") == 0.25  # a machine voice's "help", heard openly
    assert ENGLISH.apart("happy", "help me") == pytest.approx(4 / 7)  # people's "happy", a session's "help me"
    assert ENGLISH.apart("down", "done") == 0.5  # "daʊn", "dʌn"
    assert ENGLISH.apart("", "next") == 1.0


def test_a_command_is_confirmed_by_any_alternative_near_any_of_its_phrases():
    help_phrases = ["help", "help me", "help us"]
    assert ENGLISH.confirms(help_phrases, ["happy", "help me"])
    assert ENGLISH.confirms(help_phrases, ["helped me"])  # word breaks aside
    assert ENGLISH.confirms(help_phrases, ["to help"])  # 0.43: a machine voice's "help"
    assert not ENGLISH.confirms(help_phrases, ["happy", "house"])
    assert not ENGLISH.confirms(["done", "I'm done"], ["down"])  # people's "down" in a session
    assert not ENGLISH.confirms(["next", "move on"], [])  # the open recognizer heard nothing


def test_a_command_that_interrupts_must_be_heard_nearer():
    """A person's talk was "this topic" openly and "stop" in the grammar: the sounds of "stop" across
    a word break, 0.44 from it. A false stop cuts into the couple's talk."""
    assert ENGLISH.apart("this topic", "stop") == pytest.approx(4 / 9)
    assert ENGLISH.confirms(["stop"], ["this topic"])  # a step's command would stand so
    assert not ENGLISH.confirms(["stop"], ["this topic"], interrupting=True)
    assert ENGLISH.confirms(["stop"], ["stop"], interrupting=True)
    assert ENGLISH.confirms(["stop"], ["the stop"], interrupting=True)  # a stray word before it: 2/7


def test_below_the_first_alternative_an_interrupting_command_must_be_heard_with_no_sound_added():
    """A person's talk at 6 dB was "stop" in a session's grammar and openly "established", then
    "stop us", "stop with", "stop it" or "stoppage": the sound of "stop" with more after it. People's
    own "stop" came openly second as itself ("stuff", "stop"; "snap", "slap", "stop") or as "top"."""
    assert not ENGLISH.confirms(["stop"], ["established", "stop us", "the stop us"], interrupting=True)
    assert not ENGLISH.confirms(["stop"], ["established", "stop it", "stoppage"], interrupting=True)
    assert ENGLISH.apart("stoppage", "stop") <= ENGLISH.interrupting_limit  # near, but more
    assert ENGLISH.confirms(["stop"], ["established", "stop us"])  # a step's command would stand so
    assert ENGLISH.confirms(["stop"], ["stuff", "stop"], interrupting=True)
    assert ENGLISH.confirms(["stop"], ["the up", "top", "the top"], interrupting=True)
    assert ENGLISH.confirms(["stop"], ["stop it", "that"], interrupting=True)  # first, it may have more


def test_where_the_open_recognizer_heard_no_words_first_nothing_below_confirms_an_interrupting_command():
    """A person's talk in a meeting at 6 dB was "stop" in a session's grammar, and openly "", then "he
    said", "stop": its best guess was that no word was said. A step's command may still stand so."""
    assert not ENGLISH.confirms(["stop"], ["", "he said", "stop"], interrupting=True)
    assert not ENGLISH.confirms(["stop"], ["", "stuff", "stop"], interrupting=True, noisy=True)
    assert ENGLISH.confirms(["stop"], ["stop", ""], interrupting=True)
    assert ENGLISH.confirms(["pause"], ["", "pause"])


def test_in_a_noisy_room_an_interrupting_commands_first_alternative_may_add_one_sound_only():
    """At 6 dB a person's talk, "...established...", was "stop" in a session's grammar and openly
    first "stop us". A person's "stop" there stood only on a first guess "the top": one sound more."""
    assert ENGLISH.sounds_added(True, 0, noisy=True) == NOISY_FIRST_ADDED == 1
    assert not ENGLISH.confirms(["stop"], ["stop us", "established"], interrupting=True, noisy=True)
    assert not ENGLISH.confirms(["stop"], ["stop it"], interrupting=True, noisy=True)
    assert ENGLISH.confirms(["stop"], ["stop us", "established"], interrupting=True)  # in a quiet room
    assert ENGLISH.confirms(["stop"], ["the top", "doc"], interrupting=True, noisy=True)
    assert ENGLISH.confirms(["stop"], ["sport", "spot"], interrupting=True, noisy=True)
    assert ENGLISH.confirms(["stop"], ["stop"], interrupting=True, noisy=True)
    assert ENGLISH.confirms(["next"], ["next one"], noisy=True)  # a step's command: as in quiet


def test_only_the_open_recognizers_best_few_alternatives_confirm_a_command():
    """People's recorded "left" was "back" in a session at 6 dB (a lone "back" was a phrase then; en.yaml
    now says "go back"), and "back" the 5th alternative heard openly; a command that interrupts meets
    its phrase in the best three."""
    heard = ["mark", "but", "that", "matt", "back"]
    assert not ENGLISH.confirms(["back", "go back"], heard)
    assert ENGLISH.confirms(["back", "go back"], heard[:3] + ["back"])
    assert not ENGLISH.confirms(["stop"], ["mm", "", "the up", "stop"], interrupting=True)
    assert ENGLISH.standard() == (crosscheck.ALTERNATIVES, 0.45)
    assert ENGLISH.standard(interrupting=True) == (crosscheck.INTERRUPTING_ALTERNATIVES, 0.4)


def test_a_command_the_grammar_was_unsure_of_must_be_in_the_open_recognizers_best_two_and_nearer():
    """People's "bed" was "back" at 0.22 in a session's grammar (when a lone "back" was a phrase) and
    openly "bed", then "bad" (0.33 from "back"); "six" was "next" at 0.13 and openly "sex" (0.4).
    Sure, the grammar's word would stand."""
    assert not ENGLISH.confirms(["back"], ["bed", "bad"], confidence=0.22)
    assert ENGLISH.confirms(["back"], ["bed", "bad"], confidence=0.8)
    assert not ENGLISH.confirms(["next", "move on"], ["sex", "six"], confidence=0.13)
    assert ENGLISH.confirms(["next", "move on"], ["sex", "six"])
    assert ENGLISH.confirms(["back"], ["bed", "back"], confidence=0.22)  # heard openly as itself
    assert not ENGLISH.confirms(["back"], ["bed", "bad", "back"], confidence=0.22)  # but only 3rd
    assert ENGLISH.standard(interrupting=True, confidence=0.2) == (crosscheck.DOUBTFUL_ALTERNATIVES, 0.3)


def test_in_a_noisy_room_an_interrupting_command_heard_unsure_must_be_in_the_best_two():
    """At 6 dB a tuning person's talk was "end the session" at 0.79 in a partner's turn, and
    openly "and says", "and he says", then "and the says" (0.4 from it). A person's "stop" at
    0.51 was openly "that", then "top": that stands."""
    stop = ["stop", "end the session", "end the exercise"]
    talk = ["and says", "and he says", "and the says", "incest"]
    unsure = NOISY_STOP_CONFIDENCE - 0.11
    assert not ENGLISH.confirms(stop, talk, interrupting=True, confidence=unsure, noisy=True)
    assert ENGLISH.confirms(stop, talk, interrupting=True, confidence=unsure)  # in a quiet room
    sure = NOISY_STOP_CONFIDENCE
    assert ENGLISH.confirms(stop, talk, interrupting=True, confidence=sure, noisy=True)
    person = ["that", "top", "the"]
    assert ENGLISH.confirms(stop, person, interrupting=True, confidence=0.51, noisy=True)
    assert ENGLISH.standard(interrupting=True, confidence=unsure, noisy=True) == \
        (crosscheck.DOUBTFUL_ALTERNATIVES, 0.4)
    assert ENGLISH.standard(confidence=unsure, noisy=True) == (crosscheck.ALTERNATIVES, 0.45)


def test_a_steps_command_stands_where_the_grammar_outscored_everything_the_open_recognizer_heard():
    """Vosk's scores are log-likelihoods over the same frames: a margin of OUTSCORED_BY or more means
    nothing in the whole vocabulary fit the sound nearly as well as the command did."""
    from voice.listen.recognizer import Alternatives

    margin = crosscheck.OUTSCORED_BY
    heard = Alternatives(["the", "ah"], [50.0, 49.0])
    assert ENGLISH.outscored(50.0 + margin, heard, interrupting=False)
    assert not ENGLISH.outscored(50.0 + margin - 0.1, heard, interrupting=False)
    assert not ENGLISH.outscored(50.0 + margin, heard, interrupting=True)  # stop, a start phrase
    nothing = Alternatives([], [])
    assert not ENGLISH.outscored(50.0 + margin, nothing, interrupting=False)  # nothing to compare


def test_in_a_noisy_room_a_steps_command_must_outscore_words_heard_openly_by_more_and_be_sure():
    """In noise the open recognizer fits everything worse, so the margin is wider, and only a
    command the grammar was sure of, against words the open recognizer heard, stands on it."""
    from voice.listen.recognizer import Alternatives

    margin, sure = crosscheck.NOISY_OUTSCORED_BY, crosscheck.NOISY_OUTSCORED_CONFIDENCE
    assert margin > crosscheck.OUTSCORED_BY
    heard = Alternatives(["this kid", "the kid"], [30.0, 28.0])
    assert ENGLISH.outscored(30.0 + margin, heard, False, noisy=True, confidence=sure)
    assert not ENGLISH.outscored(30.0 + margin - 0.1, heard, False, noisy=True, confidence=sure)
    assert not ENGLISH.outscored(30.0 + margin, heard, False, noisy=True, confidence=sure - 0.01)
    assert not ENGLISH.outscored(30.0 + margin, heard, True, noisy=True, confidence=sure)  # a stop
    no_words = Alternatives(["", "you know"], [30.0, 28.0])  # "can you help me with this" as help
    assert not ENGLISH.outscored(30.0 + 14.7, no_words, False, noisy=True, confidence=1.0)
    assert ENGLISH.outscored(30.0 + 14.7, no_words, False, noisy=False)  # as in a quiet room


def test_without_espeak_ng_words_are_compared_by_spelling(monkeypatch):
    monkeypatch.setattr(crosscheck, "phrase_sounds", lambda text, voice: None)
    assert ENGLISH.apart("dun", "done") == 0.5
    assert ENGLISH.apart("hell", "help") == 0.25
    assert ENGLISH.apart("happy", "help") == 0.6
    assert not ENGLISH.confirms(["stop"], ["established", "stop us"], interrupting=True)  # more letters
    assert ENGLISH.confirms(["stop"], ["stuff", "stop"], interrupting=True)


def test_english_checks_short_commands_by_its_voices_sounds_and_korean_does_not():
    """Korean's model free-decodes at about real time and mostly wrongly (../shared/design.md)."""
    assert Locale.load("en").cross_check == CrossCheck(0.45, "gmw/en-us", 0.4, 0.3)
    assert Locale.load("ko").cross_check is None


def test_a_cross_check_must_be_a_fraction(tmp_path):
    from conftest import english_locale_with

    from voice.errors import ScriptError

    broken = english_locale_with(tmp_path, "cross_check: 0.45", "cross_check: near")
    with pytest.raises(ScriptError, match=r"en.yaml:\d+:\d+: 'cross_check' must be a number from 0 to 1"):
        Locale.from_file(broken)


class ScriptedHearing:
    """The open recognizer's two hearings of one utterance: as the microphone gave it, then louder."""

    def __init__(self, as_is: list[str], louder: list[str] | Exception) -> None:
        self.as_is, self.louder, self.heard_again = as_is, louder, 0

    def verdict(self):
        from voice.listen.recognizer import Alternatives

        return Alternatives(self.as_is, [0.0] * len(self.as_is))

    def again(self, frames):
        from voice.listen.recognizer import Alternatives

        self.heard_again += 1
        if isinstance(self.louder, Exception):
            raise self.louder
        return Alternatives(self.louder, [0.0] * len(self.louder))


def open_look(intent: str, phrase: str, hearing: ScriptedHearing, gain_db: float = 10.0, noisy: bool = False,
              in_turn: bool = False):
    """The English listener's open check of `intent`, heard in a session's (or a turn's) grammar as `phrase`."""
    from voice.listen.intents import IntentMatcher, Match
    from voice.listen.open_check import OpenCheck

    english = Locale.load("en")
    phrases = IntentMatcher(english.intents, english.max_cost).phrases_of(intent)
    check = OpenCheck(hearing, ENGLISH, louder=gain_db > 0)
    return check.verdict(Match(intent, phrase, phrase, 0.0, confidence=1.0), phrases, float("-inf"), noisy, in_turn,
                         [])


def test_a_steps_command_the_open_recognizer_turned_away_is_heard_again_as_loud_as_the_grammar_heard_it():
    """espeak-ng's "skip" was "cape" openly: heard louder, "skip" confirms it."""
    assert open_look("next", "skip", ScriptedHearing(["cape"], ["skip"])).intent == "next"
    assert open_look("next", "skip", ScriptedHearing(["cape"], ["cube"])).intent is None
    as_is = ScriptedHearing(["skip"], ["cape"])
    assert open_look("next", "skip", as_is).intent == "next" and as_is.heard_again == 0  # confirmed at once
    no_gain = ScriptedHearing(["cape"], ["skip"])
    assert open_look("next", "skip", no_gain, gain_db=0.0).intent is None and no_gain.heard_again == 0


def test_heard_louder_only_the_open_recognizers_best_two_confirm_a_command_and_only_in_a_quiet_room():
    """Louder, it heard two tuning people's lone "up" as "up", "", "help" in a session; and at 6 dB
    SNR their "off" as "cause" (a pause)."""
    assert crosscheck.LOUDER_ALTERNATIVES == 2 < crosscheck.ALTERNATIVES
    assert open_look("help", "help", ScriptedHearing(["up"], ["up", "", "help"])).intent is None
    assert open_look("help", "help", ScriptedHearing(["up"], ["up", "help"])).intent == "help"
    noisy = ScriptedHearing([""], ["off", "cause"])
    assert open_look("pause", "pause", noisy, noisy=True).intent is None and noisy.heard_again == 0
    assert open_look("pause", "pause", ScriptedHearing([""], ["off", "cause"])).intent == "pause"


def test_in_a_partners_turn_a_command_is_not_heard_again_louder():
    """There the couple talk to each other: the tuning talk's "well done" was done, heard louder."""
    in_turn = ScriptedHearing(["well"], ["done"])
    assert open_look("done", "done", in_turn, in_turn=True).intent is None and in_turn.heard_again == 0
    assert open_look("done", "done", ScriptedHearing(["well"], ["done"])).intent == "done"


def test_a_command_that_ends_or_starts_an_exercise_is_never_heard_again_louder():
    stop = ScriptedHearing(["stuff it"], ["stop"])
    assert open_look("stop", "stop", stop).intent is None and stop.heard_again == 0


def test_if_the_louder_hearing_fails_the_command_stays_turned_away(caplog):
    from voice.errors import ModelError

    failing = ScriptedHearing(["cape"], ModelError("the open-vocabulary recognizer failed on an utterance"))
    assert open_look("next", "skip", failing).intent is None and failing.heard_again == 1
    assert "'next' stays turned away" in caplog.text
