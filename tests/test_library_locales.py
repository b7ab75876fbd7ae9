"""What the speaker advertises exists: every exercise the idle help line names starts a script in
that locale (the Korean help line named 숨 쉬기 when no Korean breathing script existed)."""

import pytest

from voice.exercises.library import Library, bundled_scripts_dir
from voice.listen.intents import expand
from voice.locale import Locale


@pytest.mark.parametrize("code", ["en", "ko"])
def test_every_exercise_the_help_line_names_has_a_script(code):
    locale = Locale.load(code)
    library = Library([bundled_scripts_dir()], code, locale.intents)
    advertised = {intent for intent, templates in locale.intents.items()
                  for template in templates for phrase in expand(template)
                  if phrase.lower() in locale.lines["help_idle"].lower() and intent not in ("safety", "help")}
    named_exercises = advertised - {"stop", "pause", "resume", "next", "done", "back", "repeat"}
    assert named_exercises, locale.lines["help_idle"]
    missing = {intent for intent in named_exercises if library.for_intent(intent) is None}
    assert not missing, f"{code}: the help line names {sorted(missing)} but no script starts with it"
