"""Assembling an engine from settings: locale, scripts, voice, prompt cache and listener."""

import logging
import time

from .config import Settings
from .engine import Engine
from .exercises.script import bundled_scripts_dir, load_scripts
from .listen.intents import IntentMatcher
from .listen.listener import Listener
from .locale import Locale
from .speak.cache import PromptCache
from .speak.tts import Pyttsx3Voice

log = logging.getLogger(__name__)


def build_engine(settings: Settings, recognize: bool) -> Engine:
    """Everything the engine needs; `recognize=False` (simulate) loads no speech model."""
    locale = Locale.load(settings.locale)
    folders = [bundled_scripts_dir()] + ([settings.scripts_dir] if settings.scripts_dir else [])
    scripts = load_scripts(folders, locale.code)
    partner_a, partner_b = settings.partners or locale.default_partners
    matcher = IntentMatcher(locale.intents)
    listener = Listener(matcher, _recognizer(settings, locale, matcher) if recognize else None)
    voice = Pyttsx3Voice(locale.tts_voice, rate=settings.tts_rate)
    cache = PromptCache(voice, settings.cache_dir / "prompts")
    engine = Engine(locale, scripts, cache, listener, {"partner_a": partner_a, "partner_b": partner_b})
    lines = engine.lines()
    started = time.perf_counter()
    cache.prepare(lines)
    log.info("%d scripts ready; %d lines prepared (%d rendered) in %.2f s", len(scripts),
             len(set(lines)), cache.misses, time.perf_counter() - started)
    return engine


def _recognizer(settings: Settings, locale: Locale, matcher: IntentMatcher):
    from .listen.recognizer import GrammarRecognizer, load_model, missing_words
    from .models import default_model

    path = settings.model or default_model(locale.code)
    started = time.perf_counter()
    model = load_model(path)
    log.info("speech model loaded from %s in %.2f s", path, time.perf_counter() - started)
    missing = missing_words(model, matcher.words)
    if missing:
        log.warning("the speech model does not know these command words, so they cannot be heard: %s; "
                    "change them in voice/locales/%s.yaml", ", ".join(missing), locale.code)
    return GrammarRecognizer(model, matcher.grammar)
