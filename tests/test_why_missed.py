"""The benches count why a command was missed by kind (`voice bench accuracy`, `voice bench safety`):
the rejection's reason without its figures, the command's own name as "it"."""

import pytest

from voice.bench.listening import why_missed
from voice.listen.crosscheck import CrossCheck
from voice.listen.intents import IntentMatcher, Match
from voice.listen.open_check import OpenCheck
from voice.listen.recognizer import Alternatives


def rejected(reason: str, text: str = "heard") -> Match:
    return Match(None, text, "", 1.0, reason)


@pytest.mark.parametrize("reason, kind", [
    ("unsure: next at confidence 0.21", "unsure"),
    ("unsure: next at confidence 0.64", "unsure"),
    ("too far from any phrase (cost 0.50)", "too far from any phrase"),
    ("next not confirmed: open vocabulary heard 'the'", "it not confirmed"),
    ("speech too long for next (2.1 s)", "speech too long for it"),
    ("ambiguous: next or back", "ambiguous"),
    ("safety not heard with every command listened for", "safety not heard with every command listened for"),
])
def test_a_rejection_is_counted_by_its_kind_not_its_figures(reason, kind):
    assert why_missed(rejected(reason), "next") == kind


def test_the_matchers_own_reasons_are_counted_by_kind():
    """The reasons as the matcher words them, so a rewording that the kinds no longer follow fails here."""
    matcher = IntentMatcher({"next": ["next"], "back": ["back"]})
    assert why_missed(matcher.match(["nxt"]), "next") == "too far from any phrase"
    assert why_missed(matcher.match(["next", "back"], [0.0, 5.0]), "next") == "unsure"


class HeardOpenly:
    """What the open recognizer heard (its own words are the real-engine tests')."""

    def __init__(self, *texts: str) -> None:
        self.alternatives = Alternatives(list(texts), [0.0] * len(texts))

    def verdict(self) -> Alternatives:
        return self.alternatives


def test_the_open_checks_own_reason_is_counted_by_kind():
    check = OpenCheck(HeardOpenly("the"), CrossCheck(0.45, "gmw/en-us", 0.4, 0.3), louder=False)
    turned_away = check.verdict(Match("next", "next", "next", 0.0, confidence=1.0), ["next"], 0.0,
                                noisy=True, in_turn=False, louder_frames=[])
    assert why_missed(turned_away, "next") == "it not confirmed"


def test_a_start_phrase_named_with_a_colon_is_it_too():
    reason = "start:daily-connection not confirmed: open vocabulary heard 'the'"
    assert why_missed(rejected(reason), "start:daily-connection") == "it not confirmed"


def test_nothing_heard_and_another_command_are_kinds_of_their_own():
    assert why_missed(None, "next") == "nothing heard"
    assert why_missed(Match("slower", "느리게", "느리게", 0.0), "faster") == "heard as another command"
