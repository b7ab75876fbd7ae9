"""Exercise scripts: every shipped script loads; every mistake is named with file:line:column."""

import logging
from pathlib import Path

import pytest

from voice.errors import ScriptError
from voice.exercises.script import Breathe, Say, Wait, bundled_scripts_dir, load_script, load_scripts
from voice.locale import Locale

SHIPPED = sorted(bundled_scripts_dir().glob("*/*.yaml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shipped_script_validates(path: Path):
    script = load_script(path)
    assert script.locale == path.parent.name
    intents = Locale.load(script.locale).intents
    assert set(script.start_intents) <= set(intents)


def test_checkin_has_breath_both_appreciations_and_a_close():
    for locale in ("en", "ko"):
        script = next(s for s in load_scripts([bundled_scripts_dir()], locale) if s.id == "checkin-short")
        kinds = [type(step) for step in script.steps]
        assert Breathe in kinds and kinds.count(Wait) == 2 and kinds[-1] is Say
        breath = next(s for s in script.steps if isinstance(s, Breathe))
        assert (breath.inhale, breath.exhale, breath.cycles) == (5, 5, 6)  # one minute at 6 a minute


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "en").mkdir(exist_ok=True)
    path = tmp_path / "en" / "s.yaml"
    path.write_text(text)
    return path


HEAD = "id: s\ntitle: S\nlocale: en\nsteps:\n"


@pytest.mark.parametrize("steps, message", [
    ("  - sya: Hello\n", r"s.yaml:5:5: unknown step type 'sya'; did you mean 'say'\?"),
    ("  - say: Hello\n    pasue: 2\n", r"s.yaml:6:5: unknown key 'pasue' in 'say' step; did you mean 'pause'\?"),
    ("  - pause: soon\n", r"s.yaml:5:5: 'seconds' must be a int or float, not 'soon'"),
    ("  - breathe: {inhale: 5, exhale: 5}\n", r"s.yaml:5:5: the 'breathe' step needs 'cycles'"),
    ("  - say: Hi {partner_c}\n", r"unknown placeholder \{partner_c\}"),
    ("  - breathe: {inhale: 5, exhale: 5, cycles: 2, cues: {inhail: In}}\n", r"did you mean 'inhale'"),
    ("  - say: [unclosed\n", r"s.yaml:6:1: .*fix the YAML"),
])
def test_mistakes_name_file_line_and_fix(tmp_path, steps, message):
    with pytest.raises(ScriptError, match=message):
        load_script(write(tmp_path, HEAD + steps))


def test_missing_required_script_field(tmp_path):
    with pytest.raises(ScriptError, match=r"s.yaml:1:1: the script has no 'title'"):
        load_script(write(tmp_path, "id: s\nlocale: en\nsteps:\n  - pause: 1\n"))


def test_a_broken_script_is_skipped_and_the_rest_load(tmp_path, caplog):
    write(tmp_path, HEAD + "  - sya: Hello\n")
    with caplog.at_level(logging.ERROR):
        scripts = load_scripts([bundled_scripts_dir(), tmp_path], "en")
    assert {s.id for s in scripts} >= {"checkin-short", "calming-break"}
    assert "skipping a broken script" in caplog.text and "s.yaml:5:5" in caplog.text


def test_user_folder_overrides_a_bundled_script_by_id(tmp_path):
    write(tmp_path, "id: calming-break\ntitle: Mine\nlocale: en\nstart_intents: [calming_break]\nsteps:\n  - pause: 1\n")
    scripts = {s.id: s for s in load_scripts([bundled_scripts_dir(), tmp_path], "en")}
    assert scripts["calming-break"].title == "Mine"
