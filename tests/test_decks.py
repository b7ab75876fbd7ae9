"""The prompt decks' rules (../shared/content-guide.md): open questions about each other's world,
addressed to "you" and "your partner", never in the first person (a speaker saying "something I do"
sounds like it is talking about itself, and "us" puts it in the couple), never a yes/no question.
(No repeats across sessions: tests/test_engine.py::test_prompts_are_never_repeated_within_the_last_sessions.)"""

import re

import pytest

from voice.exercises.library import Library, bundled_scripts_dir
from voice.locale import Locale

FIRST_PERSON = re.compile(r"\b(I|me|my|mine|myself|I'm|I've|I'd|I'll|we|us|our|ours|we're|we've|we'd|we'll)\b",
                          re.IGNORECASE)
YES_NO = re.compile(r"^(do|does|did|is|are|was|were|can|could|would|will|have|has|had|should|shall)\b", re.IGNORECASE)


def english_prompts() -> list[tuple[str, str]]:
    library = Library([bundled_scripts_dir()], "en", Locale.load("en").intents)
    return [(deck.name, prompt) for deck in library.decks.values() for prompt in deck.prompts]


@pytest.mark.parametrize("deck, prompt", english_prompts())
def test_a_prompt_is_an_open_question_to_you_never_in_the_first_person(deck, prompt):
    assert not FIRST_PERSON.search(prompt), (deck, prompt)
    assert not YES_NO.match(prompt), (deck, prompt)
    assert prompt.endswith("?"), (deck, prompt)


def test_the_rules_catch_what_they_are_for():
    assert FIRST_PERSON.search("What is something I do that makes you feel most loved?")
    assert FIRST_PERSON.search("What kind of home do you picture for us?")
    assert not FIRST_PERSON.search("What would your partner say is your best trait?")
    assert YES_NO.match("Do you feel loved?") and not YES_NO.match("What makes you feel loved?")
