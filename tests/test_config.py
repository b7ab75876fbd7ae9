"""Configuration: /etc < the user's file < VOICE_* variables < flags, each value's source, clear errors."""

import datetime as dt
import os
import re

import pytest
from conftest import run_voice

from voice.config import describe, load_settings
from voice.errors import ConfigError
from voice.schedule import QuietHours, Weekly, reminder_due


@pytest.fixture
def layers(isolated, tmp_path, monkeypatch):
    system = tmp_path / "etc" / "config.yaml"
    user = tmp_path / "config" / "voice" / "config.yaml"
    for path in (system, user):
        path.parent.mkdir(parents=True, exist_ok=True)
    for name in [name for name in os.environ if name.startswith("VOICE_") and name != "VOICE_SYSTEM_CONFIG"]:
        monkeypatch.delenv(name)
    return system, user


def test_each_layer_overrides_the_one_before(layers, monkeypatch):
    system, user = layers
    system.write_text("locale: ko\nvolume: 0.5\ntts_rate: 120\nquiet_hours: 22:00-07:00\npartners: [A, B]\n")
    user.write_text("# mine\nvolume: 0.6\ntts_rate: 130\n")
    monkeypatch.setenv("VOICE_TTS_RATE", "140")
    monkeypatch.setenv("VOICE_BARGE_IN", "no")
    settings = load_settings(None, tts_rate=None, partners="Robin,Kai")
    assert settings.locale == "ko" and settings.source("locale") == f"{system}:1:1"
    assert settings.volume == 0.6 and settings.source("volume") == f"{user}:2:1"
    assert settings.tts_rate == 140 and settings.source("tts_rate") == "VOICE_TTS_RATE"
    assert settings.barge_in is False
    assert settings.partners == ("Robin", "Kai") and settings.source("partners") == "--partners"
    assert settings.quiet_hours == QuietHours(dt.time(22), dt.time(7))
    assert settings.source("sentence_pause_ms") == "default"


def test_null_unsets_and_env_null_too(layers, monkeypatch):
    system, user = layers
    system.write_text("reminder: sunday 19:00\ninput_device: USB\n")
    user.write_text("reminder: null\n")
    monkeypatch.setenv("VOICE_INPUT_DEVICE", "")
    settings = load_settings(None)
    assert settings.reminder is None and settings.input_device is None


@pytest.mark.parametrize("text, pattern", [
    ("volume: 2\n", r"config.yaml:1:1: volume must be from 0 to 1 \(got 2\); for example volume: 0.8"),
    ("volum: 0.5\n", r"config.yaml:1:1: unknown setting 'volum' \(did you mean 'volume'\?\)"),
    ("\n\nreminder: someday\n", r"config.yaml:3:1: reminder 'someday' is not a weekly time; .*sunday 19:00"),
    ("quiet_hours: 25:00-07:00\n", r"config.yaml:1:1: quiet_hours '25:00' is not a time of day"),
    ("barge_in: maybe\n", r"barge_in must be true or false"),
    ("partners: [One]\n", r"partners needs exactly two names"),
    ("tts_engine: festival\n", r"tts_engine must be one of auto, piper, pyttsx3"),
    ("- a list\n", r"config.yaml:1:1: the configuration must be a mapping"),
])
def test_a_bad_file_value_names_file_line_and_fix(layers, text, pattern):
    layers[1].write_text(text)
    with pytest.raises(ConfigError, match=pattern):
        load_settings(None)


def test_a_bad_environment_value_names_the_variable(layers, monkeypatch):
    monkeypatch.setenv("VOICE_TTS_RATE", "fast")
    with pytest.raises(ConfigError, match=r"^VOICE_TTS_RATE: tts_rate must be a number from 80 to 300"):
        load_settings(None)


def test_unknown_environment_variables_are_warned_about_not_fatal(layers, monkeypatch, caplog):
    monkeypatch.setenv("VOICE_LOCAL", "ko")
    assert load_settings(None).locale == "en"
    assert "VOICE_LOCAL: no such setting (did you mean 'locale'?)" in caplog.text


def test_systemd_directories_are_the_service_defaults(layers, monkeypatch, tmp_path):
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    monkeypatch.setenv("CACHE_DIRECTORY", str(tmp_path / "cache"))
    settings = load_settings(None)
    assert settings.data_dir == tmp_path / "state" and settings.cache_dir == tmp_path / "cache"
    assert ("data_dir", str(tmp_path / "state"), "systemd STATE_DIRECTORY") in describe(settings)


def test_voice_config_shows_each_value_and_its_source(layers):
    layers[0].write_text("volume: 0.7\n")
    result = run_voice("config", "--locale", "ko", env={"VOICE_TTS_RATE": "120"})
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert re.search(r"volume\s+0.7\s+.*etc/config.yaml:1:1", rows["volume"])
    assert re.search(r"tts_rate\s+120\s+VOICE_TTS_RATE", rows["tts_rate"])
    assert re.search(r"locale\s+ko\s+--locale", rows["locale"])
    assert re.search(r"reminder\s+-\s+default", rows["reminder"])


def test_voice_config_reports_a_bad_value_in_one_sentence(layers):
    layers[0].write_text("locale: en\nled_pin: 99\n")
    result = run_voice("config")
    assert result.returncode == 1 and "config.yaml:2:1: led_pin must be from 0 to 27" in result.stderr
    assert "Traceback" not in result.stderr


def test_enabled_scripts_limit_what_starts_but_breaks_always_can(layers):
    from voice.assemble import load_library
    from voice.locale import Locale

    layers[1].write_text("scripts: [checkin]\n")
    library = load_library(load_settings(None), Locale.load("en"))
    assert library.for_intent("start_checkin").id == "checkin"
    assert library.for_intent("appreciation") is None
    assert library.for_intent("calming_break").id == "calming-break"
    assert library.for_intent("safety_info").id == "safety-info"  # the safety line tells people to ask for it
    assert library.for_intent("introduction").id == "introduction"
    layers[1].write_text("scripts: [checkn]\n")
    with pytest.raises(ConfigError, match=r"config.yaml:1:1: there is no script 'checkn' in en; use ids from: "):
        load_library(load_settings(None), Locale.load("en"))


def test_reminder_rules():
    sunday_7pm = Weekly.parse("Sun 19:00")
    assert str(sunday_7pm) == "sunday 19:00" and str(QuietHours.parse("22:00-07:00")) == "22:00-07:00"
    at = lambda *a: dt.datetime(*a).timestamp()
    assert not reminder_due(sunday_7pm, None, at(2026, 11, 22, 18, 59), 0)
    assert reminder_due(sunday_7pm, None, at(2026, 11, 22, 19, 0), 0)
    assert not reminder_due(sunday_7pm, None, at(2026, 11, 22, 19, 5), at(2026, 11, 22, 19, 0))  # once
    assert not reminder_due(sunday_7pm, None, at(2026, 11, 22, 22, 1), 0)  # too late: skipped this week
    assert reminder_due(sunday_7pm, None, at(2026, 11, 29, 19, 0), at(2026, 11, 22, 19, 0))  # next week
    quiet = QuietHours.parse("18:30-19:30")
    assert not reminder_due(sunday_7pm, quiet, at(2026, 11, 22, 19, 10), 0)
    assert reminder_due(sunday_7pm, quiet, at(2026, 11, 22, 19, 30), 0)  # held back, then given
    assert dt.datetime(2026, 11, 22, 23, 0) in QuietHours.parse("22:00-07:00")
    assert dt.datetime(2026, 11, 23, 6, 59) in QuietHours.parse("22:00-07:00")
    assert dt.datetime(2026, 11, 23, 7, 0) not in QuietHours.parse("22:00-07:00")
