"""A locale: its intent phrase templates, the speaker's own system lines and its TTS voice."""

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import ConfigError, ScriptError
from .listen.crosscheck import CrossCheck
from .listen.gain import CEILING_DBFS
from .listen.intents import (EXACT_CONFIDENCE, MAX_COST, MIN_CONFIDENCE, IntentMatcher,
                             check_templates)
from .listen.safety_hearing import SafetyHearing
from .yamlfile import load_yaml, where

LOCALES_DIR = Path(__file__).parent / "locales"
MAX_GAIN_DB = 30.0  # more would lift a quiet room's hiss to a talker's level
LOWEST_CEILING_DBFS = -40.0  # a ceiling under a quiet talker's voice would make nothing louder
SAFETY_FLOOR = EXACT_CONFIDENCE["safety"]  # a safety request's, where the locale sets no other
REQUIRED_LINES = (
    "paused", "stopped", "not_running", "already_running", "safety", "safety_stopped", "safety_again",
    "breathing_note", "breathe_inhale", "breathe_top_up", "breathe_hold_in", "breathe_exhale", "breathe_hold_out", "slowest", "fastest", "speech_slower",
    "speech_faster", "turn_soft", "turn_over", "prompt_first", "prompt_second", "more_time", "no_more_time",
    "break_offer", "continuing", "nothing_to_continue", "forgotten", "help_idle", "help_session",
    "help_paused", "help_choice", "help_timer", "or", "reminder", "daily_reminder", "audio_back", "menu_talk", "menu_calm",
    "menu_item", "menu_close",
)
REQUIRED_INTENTS = (
    "safety", "calming_break", "pause", "resume", "next", "done", "back", "repeat", "slower", "faster",
    "stop", "help", "more_time", "continue_session", "forget_tonight",
)


@dataclass(frozen=True)
class Locale:
    code: str  # "en", "ko"
    tts_voice: str  # espeak-ng voice for pyttsx3
    intents: dict[str, list[str]]  # intent name -> phrase templates
    lines: dict[str, str]  # system line name -> text
    default_partners: tuple[str, str]  # names used until the couple configures theirs
    max_cost: float = MAX_COST  # how far a hypothesis may be from a phrase (measured per model)
    min_confidence: float = MIN_CONFIDENCE  # the n-best floor a command must reach (measured per model)
    everyday_words: tuple[str, ...] = ()  # a safety request's second look hears these too (listener.py)
    intent_confidence: dict[str, float] | None = None  # higher floors of a few intents (measured per model)
    cross_check: CrossCheck | None = None  # one-word commands checked by the open recognizer (listener.py)
    gain_db: float = 0.0  # how much louder the grammar recognizer hears an utterance, at most (listen/gain.py)
    gain_ceiling_dbfs: float = CEILING_DBFS  # and the loudest 20 ms it may make of it
    noisy_start_confidence: float = 0.0  # a start's or break's floor in a noisy room (listener.py)
    noisy_safety_confidence: float = SAFETY_FLOOR  # a safety request's there (listener.py)
    second_look_in_quiet: bool = False  # every safety request in a quiet room gets the second look
    safety_heard_openly_in_quiet: bool = False  # and must be heard by the open recognizer there too

    @cached_property
    def second_look(self) -> tuple[str, ...]:
        """What a safety request heard in a small command set is heard among a second time
        (listener.py): the locale's own commands and its everyday words, as measured, and never the
        scripts' phrases, which anyone may add: with the bundled scripts' start phrases too, espeak-ng's
        도움이 필요해 in a partner's turn and over the speaker's voice was 도움이 귀 계속해 (귀
        기울이기 starts a script), and the request was turned away (issue 17's note)."""
        return (*IntentMatcher(self.intents).grammar(), *self.everyday_words)

    @cached_property
    def safety_hearing(self) -> SafetyHearing:
        """How the listener makes sure a safety request it heard was one
        (listen/safety_hearing.py)."""
        return SafetyHearing(second_look_phrases=self.second_look,
                             everyday_words=frozenset(self.everyday_words),
                             noisy_confidence=self.noisy_safety_confidence,
                             second_look_in_quiet=self.second_look_in_quiet,
                             heard_openly_in_quiet=self.safety_heard_openly_in_quiet)

    @classmethod
    def load(cls, code: str) -> "Locale":
        path = LOCALES_DIR / f"{code}.yaml"
        if not path.exists():
            known = ", ".join(sorted(p.stem for p in LOCALES_DIR.glob("*.yaml")))
            raise ConfigError(f"there is no locale '{code}'; use one of: {known}")
        return cls.from_file(path)

    @classmethod
    def from_file(cls, path: Path) -> "Locale":
        data = load_yaml(path)
        if not isinstance(data, dict):
            raise ScriptError(f"{path}:1:1: a locale file must be a mapping with intents and lines")
        lines = data.get("lines")
        missing = [name for name in REQUIRED_LINES if not isinstance(lines, dict) or name not in lines]
        if missing:
            raise ScriptError(f"{where(data, 'lines')}: add the system lines {', '.join(missing)} under 'lines'")
        intents = check_templates(data.get("intents"), where(data, "intents"))
        absent = [name for name in REQUIRED_INTENTS if name not in intents]
        if absent:
            raise ScriptError(f"{where(data, 'intents')}: add phrases for the commands {', '.join(absent)}")
        voice = str(data.get("tts_voice", path.stem))
        return cls(
            code=str(data.get("locale", path.stem)),
            tts_voice=voice,
            intents=intents,
            lines={str(k): str(v) for k, v in lines.items()},
            default_partners=tuple(data.get("default_partners", ["Partner one", "Partner two"]))[:2],
            max_cost=_fraction(data, "max_cost", MAX_COST),
            min_confidence=_fraction(data, "min_confidence", MIN_CONFIDENCE),
            everyday_words=_words(data, "everyday_words"),
            intent_confidence=_floors(data, "intent_confidence", intents),
            cross_check=_cross_check(data, voice),
            gain_db=_decibels(data, "gain_db", 0.0, MAX_GAIN_DB),
            gain_ceiling_dbfs=_level(data, "gain_ceiling_dbfs", CEILING_DBFS),
            noisy_start_confidence=_fraction(data, "noisy_start_confidence", 0.0),
            noisy_safety_confidence=_fraction(data, "noisy_safety_confidence", SAFETY_FLOOR),
            second_look_in_quiet=_flag(data, "second_look_in_quiet"),
            safety_heard_openly_in_quiet=_flag(data, "safety_heard_openly_in_quiet"),
        )


def _cross_check(data: dict, voice: str) -> CrossCheck | None:
    if "cross_check" not in data:
        return None
    limit = _fraction(data, "cross_check", 0.0)
    interrupting = _fraction(data, "cross_check_interrupting", limit)
    return CrossCheck(limit, voice, interrupting, _fraction(data, "cross_check_doubtful", interrupting))


def _fraction(data: dict, key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ScriptError(f"{where(data, key)}: '{key}' must be a number from 0 to 1, not {value!r}")
    return float(value)


def _flag(data: dict, key: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ScriptError(f"{where(data, key)}: '{key}' must be true or false, not {value!r}")
    return value


def _decibels(data: dict, key: str, default: float, most: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= most:
        raise ScriptError(f"{where(data, key)}: '{key}' must be a number of decibels from 0 to {most:g}, not {value!r}")
    return float(value)


def _level(data: dict, key: str, default: float) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not LOWEST_CEILING_DBFS <= value <= 0:
        raise ScriptError(f"{where(data, key)}: '{key}' must be a level in dBFS from {LOWEST_CEILING_DBFS:g} to 0, "
                          f"not {value!r}")
    return float(value)


def _floors(data: dict, key: str, intents: dict[str, list[str]]) -> dict[str, float]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ScriptError(f"{where(data, key)}: '{key}' must map commands to a number from 0 to 1")
    unknown = [name for name in value if name not in intents]
    if unknown:
        raise ScriptError(f"{where(value, unknown[0])}: '{unknown[0]}' in '{key}' is not a command of this locale")
    return {str(name): _fraction(value, name, 0.0) for name in value}


def _words(data: dict, key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(word, str) and word.strip() for word in value):
        raise ScriptError(f"{where(data, key)}: '{key}' must be a list of words")
    return tuple(word.strip().lower() for word in value)
