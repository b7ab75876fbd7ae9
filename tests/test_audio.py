"""Audio at the edges: WAV inputs of any shape, and the frame-level endpointer."""

import io

import numpy as np
import pytest
import soundfile

from voice.audio.frames import FRAME_SAMPLES, RATE, frames_for, split_frames
from voice.audio.wavfile import read_wav, write_wav
from voice.errors import AudioError
from voice.listen.endpoint import END_FRAMES, PRE_ROLL_FRAMES, START_FRAMES, Endpointer


def tone(seconds: float, rate: int = RATE, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return np.sin(2 * np.pi * 300 * t) * level


# What recorders really write: the wave module's classic PCM, and libsndfile's WAVEX (sox and most
# tools use it for 24-bit or more than two channels), float, u-law; odd rates from 8 to 96 kHz.
@pytest.mark.parametrize("rate, channels, form, subtype", [
    (48000, 2, "WAV", "PCM_16"), (22050, 1, "WAV", "PCM_24"), (8000, 1, "WAV", "PCM_U8"),
    (44100, 2, "WAV", "PCM_32"), (44100, 8, "WAVEX", "PCM_24"), (96000, 6, "WAVEX", "PCM_16"),
    (11025, 1, "WAV", "FLOAT"), (8000, 1, "WAV", "ULAW"), (37800, 3, "WAV", "PCM_16"),
])
def test_any_wav_becomes_16k_mono(tmp_path, rate, channels, form, subtype):
    signal = np.repeat(tone(1.0, rate)[:, None], channels, axis=1)
    path = tmp_path / "in.wav"
    soundfile.write(path, signal, rate, format=form, subtype=subtype)
    audio = read_wav(path)
    assert audio.dtype == np.int16 and abs(len(audio) - RATE) <= 2
    assert 0.25 < np.abs(audio[1000:-1000]).max() / 32768 < 0.35


def test_wav_round_trip_is_lossless(tmp_path):
    samples = np.random.default_rng(1).integers(-32768, 32767, 16000).astype(np.int16)
    write_wav(tmp_path / "x.wav", samples)
    assert np.array_equal(read_wav(tmp_path / "x.wav"), samples)


def _wav_bytes(seconds: float = 1.0, rate: int = RATE) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, tone(seconds, rate), rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


@pytest.mark.parametrize("content, message", [
    (b"", r"bad.wav is not a sound file that can be read \(Format not recognised\); convert it"),
    (_wav_bytes()[:30], r"bad.wav is not a sound file that can be read \(.*data.*\); convert it"),
    (b"hello, this is text", r"is not a sound file that can be read .*; convert it with: sox"),
    (bytes(range(256)) * 40, r"is not a sound file that can be read .*; convert it with: sox"),
    (_wav_bytes()[:44], r"bad.wav holds no audio \(0 samples\); record or choose another file"),
    (_wav_bytes(rate=4000), r"bad.wav has a sample rate of 4000 Hz, too low for speech; convert"),
])
def test_broken_wavs_get_one_clear_error(tmp_path, content, message):
    (tmp_path / "bad.wav").write_bytes(content)
    with pytest.raises(AudioError, match=message):
        read_wav(tmp_path / "bad.wav")


def test_missing_or_unreadable_paths_get_one_clear_error(tmp_path):
    with pytest.raises(AudioError, match=r"the input file .*nothing.wav does not exist"):
        read_wav(tmp_path / "nothing.wav")
    with pytest.raises(AudioError, match=r"cannot read .* \(Is a directory\)"):
        read_wav(tmp_path)
    with pytest.raises(AudioError, match=r"cannot write .*x.wav \(No such file or directory\); "
                                         r"choose a path in a folder you can write to"):
        write_wav(tmp_path / "no" / "x.wav", np.zeros(10, np.int16))


def test_a_truncated_wav_is_used_as_far_as_it_goes_with_a_warning(tmp_path, caplog):
    """A recorder killed mid-write leaves a header that promises more than the file holds."""
    (tmp_path / "cut.wav").write_bytes(_wav_bytes(2.0)[:44 + 2 * 8000 + 1])  # 0.5 s and half a sample
    audio = read_wav(tmp_path / "cut.wav")
    assert len(audio) == 8000
    assert "cut.wav ends early (16045 of the 64044 bytes its header promises); using the 0.50 s" \
        in caplog.text


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
    assert ended_at - (speech_end + END_FRAMES - 1) in (0, 1)  # the high-pass's 2 ms may carry into a frame
    assert handed == PRE_ROLL_FRAMES + (ended_at - started_at)  # Vosk hears speech only
    assert frames_for(1.9) <= endpointer.quiet_frames <= frames_for(2.0)


def test_the_endpointer_tells_how_long_the_pause_before_an_utterance_was():
    """Frames from the last utterance's end to this one's first voice: None before the first utterance
    and after a reset (the speaker's own voice), as many as the quiet lasted otherwise."""
    rng = np.random.default_rng(9)
    noise = lambda s: rng.normal(0, 80, int(s * RATE))  # noqa: E731
    pause_s = 0.6
    audio = np.concatenate([noise(2.0), tone(0.5) * 32767, noise(pause_s), tone(0.5) * 32767, noise(1.0)])
    endpointer, pauses, speaking = Endpointer(), [], False
    for frame in split_frames(audio.astype(np.int16)):
        segment = endpointer.feed(frame)
        if segment.frames and not speaking:
            pauses.append(endpointer.pause_before)
        speaking = bool(segment.frames) and not segment.ended
    assert len(pauses) == 2 and pauses[0] is None, pauses
    # the end came on the quiet's END_FRAMES-th frame (the high-pass's 2 ms may carry into one more)
    assert frames_for(pause_s) - END_FRAMES - pauses[1] in (0, 1), pauses
    endpointer.reset()
    for frame in split_frames((tone(0.5) * 32767).astype(np.int16)):
        endpointer.feed(frame)
    assert endpointer.pause_before is None


def test_the_endpointer_hears_speech_over_a_rumble_and_not_the_rumble():
    """Brown noise at -45 dBFS (traffic, a washing machine): its level swings would pass for voice,
    but it lives below 150 Hz, where the endpointer does not listen."""
    rng = np.random.default_rng(3)
    spectrum = np.fft.rfft(rng.standard_normal(8 * RATE))
    spectrum[1:] /= np.arange(1, len(spectrum))  # 1/f^2: brown
    rumble = np.fft.irfft(spectrum, 8 * RATE)
    rumble *= 32768 * 10 ** (-45 / 20) / np.sqrt(np.mean(rumble**2))
    for high_pass, expected in ((True, 0), (False, None)):
        endpointer = Endpointer(high_pass=high_pass)
        found = sum(endpointer.feed(frame).ended for frame in split_frames(rumble.astype(np.int16)))
        if expected is not None:
            assert found == expected
        else:
            assert found > 0  # the full-band level is fooled: the test can fail


def test_frames_are_20ms_and_padded():
    frames = split_frames(np.ones(FRAME_SAMPLES * 2 + 5, np.int16))
    assert len(frames) == 3 and all(len(f) == FRAME_SAMPLES for f in frames) and frames[2][5:].sum() == 0


def test_in_a_loud_room_speech_6_db_over_the_noise_is_heard_and_the_noise_alone_is_not(monkeypatch):
    """Pink noise at -35 dBFS (a dishwasher, a TV across the room): a voice 6 dB over it rises only
    about 7 dB above the noise floor, short of the quiet room's 12 dB margin."""
    from voice.bench.rooms import room_tone
    from voice.listen import endpoint

    rng = np.random.default_rng(4)
    noise = room_tone("pink", 8 * RATE, rng, -35.0)
    voice = np.zeros(8 * RATE)
    voice[4 * RATE : 5 * RATE] = tone(1.0) * 32768 * 10 ** (-29 / 20) / np.sqrt(np.mean(tone(1.0) ** 2))

    def utterances(audio: np.ndarray) -> int:
        endpointer = Endpointer()
        return sum(endpointer.feed(frame).ended for frame in split_frames(np.clip(audio, -32768, 32767).astype(np.int16)))

    assert utterances(noise) == 0
    assert utterances(noise + voice) == 1
    monkeypatch.setattr(endpoint, "LOUD_ROOM_MARGIN_DB", endpoint.VOICED_MARGIN_DB)
    assert utterances(noise + voice) == 0  # with the quiet room's margin, the voice is not found


def test_told_the_room_is_loud_the_endpointer_hears_a_voice_just_over_its_suppressed_floor():
    """Noise suppression leaves a loud room's floor low, below LOUD_ROOM_DB: judged by that floor
    alone, a word 10 dB over it is not voice. The listener says the room is loud, as it measured it
    before suppression, and then it is; steady noise alone still is not."""
    from voice.bench.rooms import room_tone

    rng = np.random.default_rng(4)
    noise = room_tone("pink", 8 * RATE, rng, -50.0)
    voice = np.zeros(8 * RATE)
    word = tone(1.0)
    voice[4 * RATE : 5 * RATE] = word * 32768 * 10 ** (-43 / 20) / np.sqrt(np.mean(word**2))

    def utterances(audio: np.ndarray, loud_room: bool | None) -> int:
        endpointer = Endpointer()
        frames = split_frames(np.clip(audio, -32768, 32767).astype(np.int16))
        return sum(endpointer.feed(frame, loud_room).ended for frame in frames)

    assert utterances(noise, loud_room=True) == 0
    assert utterances(noise + voice, loud_room=True) == 1
    assert utterances(noise + voice, loud_room=None) == 0  # by its own floor: a quiet room


def test_an_utterance_ends_when_the_rooms_echo_of_it_has_faded_not_when_the_echo_is_gone(monkeypatch):
    """A reverberant room keeps a voice's echo above the quiet room's margin for a few hundred ms
    after the voice stops; the echo is far below the voice, and the voice is over."""
    from voice.listen import endpoint

    rng = np.random.default_rng(5)
    frames_of_tail = 30
    decay = 10 ** (-2 / 20 * np.arange(frames_of_tail * FRAME_SAMPLES) / FRAME_SAMPLES)  # 2 dB a frame: RT60 0.6 s
    voice = tone(1.0) * 32767 * 10 ** (-6 / 20) / 0.3  # a loud talker, close to the microphone
    tail = np.sin(2 * np.pi * 300 * np.arange(len(decay)) / RATE) * voice.max() * 10 ** (-6 / 20) * decay
    audio = np.concatenate([np.zeros(RATE), voice, tail, np.zeros(RATE)]) + rng.normal(0, 10, 2 * RATE + len(voice) + len(tail))

    def ended_after_voice(audio: np.ndarray) -> int:
        endpointer = Endpointer()
        ends = [index for index, frame in enumerate(split_frames(audio.astype(np.int16))) if endpointer.feed(frame).ended]
        return ends[0] - frames_for(2.0)

    faded = ended_after_voice(audio)
    assert faded <= END_FRAMES + 11  # the echo starts 6 dB down and is 25 dB down 10 frames on
    monkeypatch.setattr(endpoint, "FADED_DB", 200.0)  # only quiet ends it: the echo's decay is waited out
    assert ended_after_voice(audio) >= faded + 6, faded


def test_an_engine_that_fell_behind_skips_its_late_output_and_the_speaker_stays_on_time():
    """The callback plays a block and the engine answers each microphone block with one. A 200 ms
    stall (a recognizer's burst of work) leaves silence; the late answers then come together. Played
    in full they would delay the speaker, and move its echo, for the rest of the evening."""
    from voice.audio.live_driver import _OutputBuffer

    buffer = _OutputBuffer(most_owed=RATE)
    played = np.zeros(FRAME_SAMPLES, dtype=np.int16)
    answered = 0
    for block in range(100):
        buffer.read_into(played, behind=answered < block)
        if 40 <= block < 50:
            continue  # the engine stalls for ten blocks
        while answered <= block:
            buffer.write(np.full(FRAME_SAMPLES, answered + 1, dtype=np.int16))
            answered += 1
    buffer.read_into(played, behind=False)
    assert set(played) == {100}  # what the engine answered last plays next: no delay is left
    assert buffer.skipped == 10 * FRAME_SAMPLES  # the ten answers the silence stood in for

    bursty = _OutputBuffer(most_owed=RATE)  # a device that takes blocks in bursts while the engine keeps up
    bursty.read_into(played, behind=False)
    bursty.write(np.full(FRAME_SAMPLES, 7, dtype=np.int16))
    bursty.read_into(played, behind=False)
    assert set(played) == {7} and bursty.skipped == 0  # silence with nothing owed skips nothing

    stuck = _OutputBuffer(most_owed=RATE)  # a stall of three seconds: a failure, not a hiccup
    for _ in range(150):
        stuck.read_into(played, behind=True)
    stuck.write(np.full(2 * RATE, 9, dtype=np.int16))
    assert stuck.skipped == RATE  # one second skipped at most; the rest still plays


def test_only_a_device_that_keeps_real_time_can_find_the_engine_late(monkeypatch):
    """ALSA's file plugin (the tests' devices) asks for blocks as fast as it can: the engine is always
    'behind' it, and skipping would lose what the tests listen for. A sound card keeps its clock."""
    import queue

    from voice.audio import live_driver

    now = [100.0]
    monkeypatch.setattr(live_driver.time, "monotonic", lambda: now[0])

    def callbacks(seconds_apart: float) -> int:
        """Ten callbacks the engine never answers; the output the engine then sends that is skipped."""
        stream = live_driver._Stream.__new__(live_driver._Stream)  # the callback alone, no devices
        stream.rate, stream.given, stream.answered, stream._started = RATE, 0, 0, now[0]
        stream.blocks, stream.problems = queue.Queue(), []
        stream.output = live_driver._OutputBuffer(most_owed=RATE)
        block = np.zeros((FRAME_SAMPLES, 1), dtype=np.int16)
        for _ in range(10):
            now[0] += seconds_apart
            stream._callback(block, block.copy(), FRAME_SAMPLES, None, None)
        stream.output.write(np.ones(20 * FRAME_SAMPLES, dtype=np.int16))
        return stream.output.skipped

    assert callbacks(FRAME_SAMPLES / RATE) == 9 * FRAME_SAMPLES  # a sound card: the first block was on time
    assert callbacks(0.001) == 0  # a file: blocks twenty times faster than their clock
