"""Audio at the edges: WAV inputs of any shape, and the frame-level endpointer."""

import wave

import numpy as np
import pytest

from voice.audio.frames import FRAME_SAMPLES, RATE, frames_for, split_frames
from voice.audio.wavfile import read_wav, write_wav
from voice.errors import AudioError
from voice.listen.endpoint import END_FRAMES, PRE_ROLL_FRAMES, START_FRAMES, Endpointer


def tone(seconds: float, rate: int = RATE, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return np.sin(2 * np.pi * 300 * t) * level


@pytest.mark.parametrize("rate, channels, width", [(48000, 2, 2), (22050, 1, 3), (8000, 1, 1), (44100, 2, 4)])
def test_any_pcm_wav_becomes_16k_mono(tmp_path, rate, channels, width):
    signal = tone(1.0, rate)
    scaled = {1: (signal * 127 + 128).astype(np.uint8), 2: (signal * 32767).astype("<i2"),
              4: (signal * 2**31 * 0.99).astype("<i4")}
    if width == 3:
        ints = (signal * (2**23 - 1)).astype("<i4")
        raw = b"".join(int(v).to_bytes(3, "little", signed=True) for v in ints)
    else:
        raw = np.repeat(scaled[width], channels).tobytes() if channels > 1 else scaled[width].tobytes()
    path = tmp_path / "in.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(raw)
    audio = read_wav(path)
    assert audio.dtype == np.int16 and abs(len(audio) - RATE) <= 2
    assert 0.25 < np.abs(audio[1000:-1000]).max() / 32768 < 0.35


def test_wav_round_trip_is_lossless(tmp_path):
    samples = np.random.default_rng(1).integers(-32768, 32767, 16000).astype(np.int16)
    write_wav(tmp_path / "x.wav", samples)
    assert np.array_equal(read_wav(tmp_path / "x.wav"), samples)


@pytest.mark.parametrize("content, message", [
    (b"", "is not a readable PCM WAV file"),
    (b"RIFF\x00\x00\x00\x00WAVEfmt ", "is not a readable PCM WAV file"),
    (b"hello, this is text", "is not a readable PCM WAV file"),
])
def test_broken_wavs_get_one_clear_error(tmp_path, content, message):
    (tmp_path / "bad.wav").write_bytes(content)
    with pytest.raises(AudioError, match=message):
        read_wav(tmp_path / "bad.wav")


def test_endpointer_finds_speech_in_room_noise_with_pre_roll():
    rng = np.random.default_rng(7)
    noise = lambda s: rng.normal(0, 80, int(s * RATE))  # noqa: E731  about -52 dBFS room noise
    audio = np.concatenate([noise(3.0), tone(1.0) * 32767 + noise(1.0), noise(2.0)]).astype(np.int16)
    endpointer, handed, ended_at, started_at = Endpointer(), 0, None, None
    for index, frame in enumerate(split_frames(audio)):
        segment = endpointer.feed(frame)
        if segment.frames and started_at is None:
            started_at = index
            assert len(segment.frames) == PRE_ROLL_FRAMES  # the first syllable is not lost
        handed += len(segment.frames)
        if segment.ended:
            ended_at = index
    speech_start, speech_end = frames_for(3.0), frames_for(4.0)
    assert started_at == speech_start + START_FRAMES - 1
    assert ended_at == speech_end + END_FRAMES - 1
    assert handed == PRE_ROLL_FRAMES + (ended_at - started_at)  # Vosk hears speech only
    assert frames_for(1.9) <= endpointer.quiet_frames <= frames_for(2.0)


def test_frames_are_20ms_and_padded():
    frames = split_frames(np.ones(FRAME_SAMPLES * 2 + 5, np.int16))
    assert len(frames) == 3 and all(len(f) == FRAME_SAMPLES for f in frames) and frames[2][5:].sum() == 0
