"""When a phrase heard may answer before the end of speech: the commit table (`commit.grammar_of`),
walked over every context of both locales."""

from collections.abc import Iterator

import pytest

from voice.listen import context
from voice.listen.commit import QUIET_TO_COMMIT, SAME_MEANING_QUIET, Grammar, final_is, grammar_of
from voice.listen.context import Context
from voice.listen.intents import EXACT_INTENTS, IntentMatcher
from voice.locale import Locale


def contexts(commands: frozenset[str]) -> list:
    return [None, context.idle(commands), context.session(frozenset({"more_time"})), context.paused(),
            context.turn()]


def tables(code: str) -> Iterator[tuple[Context | None, Grammar, dict]]:
    """Each context of the locale, its commit table, and each phrase's intent."""
    matcher = IntentMatcher(Locale.load(code).intents)
    meaning = dict(matcher.phrases)
    for listening in contexts(frozenset(matcher.templates)):
        yield listening, grammar_of(matcher, listening), meaning


@pytest.mark.parametrize("code", ["en", "ko"])
def test_a_phrase_commits_early_only_if_nothing_longer_it_begins_means_another_command(code):
    for listening, grammar, meaning in tables(code):
        for words in grammar.complete:
            longer = {other for other in grammar.complete if len(other) > len(words) and other[: len(words)] == words}
            waits = meaning[words] in EXACT_INTENTS or any(meaning[other] != meaning[words] for other in longer)
            expected = None if waits else SAME_MEANING_QUIET if longer else QUIET_TO_COMMIT
            assert grammar.commit_after.get(words) == expected, (code, listening, words)


@pytest.mark.parametrize("code", ["en", "ko"])
def test_in_a_noisy_room_a_phrase_that_starts_something_waits_for_the_end_of_speech(code):
    """Any other phrase commits as it does in a quiet room."""
    for listening, grammar, meaning in tables(code):
        for words, quiet in grammar.commit_after.items():
            expected = None if context.starts_something(meaning[words]) else quiet
            assert grammar.commit_in_noise.get(words) == expected, (code, listening, words)
        assert grammar.commit_in_noise.keys() <= grammar.commit_after.keys()


def test_the_english_table_where_a_couple_would_notice():
    matcher = IntentMatcher(Locale.load("en").intents)
    session = grammar_of(matcher, context.session(frozenset())).commit_after
    assert session[("stop",)] == QUIET_TO_COMMIT
    assert session[("faster",)] == SAME_MEANING_QUIET  # "faster please" is the same command
    assert session[("repeat",)] == SAME_MEANING_QUIET  # and "repeat that"
    assert ("i", "need", "help") not in session  # safety is judged on the whole utterance
    paused = grammar_of(matcher, context.paused()).commit_after
    assert ("continue",) not in paused  # "continue our session" is another command
    assert paused[("resume",)] == QUIET_TO_COMMIT
    idle = grammar_of(matcher, context.idle(frozenset(matcher.templates)))
    assert idle.commit_after[("let's", "breathe")] == QUIET_TO_COMMIT
    assert ("let's", "breathe") not in idle.commit_in_noise  # "let's vis(it) grandma..." at 6 dB
    assert idle.commit_in_noise[("stop",)] == QUIET_TO_COMMIT


def test_an_early_commit_asks_for_a_final_result_that_is_the_phrase_its_partial_result_held():
    """A partial result holds a word as soon as it begins ("safety information" at a pause inside
    "information", whose final was "safety in"): only a final that is the phrase commits early."""
    phrase = ("safety", "information")
    assert final_is((["safety information", "safety in"], [9.0, 8.0], [[], []]), phrase)
    assert not final_is((["safety in", "safety information"], [9.0, 8.0], [[], []]), phrase)
    assert not final_is(([], [], []), phrase)
