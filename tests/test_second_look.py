"""When a safety request is looked at a second time (`second_look.looks_again`), and which of its
alternatives count (`second_look.second_look`): the rules alone; the second look itself on the real
models is in test_listening.py and test_listening_en.py."""

import numpy as np

from voice.listen.intents import IntentMatcher, Match
from voice.listen.recognizer import Word
from voice.listen.second_look import (HEARD_OPENLY_ALTERNATIVES, NOISY_SAFETY_CONFIDENCE,
                                      PHRASE_SHARE, looks_again, second_look)


class Decodes:
    """A grammar recognizer that hears any frames as `texts`, best first, each word 0.27 s."""

    def __init__(self, *texts: str) -> None:
        self._texts = list(texts)

    def use(self, phrases: list[str]) -> None:
        pass

    def accept(self, frame: np.ndarray) -> None:
        pass

    def finish(self) -> tuple[list[str], list[float], list[list[Word]]]:
        words = [[Word(word, 0.27 * i, 0.27 * (i + 1)) for i, word in enumerate(text.split())]
                 for text in self._texts]
        return self._texts, [0.0] * len(self._texts), words


def test_the_second_look_counts_its_best_alternative_or_as_many_as_it_is_told():
    """Over the speaker's voice at 6 dB, espeak-ng's (ko+f4) 피곤해 was 지금 위험해, and the second
    look heard "쉬고 호흡 했어" first, with 지금 위험해 third: no request. In a quiet room English's
    open recognizer must then hear it word for word, and there flite's (kal) "I need help" was "i
    need i'll", then "i need help": the best HEARD_OPENLY_ALTERNATIVES count."""
    korean = IntentMatcher({"safety": ["지금 위험해"], "help": ["도움말"]})
    frames = [np.zeros(320, np.int16)]

    def looked(matcher: IntentMatcher, heard: Decodes, alternatives: int = 1) -> str | None:
        phrase = matcher.phrases_of("safety")[0]
        request = Match("safety", phrase, phrase, 0.0, confidence=1.0)
        return second_look(request, heard, [], matcher, frames, [],
                           alternatives=alternatives).intent

    tired = Decodes("쉬고 호흡 했어", "쉬고 도움말", "지금 위험해")
    assert looked(korean, tired) is None
    assert looked(korean, tired, alternatives=3) == "safety"
    assert looked(korean, Decodes("지금 위험해", "쉬고 호흡 했어")) == "safety"
    english = IntentMatcher({"safety": ["i need help"]})
    said = Decodes("i need i'll", "i need help")
    assert looked(english, said) is None
    assert looked(english, said, alternatives=HEARD_OPENLY_ALTERNATIVES) == "safety"


def test_a_request_alone_heard_sure_or_in_a_quiet_room_stands_on_its_first_hearing():
    assert not looks_again(False, 1.0, noisy=False, confidence=0.5)
    assert not looks_again(False, 1.0, noisy=True, confidence=NOISY_SAFETY_CONFIDENCE)


def test_a_request_is_looked_at_again_where_asked_over_part_of_it_or_unsure_in_noise():
    assert looks_again(True, 1.0, noisy=False, confidence=1.0)  # a small set, or after words
    assert looks_again(False, PHRASE_SHARE - 0.01, noisy=False, confidence=1.0)  # words beside it
    assert not looks_again(False, PHRASE_SHARE, noisy=False, confidence=1.0)
    assert looks_again(False, 1.0, noisy=True, confidence=NOISY_SAFETY_CONFIDENCE - 0.01)


def test_where_the_locale_says_so_every_request_in_a_quiet_room_is_looked_at_again():
    """English's `second_look_in_quiet`: in a noisy room the rule is as without it (at 6 dB it
    turned away held-out requests heard sure: issue 17's note)."""
    assert looks_again(False, 1.0, noisy=False, confidence=1.0, in_quiet=True)
    assert not looks_again(False, 1.0, noisy=True, confidence=1.0, in_quiet=True)
    assert looks_again(False, 1.0, noisy=True, confidence=NOISY_SAFETY_CONFIDENCE - 0.01,
                       in_quiet=True)
