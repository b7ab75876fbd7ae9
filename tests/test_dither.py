"""The dither before Vosk: a sample step of noise, as Kaldi's models were trained with, the same for
the same utterance every time (Kaldi's own drew from a rand() shared between threads)."""

import numpy as np

from voice.audio.frames import FRAME_SAMPLES
from voice.listen.dither import AMOUNT, Dither


def test_digital_silence_reaches_the_recognizer_as_a_faint_noise():
    heard = np.concatenate([Dither()(np.zeros(FRAME_SAMPLES, np.int16)) for _ in range(50)])
    assert heard.dtype == np.int16 and np.count_nonzero(heard) > 0.5 * len(heard)
    assert abs(np.std(heard) - AMOUNT) < 0.15 * AMOUNT and np.abs(heard).max() <= 6


def test_an_utterance_is_dithered_the_same_every_time_it_is_heard():
    frames = [np.random.default_rng(n).integers(-3000, 3000, FRAME_SAMPLES).astype(np.int16) for n in range(5)]
    dither = Dither()
    first = [dither(frame) for frame in frames]
    dither(frames[0])  # something else heard in between
    dither.restart()
    again = [dither(frame) for frame in frames]
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert all(np.abs(a.astype(int) - f).max() <= 6 for a, f in zip(first, frames))


def test_full_scale_stays_in_range():
    loud = np.array([32767, -32768] * (FRAME_SAMPLES // 2), np.int16)
    heard = Dither()(loud)
    assert heard.dtype == np.int16 and heard.max() <= 32767 and heard.min() >= -32768
