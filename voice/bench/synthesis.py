"""`voice bench synthesis`: pyttsx3 (espeak-ng) under stress, in its worker process.

Two phases over every line of both locales' libraries: (1) plain rendering, counting the worker's
own crashes and hangs (each is a restart); (2) the same with the worker killed by SIGSEGV every
KILL_EVERY renders, as a native crash would, counting lines that still came out whole.
"""

import os
import signal
import time
from dataclasses import replace

from ..assemble import load_library
from ..config import Settings
from ..exercises.lines import every_line
from ..locale import Locale
from ..speak.delivery import split_sentences
from ..speak.pyttsx3_voice import Pyttsx3Voice, _Worker

TARGETS = {"natural_crashes": 0, "lines_lost_to_injected_crashes": 0}
KILL_EVERY = 25


def synthesis(settings: Settings, quick: bool) -> dict:
    sentences = []
    for code in ("en", "ko"):
        locale = Locale.load(code)
        library = load_library(replace(settings, locale=code, scripts=None), locale)
        texts = every_line(library, locale, locale.default_partners)
        sentences += [(locale.tts_voice, part) for text in texts for part in split_sentences(text)]
    if quick:
        sentences = sentences[:60]
    worker = _Worker.get()
    voices = {name: Pyttsx3Voice(name) for name in {name for name, _ in sentences}}
    restarts_before = worker.restarts
    started = time.perf_counter()
    empty = sum(not len(voices[name].sentence(text)) for name, text in sentences)
    plain_s = time.perf_counter() - started
    natural = worker.restarts - restarts_before
    injected = lost = 0
    restarts_before = worker.restarts
    for number, (name, text) in enumerate(sentences):
        if number % KILL_EVERY == KILL_EVERY - 1 and worker._process is not None:
            os.kill(worker._process.pid, signal.SIGSEGV)
            injected += 1
        try:
            lost += not len(voices[name].sentence(text))
        except Exception:
            lost += 1
    recovered = worker.restarts - restarts_before
    result = {
        "benchmark": "synthesis", "targets": TARGETS, "renders": 2 * len(sentences),
        "ms_per_render": round(1000 * plain_s / len(sentences), 2), "empty_renders": empty,
        "natural_crashes": natural, "injected_crashes": injected, "restarts_after_injection": recovered,
        "lines_lost_to_injected_crashes": lost,
    }
    result["summary"] = (f"{result['renders']} renders, {natural} crashes of its own; {injected} injected "
                         f"SIGSEGVs, {recovered} restarts, {lost} lines lost; {result['ms_per_render']} ms a render")
    return result
