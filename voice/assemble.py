"""Assembling an engine from settings: locale, script library, voice, prompt cache, log and listener."""

import logging
import time
from pathlib import Path

from .config import Settings
from .engine import Engine
from .errors import ConfigError
from .exercises.history import SessionLog
from .exercises.library import Library, bundled_scripts_dir
from .listen.echo import echo_canceller
from .listen.intents import IntentMatcher
from .listen.listener import Listener
from .listen.recognizer import GrammarRecognizer
from .locale import Locale
from .policy import BREAK_INTENTS
from .speak.cache import PromptCache
from .speak.voices import delivery_for, open_voice

log = logging.getLogger(__name__)


def script_folders(settings: Settings) -> list[Path]:
    """Bundled scripts, then the user's folder (the config dir's scripts/, or --scripts): later wins."""
    return [bundled_scripts_dir(), settings.user_scripts_dir]


def load_library(settings: Settings, locale: Locale) -> Library:
    library = Library(script_folders(settings), locale.code, locale.intents)
    if settings.scripts is not None:
        unknown = [name for name in settings.scripts if name not in library.scripts]
        if unknown:
            raise ConfigError(f"{settings.source('scripts')}: there is no script '{unknown[0]}' in {locale.code}; "
                              f"use ids from: {', '.join(sorted(library.scripts))}")
        breaks = {s.id for s in library.scripts.values() if BREAK_INTENTS & set(s.start_intents)}
        library.enabled = frozenset(settings.scripts) | breaks  # "I need a break" works in any exercise
    return library


SESSION_LOG = "sessions.db"
REHEARSAL_LOG = "rehearsals.db"  # `voice simulate`: rehearsed sessions stay out of the couple's history


def build_engine(settings: Settings, recognize: bool, seed: int | None = None, log_name: str = SESSION_LOG,
                 prepare: bool = True) -> Engine:
    """Everything the engine needs; `recognize=False` (simulate) loads no speech model; `seed` makes the
    prompt draws repeatable (golden runs); `log_name` is the session log's file in the data folder;
    `prepare=False` (a quick benchmark) renders each line when it is first said, not every line ahead."""
    locale = Locale.load(settings.locale)
    library = load_library(settings, locale)
    partners = settings.partners or locale.default_partners
    matcher = IntentMatcher({**locale.intents, **library.phrases},  # commands, the scripts' choices and start phrases
                            locale.max_cost, locale.min_confidence, locale.intent_confidence)
    listener = listener_for(locale, matcher,
                            recognizer_for(settings, locale, matcher) if recognize else None)
    voice = open_voice(settings, locale)
    cache = PromptCache(voice, settings.cache_dir / "prompts", delivery_for(settings))
    history = SessionLog(settings.data_dir / log_name)
    echo = echo_canceller() if recognize and settings.barge_in else None
    engine = Engine(locale, library, cache, listener, partners, history, echo=echo, reminder=settings.reminder,
                    daily_reminder=settings.daily_reminder,
                    quiet_hours=settings.quiet_hours, seed=seed)
    lines = engine.lines() if prepare else []
    cache.prepare(lines)  # in the background: listening starts now, a line asked for early goes first
    log.info("%d scripts and %d prompt decks ready; %s voice %s; %d lines to prepare", len(library.scripts),
             len(library.decks), voice.engine, voice.cache_key, len(lines))
    return engine


def listener_for(locale: Locale, matcher: IntentMatcher, recognizer: GrammarRecognizer | None,
                 denoise: bool = True) -> Listener:
    """A listener that hears as the locale's measured settings say (the speaker's, the benches')."""
    return Listener(matcher, recognizer, denoise=denoise, cross_check=locale.cross_check,
                    gain_db=locale.gain_db, gain_ceiling_dbfs=locale.gain_ceiling_dbfs,
                    pronunciation=locale.tts_voice,
                    noisy_start_confidence=locale.noisy_start_confidence,
                    safety=locale.safety_hearing)


def recognizer_for(settings: Settings, locale: Locale, matcher: IntentMatcher):
    from .listen.recognizer import load_model, missing_words
    from .models import default_model

    path = settings.model or default_model(locale.code)
    started = time.perf_counter()
    model = load_model(path, None if settings.model else locale.code)
    log.info("speech model loaded from %s in %.2f s", path, time.perf_counter() - started)
    missing = missing_words(model, matcher.words)
    if missing:
        log.warning("the speech model does not know these command words, so they cannot be heard: %s; "
                    "change them in voice/locales/%s.yaml or the script that uses them", ", ".join(missing),
                    locale.code)
    return GrammarRecognizer(model)
