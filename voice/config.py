"""Settings, merged in order: defaults < /etc/voice/config.yaml < the user's config.yaml < VOICE_* variables
< command-line flags. The result is one frozen dataclass that remembers where each value came from.
"""

import difflib
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import platformdirs

from .errors import ConfigError, ScriptError
from .schedule import Daily, QuietHours, Weekly
from .yamlfile import load_yaml, where

log = logging.getLogger(__name__)
APP = "voice"
SYSTEM_CONFIG = Path("/etc/voice/config.yaml")
TTS_ENGINES = ("auto", "piper", "pyttsx3")


def config_file() -> Path:
    """The user's config.yaml (VOICE_CONFIG names another)."""
    return Path(os.environ.get("VOICE_CONFIG") or Path(platformdirs.user_config_dir(APP)) / "config.yaml")


def system_config_file() -> Path:
    return Path(os.environ.get("VOICE_SYSTEM_CONFIG") or SYSTEM_CONFIG)


def _default_dir(systemd_variable: str, user_dir: Callable[[str], str]) -> Path:
    """systemd's StateDirectory= / CacheDirectory= when running as the service, else the user's folder."""
    given = os.environ.get(systemd_variable)
    return Path(given.split(":")[0]) if given else Path(user_dir(APP))


@dataclass(frozen=True)
class Settings:
    locale: str = "en"  # "en" or "ko": intents, lines, scripts and voice
    model: Path | None = None  # Vosk model folder; None means the locale's default
    partners: tuple[str, str] | None = None  # names; None means the locale's defaults
    input_device: str | None = None  # index or name substring; None is the system default
    output_device: str | None = None
    tts_engine: str = "auto"  # auto (Piper when installed and it has a voice for the locale), piper, pyttsx3
    tts_voice: str | None = None  # an espeak-ng voice id, a Piper voice name or .onnx path; None: the locale's
    tts_rate: int = 150  # words per minute for espeak-ng (Piper scales its own pace by rate / 150)
    volume: float = 1.0  # 0..1, on top of the loudness every line is normalized to
    sentence_pause_ms: int = 350  # silence between the sentences of a line
    question_pause_ms: int = 700  # ... and after a question
    barge_in: bool = True  # "stop" and "pause" heard while the speaker talks (echo cancellation)
    scripts: tuple[str, ...] | None = None  # script ids that can be started; None: all (breaks always can)
    quiet_hours: QuietHours | None = None  # the speaker starts nothing by itself then (the reminder waits)
    reminder: Weekly | None = None  # the weekly check-in reminder, like "sunday 19:00"; None: no reminder
    daily_reminder: Daily | None = None  # the daily connection's reminder, like "20:00"; None (the default): none
    button_pin: int | None = None  # GPIO (BCM number) of a push button: press mutes, long press stops
    led_pin: int | None = None  # GPIO of an LED: on listening, blinking speaking, off muted
    cache_dir: Path = field(default_factory=lambda: _default_dir("CACHE_DIRECTORY", platformdirs.user_cache_dir))
    scripts_dir: Path | None = None  # the user's own scripts; None means the config folder's scripts/
    data_dir: Path = field(default_factory=lambda: _default_dir("STATE_DIRECTORY", platformdirs.user_data_dir))
    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)  # key -> where set

    @property
    def user_scripts_dir(self) -> Path:
        """Scripts here (LOCALE/*.yaml, LOCALE/decks/*.yaml) add to the bundled ones or replace them by id."""
        return self.scripts_dir or config_file().parent / "scripts"

    def source(self, key: str) -> str:
        return self.sources.get(key, "default")


# How each setting is read from YAML, a VOICE_* variable or a flag, and an example of a good value.
def _text(value: object) -> str:
    if isinstance(value, (dict, list, bool)) or value is None:
        raise ValueError("must be text")
    return str(value)


def _number(kind: type, low: float, high: float) -> Callable[[object], float]:
    def parse(value: object) -> float:
        if isinstance(value, bool):
            raise ValueError(f"must be a number from {low:g} to {high:g}")
        try:
            number = kind(value)
        except (TypeError, ValueError, OverflowError):  # OverflowError: int(.inf)
            raise ValueError(f"must be a number from {low:g} to {high:g}") from None
        if not low <= number <= high:
            raise ValueError(f"must be from {low:g} to {high:g}")
        return number
    return parse


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise ValueError("must be true or false")


def _names(value: object) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list):
        raise ValueError("must be a list")
    return [_text(item).strip() for item in items]


def _partners(value: object) -> tuple[str, str]:
    names = _names(value)
    if len(names) != 2 or not all(names):
        raise ValueError("needs exactly two names")
    return names[0], names[1]


def _choice(*choices: str) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if _text(value) not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return str(value)
    return parse


def _locale(value: object) -> str:
    from .locale import LOCALES_DIR

    return _choice(*sorted(p.stem for p in LOCALES_DIR.glob("*.yaml")))(value)


def _path(value: object) -> Path:
    return Path(_text(value)).expanduser()


def _schedule(kind: type) -> Callable[[object], object]:
    return lambda value: kind.parse(_text(value))


_PARSERS: dict[str, tuple[Callable[[object], object], str]] = {
    "locale": (_locale, "en"),
    "model": (_path, "/opt/voice/audio_models/vosk-model-small-en-us-0.15"),
    "partners": (_partners, "Alex,Sam"),
    "input_device": (_text, "USB"),
    "output_device": (_text, "USB"),
    "tts_engine": (_choice(*TTS_ENGINES), "auto"),
    "tts_voice": (_text, "en_US-joe-medium"),
    "tts_rate": (_number(int, 80, 300), "150"),
    "volume": (_number(float, 0, 1), "0.8"),
    "sentence_pause_ms": (_number(int, 0, 5000), "350"),
    "question_pause_ms": (_number(int, 0, 5000), "700"),
    "barge_in": (_bool, "true"),
    "scripts": (lambda value: tuple(_names(value)), "checkin,calming-break"),
    "quiet_hours": (_schedule(QuietHours), "22:00-07:00"),
    "reminder": (_schedule(Weekly), "sunday 19:00"),
    "daily_reminder": (_schedule(Daily), "20:00"),
    "button_pin": (_number(int, 0, 27), "17"),
    "led_pin": (_number(int, 0, 27), "27"),
    "cache_dir": (_path, "/var/cache/voice"),
    "scripts_dir": (_path, "/etc/voice/scripts"),
    "data_dir": (_path, "/var/lib/voice"),
}
KEYS = tuple(_PARSERS)
assert set(KEYS) == {f.name for f in fields(Settings)} - {"sources"}
_OPTIONAL = {f.name for f in fields(Settings) if f.default is None}
_FLAGS = {"scripts_dir": "--scripts", "tts_engine": "--engine", "tts_voice": "--voice"}  # the rest: --key-name


def load_settings(path: Path | None = None, files: bool = True, **flags: object) -> Settings:
    """Every layer in order; `path` replaces the user's config.yaml (--config); flags that are None are
    unset; `files=False` leaves the config files out (the doctor, when one of them is broken)."""
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    if path is not None and files and not path.is_file():
        raise ConfigError(f"--config {path}: there is no such file; give the path of a config.yaml "
                          "(see hardware/config.example.yaml)")
    layers = (_file_layer(system_config_file()), _file_layer(path or config_file())) if files else ()
    for layer in (*layers, _env_layer(), _flag_layer(flags)):
        for key, (raw, source) in layer.items():
            values[key], sources[key] = _parse(key, raw, source), source
    return replace(Settings(), **values, sources=sources)


def _parse(key: str, raw: object, source: str) -> object:
    if raw is None and key in _OPTIONAL:
        return None  # "null" unsets an optional setting that a lower layer set
    parse, example = _PARSERS[key]
    try:
        return parse(raw)
    except ValueError as error:
        if source.startswith("--"):
            example = f"{source} {example}"
        elif source.startswith("VOICE_"):
            example = f"{source}={example}"
        else:
            example = f"{key}: {example}"
        raise ConfigError(f"{source}: {key} {error} (got {raw!r}); for example {example}") from None


def _file_layer(path: Path) -> dict[str, tuple[object, str]]:
    if not path.is_file():
        return {}
    try:
        data = load_yaml(path)
    except ScriptError as error:
        raise ConfigError(str(error)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1:1: the configuration must be a mapping of setting: value, like locale: en")
    layer = {}
    for key, value in data.items():
        if key not in _PARSERS:
            raise ConfigError(f"{where(data, key)}: unknown setting '{key}'{_did_you_mean(str(key))}; "
                              "'voice config' lists every setting")
        layer[key] = (value, where(data, key))
    return layer


def _env_layer() -> dict[str, tuple[object, str]]:
    layer = {}
    for name, value in os.environ.items():
        if not name.startswith("VOICE_") or name in ("VOICE_CONFIG", "VOICE_SYSTEM_CONFIG", "VOICE_DEBUG"):
            continue
        key = name.removeprefix("VOICE_").lower()
        if key in _PARSERS:
            layer[key] = (None if value.strip().lower() in ("", "null", "none") else value, name)
        else:
            log.warning("ignoring the environment variable %s: no such setting%s", name, _did_you_mean(key))
    return layer


def _flag_layer(flags: Mapping[str, object]) -> dict[str, tuple[object, str]]:
    return {key: (value, _FLAGS.get(key, f"--{key.replace('_', '-')}")) for key, value in flags.items() if value is not None}


def _did_you_mean(key: str) -> str:
    close = difflib.get_close_matches(key.lower(), KEYS, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def describe(settings: Settings) -> list[tuple[str, str, str]]:
    """(setting, effective value, where it came from) for `voice config`."""
    rows = []
    for key in KEYS:
        value = getattr(settings, key)
        if isinstance(value, tuple):
            value = ", ".join(value)
        source = settings.source(key)
        if source == "default" and key in ("cache_dir", "data_dir"):
            variable = "CACHE_DIRECTORY" if key == "cache_dir" else "STATE_DIRECTORY"
            source = f"systemd {variable}" if os.environ.get(variable) else "default (user folder)"
        rows.append((key, "-" if value is None else str(value), source))
    return rows
