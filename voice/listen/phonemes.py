"""How a word sounds, by espeak-ng's pronunciation rules: libespeak-ng's `espeak_TextToPhonemes`.

espeak-ng is on every speaker already (pyttsx3's voice; the Makefile installs it). Its library is
called here through ctypes, in this process, only to turn text into phonemes: no audio, no callbacks,
about 20 µs a word, each word once (`sounds` caches). Synthesis, which once crashed, stays in
pyttsx3's own process (speak/pyttsx3_worker.py). espeak-ng keeps one voice for the whole process, so
every call holds a lock and sets its voice first.
"""

import ctypes
import logging
import threading
from functools import cache

LIBRARY = "libespeak-ng.so.1"
AUDIO_OUTPUT_RETRIEVAL = 1  # no sound device: phonemes only
CHARS_UTF8 = 1
PHONEMES_IPA = 0x02
NOT_SOUNDS = str.maketrans("", "", "ˈˌ \n")  # stress marks and word breaks

log = logging.getLogger(__name__)
_lock = threading.Lock()


class Phonemizer:
    """espeak-ng's library, loaded once; None from `phonemizer()` where it cannot be loaded."""

    def __init__(self, library: ctypes.CDLL) -> None:
        self._lib = library
        self._lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        self._lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
        self._voice = b""

    def phonemes(self, word: str, voice: str) -> str:
        """`word` in espeak-ng voice `voice` ("gmw/en-us") as IPA characters, without stress marks:
        "help" is "hɛlp", "down" "daʊn"."""
        with _lock:
            if voice.encode() != self._voice:
                if self._lib.espeak_SetVoiceByName(voice.encode()) != 0:
                    raise ValueError(f"espeak-ng has no voice '{voice}'")
                self._voice = voice.encode()
            text = ctypes.c_char_p(word.encode())
            clauses = []
            while text.value:
                clauses.append(self._lib.espeak_TextToPhonemes(ctypes.byref(text), CHARS_UTF8, PHONEMES_IPA) or b"")
        return "".join(clause.decode() for clause in clauses).translate(NOT_SOUNDS)


@cache
def phonemizer() -> Phonemizer | None:
    """The process's phonemizer, or None (logged once) where espeak-ng's library is missing."""
    try:
        library = ctypes.CDLL(LIBRARY)
        if library.espeak_Initialize(AUDIO_OUTPUT_RETRIEVAL, 0, None, 0) < 0:
            raise OSError("espeak_Initialize failed (is espeak-ng-data installed?)")
    except OSError as error:
        log.warning("espeak-ng's library could not be loaded (%s); words are compared by spelling "
                    "instead of sound. Install it: sudo apt-get install espeak-ng", error)
        return None
    return Phonemizer(library)


@cache
def sounds(word: str, voice: str) -> str | None:
    """`word`'s phonemes in `voice`, or None where espeak-ng cannot say (no library, no such voice)."""
    speaker = phonemizer()
    if speaker is None:
        return None
    try:
        return speaker.phonemes(word, voice)
    except ValueError as error:
        log.warning("%s; words are compared by spelling instead of sound", error)
        return None


def phrase_sounds(text: str, voice: str) -> str | None:
    """The sounds of `text`'s words, one after another, or None where espeak-ng cannot say one of them."""
    said = [sounds(word, voice) for word in text.lower().split()]
    return None if None in said else "".join(said)
