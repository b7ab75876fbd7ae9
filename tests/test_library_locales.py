"""What the speaker advertises exists: every exercise the idle help line names starts a script in
that locale (the Korean help line named 숨 쉬기 when no Korean breathing script existed)."""

import pytest

from voice.exercises.library import Library, bundled_scripts_dir
from voice.listen.intents import expand
from voice.locale import Locale
from voice.policy import COMMANDS


@pytest.mark.parametrize("code", ["en", "ko"])
def test_every_exercise_the_help_line_names_has_a_script(code):
    locale = Locale.load(code)
    library = Library([bundled_scripts_dir()], code, locale.intents)
    advertised = {intent for intent, templates in locale.intents.items()
                  for template in templates for phrase in expand(template)
                  if phrase.lower() in locale.lines["help_idle"].lower()}
    named_exercises = advertised - set(COMMANDS)
    assert named_exercises, locale.lines["help_idle"]
    missing = {intent for intent in named_exercises if library.for_intent(intent) is None}
    assert not missing, f"{code}: the help line names {sorted(missing)} but no script starts with it"


@pytest.mark.parametrize("code", ["en", "ko"])
def test_the_spoken_menu_names_every_exercise_with_words_that_start_it(code):
    """"What can we do": each exercise startable by voice (not the introduction or the safety
    information), and each phrase it names, typed, starts that very exercise."""
    from voice.exercises.library import PROTECTED_INTENTS
    from voice.exercises.lines import menu_line
    from voice.listen.intents import IntentMatcher
    from voice.particles import fill

    locale = Locale.load(code)
    library = Library([bundled_scripts_dir()], code, locale.intents)
    menu = menu_line(library, locale)
    templates = {**locale.intents, **library.starts}
    matcher = IntentMatcher({**locale.intents, **library.phrases}, locale.max_cost)
    startable = [s for s in library.scripts.values() if not set(s.start_intents) & PROTECTED_INTENTS]
    assert startable
    for script in startable:
        named = [phrase for intent in script.start_intents for template in templates.get(intent, [])
                 for phrase in expand(template)
                 if any(fill(locale.lines["menu_item"], {"title": script.title, "phrase": phrase}) + end in menu
                        for end in (",", "."))]
        assert len(named) == 1, (script.id, menu)
        assert library.for_intent(matcher.match([named[0]]).intent) is script, (script.id, named[0])
    assert "{" not in menu and menu.endswith(locale.lines["menu_close"])


def test_every_english_script_and_deck_has_a_korean_twin():
    """Written fresh, not translated line by line; the Korean check-in is one script with the short
    one inside it (its length is set by whether there is an issue to talk over)."""
    english, korean = (Library([bundled_scripts_dir()], code, Locale.load(code).intents) for code in ("en", "ko"))
    assert set(english.scripts) - set(korean.scripts) == {"checkin-short"}
    assert set(english.decks) == set(korean.decks)


@pytest.mark.parametrize("code", ["en", "ko"])
def test_a_safety_requests_second_look_hears_the_locales_words_not_the_scripts(code):
    """The phrases a safety request heard in a partner's turn is heard among again (listener.py) are
    the locale's commands and everyday words, as measured: a script anyone adds cannot turn a request
    away (with 귀 기울이기, a start phrase the bundled scripts had, espeak-ng's 도움이 필요해 was
    도움이 귀 계속해)."""
    from voice.listen.intents import IntentMatcher

    locale = Locale.load(code)
    library = Library([bundled_scripts_dir()], code, locale.intents)
    second_look = set(locale.second_look)
    assert set(IntentMatcher(locale.intents).grammar()) | set(locale.everyday_words) == second_look
    scripts_starts = set(IntentMatcher(library.starts).grammar())
    assert scripts_starts and scripts_starts.isdisjoint(second_look)
