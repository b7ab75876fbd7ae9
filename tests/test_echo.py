"""Finding the echo path's delay (a sound card's buffers) from the played and heard signals, and the
echo canceller following it: fast, on espeak-ng speech through a simulated room, no Vosk."""

import numpy as np
import pytest

from voice.audio.frames import FRAME_SAMPLES, RATE
from voice.bench.room import Room, impulse_response, to_int16
from voice.bench.speech import espeak, room_noise
from voice.listen.echo import LEAD_SAMPLES, EchoCanceller, EchoDelay

LINES = ("천천히 숨을 들이쉬세요. 그리고 천천히 내쉬세요.", "잘 하고 있어요. 준비가 되면 다음이라고 말해 주세요.")


@pytest.fixture(scope="module")
def voice_frames() -> list[np.ndarray]:
    """About 12 s of the speaker's voice, as 20 ms frames."""
    speech = np.concatenate([espeak(line, voice, 150) for voice in ("ko", "ko+f2") for line in LINES] * 2)
    return list(speech[: len(speech) // FRAME_SAMPLES * FRAME_SAMPLES].reshape(-1, FRAME_SAMPLES))


def through_room(frames, room: Room | None, talk: np.ndarray | None = None):
    """(mic, played) per frame: the room's echo of the frame played before, room noise, and talk."""
    noise = room_noise(len(frames) * FRAME_SAMPLES / RATE + 1, np.random.default_rng(3))
    played = np.zeros(FRAME_SAMPLES, np.int16)
    for index, frame in enumerate(frames):
        span = slice(index * FRAME_SAMPLES, (index + 1) * FRAME_SAMPLES)
        mic = noise[span].astype(np.float64) + (room.echo(played) if room else 0.0)
        if talk is not None:
            mic = mic + talk[span]
        yield to_int16(mic), played
        played = frame


@pytest.mark.parametrize("delay_ms, attenuation_db", [(5, 6.0), (120, 10.0), pytest.param(330, 14.0, marks=pytest.mark.slow),
                                                     pytest.param(600, 20.0, marks=pytest.mark.slow)])
def test_the_echo_delay_is_found_in_the_signals(voice_frames, delay_ms, attenuation_db):
    room = Room(impulse_response(delay_ms, attenuation_db, np.random.default_rng(1)))
    finder = EchoDelay()
    looks = [finder.observe(mic, played, bool(np.abs(played).max() > 100))
             for mic, played in through_room(voice_frames, room)]
    found = [lag for lag in looks if lag is not None]
    assert len(found) >= 3 and all(abs(lag - delay_ms * RATE // 1000) <= 16 for lag in found), found


def test_the_couples_talk_without_an_echo_moves_nothing(voice_frames):
    """Headphones, or the speaker in another room: the other voice never passes for an echo twice."""
    talk = np.concatenate([espeak(text, "ko+f4", 170) for text in ("오늘 회사에서 너무 힘들었어", "저녁에 뭐 먹을까",
                                                                  "주말에 같이 산책 갈까", "나는 요즘 잠을 잘 못 자")] * 4)
    canceller = EchoCanceller()
    canceller.expect_delay(0.1)
    for mic, played in through_room(voice_frames, None, np.resize(talk, len(voice_frames) * FRAME_SAMPLES)):
        canceller.clean(mic, played)
    assert canceller.delay_frames == (int(0.1 * RATE) - LEAD_SAMPLES) // FRAME_SAMPLES


def residual_db(frames, room: Room, canceller: EchoCanceller) -> float:
    """How far below the echo the canceller leaves it, over the last 3 s."""
    echo, left = [], []
    for mic, played in through_room(frames, room):
        echo.append(mic.astype(np.float64))
        left.append(canceller.clean(mic, played).astype(np.float64))
    tail = -3 * RATE // FRAME_SAMPLES
    return 10 * np.log10(np.mean(np.concatenate(echo[tail:]) ** 2) / np.mean(np.concatenate(left[tail:]) ** 2))


@pytest.mark.slow  # 4 s
def test_the_canceller_holds_its_reference_back_by_the_sound_cards_delay(voice_frames):
    """A 300 ms sound card is beyond the 256 ms filter: unaligned, the echo comes through."""
    rng = np.random.default_rng(2)
    response = impulse_response(300, 10.0, rng)
    aligned = EchoCanceller()
    aligned_db = residual_db(voice_frames, Room(response), aligned)
    assert aligned.delay_frames == (300 * RATE // 1000 - LEAD_SAMPLES) // FRAME_SAMPLES
    unaligned = EchoCanceller()
    unaligned._delay.estimate = lambda: None  # as before the delay was measured
    unaligned_db = residual_db(voice_frames, Room(response), unaligned)
    assert aligned_db > 10 and unaligned_db < 3, (aligned_db, unaligned_db)
