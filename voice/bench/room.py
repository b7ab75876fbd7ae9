"""A simulated living room between the speaker and the microphone: the speaker's output comes back
delayed, quieter and with reverb, on top of whatever the couple says. Used by the self-echo test and
`voice bench bargein`."""

import numpy as np

from ..audio.frames import FRAME_SAMPLES, RATE


def impulse_response(delay_ms: float, attenuation_db: float, rng: np.random.Generator,
                     rt60_ms: float = 300.0, reverb_db: float = -12.0) -> np.ndarray:
    """A direct path `delay_ms` late and `attenuation_db` down, then a decaying diffuse tail."""
    delay = int(RATE * delay_ms / 1000)
    length = delay + int(RATE * rt60_ms / 1000)
    response = np.zeros(length)
    response[delay] = 10 ** (-attenuation_db / 20)
    tail = np.arange(length - delay - 40)
    decay = np.exp(-6.9 * tail / (RATE * rt60_ms / 1000))  # -60 dB at rt60
    response[delay + 40 :] += rng.standard_normal(len(tail)) * decay * 10 ** ((reverb_db - attenuation_db) / 20) * 0.1
    return response


class Room:
    """Frame by frame: feed what the speaker played, get what the microphone hears of it."""

    def __init__(self, response: np.ndarray) -> None:
        self.response = response
        self._history = np.zeros(len(response) + FRAME_SAMPLES - 1)
        self._size = 1 << int(np.ceil(np.log2(len(self._history) + len(response))))
        self._spectrum = np.fft.rfft(response, self._size)

    def echo(self, played: np.ndarray) -> np.ndarray:
        self._history = np.concatenate([self._history[FRAME_SAMPLES:], played.astype(np.float64)])
        full = np.fft.irfft(np.fft.rfft(self._history, self._size) * self._spectrum, self._size)
        start = len(self._history) - FRAME_SAMPLES
        return full[start : start + FRAME_SAMPLES]


def to_int16(samples: np.ndarray) -> np.ndarray:
    return np.clip(np.round(samples), -32768, 32767).astype(np.int16)
