"""Settings: defaults < the user's config.yaml < command-line flags, as one frozen dataclass."""

from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs

from .errors import ConfigError, ScriptError
from .yamlfile import load_yaml, where

APP = "voice"


def config_file() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "config.yaml"


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
    cache_dir: Path = field(default_factory=lambda: Path(platformdirs.user_cache_dir(APP)))
    scripts_dir: Path | None = None  # the user's own scripts; None means the config folder's scripts/
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir(APP)))  # session log

    @property
    def user_scripts_dir(self) -> Path:
        """Scripts here (LOCALE/*.yaml, LOCALE/decks/*.yaml) add to the bundled ones or replace them by id."""
        return self.scripts_dir or config_file().parent / "scripts"


_FILE_KEYS = {"locale": str, "model": str, "partners": list, "input_device": (str, int),
              "output_device": (str, int), "tts_engine": str, "tts_voice": str, "tts_rate": int,
              "volume": (int, float), "sentence_pause_ms": int, "question_pause_ms": int, "barge_in": bool}
TTS_ENGINES = ("auto", "piper", "pyttsx3")


def load_settings(path: Path | None = None, **flags: object) -> Settings:
    """The config file (if any) under the command-line flags that were given (not None)."""
    settings = Settings()
    path = path or config_file()
    if path.exists():
        settings = _apply_file(settings, path)
    given = {key: value for key, value in flags.items() if value is not None}
    if isinstance(given.get("partners"), str):
        given["partners"] = _partners(given["partners"].split(","), "--partners")
    for key in ("model", "scripts_dir", "cache_dir"):
        if key in given:
            given[key] = Path(str(given[key])).expanduser()
    return replace(settings, **given)


def _apply_file(settings: Settings, path: Path) -> Settings:
    try:
        data = load_yaml(path)
    except ScriptError as error:
        raise ConfigError(str(error)) from None
    if data is None:
        return settings
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1:1: the configuration must be a mapping of setting: value")
    values: dict[str, object] = {}
    for key, value in data.items():
        if key not in _FILE_KEYS:
            raise ConfigError(f"{where(data, key)}: unknown setting '{key}'; known: {', '.join(_FILE_KEYS)}")
        if isinstance(value, bool) != (_FILE_KEYS[key] is bool) or not isinstance(value, _FILE_KEYS[key]):
            raise ConfigError(f"{where(data, key)}: '{key}' has the wrong type ({value!r}); see the README")
        values[key] = value
    if "partners" in values:
        values["partners"] = _partners(values["partners"], where(data, "partners"))
    if values.get("tts_engine", "auto") not in TTS_ENGINES:
        raise ConfigError(f"{where(data, 'tts_engine')}: tts_engine must be one of {', '.join(TTS_ENGINES)}")
    if not 0 <= values.get("volume", 1.0) <= 1:
        raise ConfigError(f"{where(data, 'volume')}: volume must be between 0 and 1, like 0.8")
    if "model" in values:
        values["model"] = Path(str(values["model"])).expanduser()
    for key in ("input_device", "output_device"):
        if key in values:
            values[key] = str(values[key])
    return replace(settings, **values)


def _partners(names: list, source: str) -> tuple[str, str]:
    cleaned = [str(name).strip() for name in names]
    if len(cleaned) != 2 or not all(cleaned):
        raise ConfigError(f"{source}: give exactly two partner names, like \"Alex,Sam\"")
    return cleaned[0], cleaned[1]
