"""Choosing the voice from the settings: `tts_engine: auto | piper | pyttsx3`, and listing voices."""

import logging

from ..config import Settings
from ..errors import SpeechError
from ..locale import Locale
from .delivery import Delivery, Voice
from .piper_voice import DEFAULT_VOICE, PiperVoice, piper_installed, piper_voices
from .pyttsx3_voice import Pyttsx3Voice, espeak_voices

log = logging.getLogger(__name__)
PIPER_LOCALES = {"en"}  # locales with a bundled Piper voice; the rest speak through espeak-ng
BASE_RATE = 150  # tts_rate at which Piper speaks at its own pace


def open_voice(settings: Settings, locale: Locale) -> Voice:
    engine = settings.tts_engine
    if engine == "auto":
        engine = "piper" if piper_installed() and locale.code in PIPER_LOCALES else "pyttsx3"
    if engine == "piper":
        if locale.code not in PIPER_LOCALES and settings.tts_voice is None:
            raise SpeechError(f"there is no Piper voice for '{locale.code}'; name a Piper .onnx voice in "
                              "tts_voice or set tts_engine: pyttsx3")
        return PiperVoice(settings.tts_voice or DEFAULT_VOICE, speed=settings.tts_rate / BASE_RATE)
    return Pyttsx3Voice(settings.tts_voice or locale.tts_voice, rate=settings.tts_rate)


def delivery_for(settings: Settings) -> Delivery:
    return Delivery(settings.sentence_pause_ms, settings.question_pause_ms, volume=settings.volume,
                    locale=settings.locale)


def list_voices() -> list[tuple[str, str, str]]:
    """(engine, id, description) of every voice this machine can speak with."""
    voices = [("piper", name, path) for name, path in piper_voices().items()]
    try:
        voices += [("pyttsx3", id_, name) for id_, name in sorted(espeak_voices().items())]
    except SpeechError as error:
        log.warning("%s", error)
    return voices
