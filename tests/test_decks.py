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


# Korean: a first-person word is a word of its own (나는, 내가, 우리 ...; not 내일 or 보거나), and an open
# question asks what, which, when, how, who, where, why or how much.
FIRST_PERSON_KO = re.compile(r"(?:^|\s)(나|나는|나를|나의|나에게|나도|내|내가|내게|저|저는|저를|제가|제|우리|우리는|우리를|"
                             r"우리의|우리가|우리도|우리에게)(?=[\s?.,]|$)")
OPEN_KO = re.compile(r"무엇|뭐|어떤|어떻게|어땠|언제|누구|누가|어디|왜|얼마나|무슨")


def prompts(locale: str) -> list[tuple[str, str]]:
    library = Library([bundled_scripts_dir()], locale, Locale.load(locale).intents)
    return [(deck.name, prompt) for deck in library.decks.values() for prompt in deck.prompts]


def english_prompts() -> list[tuple[str, str]]:
    return prompts("en")


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


@pytest.mark.parametrize("deck, prompt", prompts("ko"))
def test_a_korean_prompt_is_an_open_question_never_in_the_first_person(deck, prompt):
    assert not FIRST_PERSON_KO.search(prompt), (deck, prompt)
    assert OPEN_KO.search(prompt), (deck, prompt)
    assert prompt.endswith("?"), (deck, prompt)


def test_the_korean_rules_catch_what_they_are_for():
    assert FIRST_PERSON_KO.search("내가 하는 일 중에 무엇이 좋아요?")
    assert FIRST_PERSON_KO.search("우리 집은 어떤 모습이면 좋겠어요?")
    assert not FIRST_PERSON_KO.search("내일 상대가 해 주면 좋을 작은 일은 무엇인가요?")
    assert not FIRST_PERSON_KO.search("오늘 보거나 들은 것 중에 궁금해진 것은 무엇인가요?")
    assert not OPEN_KO.search("사랑받는다고 느끼나요?") and OPEN_KO.search("언제 사랑받는다고 느끼나요?")


@pytest.mark.parametrize("locale", ["en", "ko"])
def test_every_deck_is_drawn_by_a_shipped_script(locale):
    from voice.exercises.steps import Prompts

    library = Library([bundled_scripts_dir()], locale, Locale.load(locale).intents)
    drawn = {step.deck for script in library.scripts.values() for step in script.steps if isinstance(step, Prompts)}
    assert set(library.decks) <= drawn, set(library.decks) - drawn
