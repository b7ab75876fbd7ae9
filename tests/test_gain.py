"""The gain before Vosk: a quiet talker made louder, a loud one held under the ceiling, per utterance."""

import numpy as np
import pytest

from voice.audio.frames import FRAME_SAMPLES, rms_dbfs
from voice.listen.gain import CEILING_DBFS, Gain
from voice.locale import Locale


def tone(dbfs: float) -> np.ndarray:
    """A 20 ms frame of a 200 Hz tone at `dbfs` RMS."""
    t = np.arange(FRAME_SAMPLES) / 16000
    return np.round(np.sqrt(2) * 32768 * 10 ** (dbfs / 20) * np.sin(2 * np.pi * 200 * t)).astype(np.int16)


def test_a_quiet_utterance_gets_the_whole_gain():
    gain = Gain(10.0)
    louder = [gain([tone(level)])[0] for level in (-60.0, -35.0, -25.0)]
    assert [round(rms_dbfs(frame), 1) for frame in louder] == [-50.0, -25.0, -15.0]


def test_a_loud_frame_lowers_the_gain_for_the_rest_of_the_utterance_only():
    gain = Gain(10.0)
    assert round(rms_dbfs(gain([tone(CEILING_DBFS - 4)])[0]), 1) == CEILING_DBFS  # 4 dB of the 10 were allowed
    assert gain.db == pytest.approx(4.0, abs=0.05)
    assert round(rms_dbfs(gain([tone(-40.0)])[0]), 1) == -36.0  # quiet again: still 4 dB
    gain.restart()
    assert round(rms_dbfs(gain([tone(-40.0)])[0]), 1) == -30.0


def test_the_frames_handed_over_at_once_are_made_louder_alike():
    """The endpointer's pre-roll and the voice's first frames come together: the loudest of them sets
    the gain for all, so a loud talker's onset is not made louder than the rest of the utterance."""
    gain = Gain(10.0)
    onset = [tone(-50.0), tone(-30.0), tone(CEILING_DBFS - 3)]
    assert [round(rms_dbfs(frame), 1) for frame in gain(onset)] == [-47.0, -27.0, CEILING_DBFS]
    assert gain.db == pytest.approx(3.0, abs=0.05)
    assert gain([]) == [] and gain.db == pytest.approx(3.0, abs=0.05)


def test_a_talker_louder_than_the_ceiling_is_heard_as_they_are():
    gain = Gain(10.0)
    frame = tone(CEILING_DBFS + 3)
    assert np.array_equal(gain([frame])[0], frame) and gain.db == 0.0


def test_a_frame_made_louder_stays_a_microphone_frame():
    gain = Gain(10.0, ceiling_dbfs=0.0)
    louder = gain([tone(-6.0)])[0]
    assert louder.dtype == np.int16 and louder.max() == 32767 and louder.min() == -32768


def test_both_locales_hear_their_microphone_louder_korean_under_a_lower_ceiling():
    english, korean = Locale.load("en"), Locale.load("ko")
    assert english.gain_db == korean.gain_db == 10.0
    assert (english.gain_ceiling_dbfs, korean.gain_ceiling_dbfs) == (CEILING_DBFS, -15.0)


@pytest.mark.parametrize("bad", ["loud", "3", "-60", "true"])
def test_a_gain_ceiling_must_be_a_level_below_full_scale(tmp_path, bad):
    from conftest import english_locale_with

    from voice.errors import ScriptError

    broken = english_locale_with(tmp_path, "gain_ceiling_dbfs: -9", f"gain_ceiling_dbfs: {bad}")
    with pytest.raises(ScriptError, match=r"en.yaml:\d+:\d+: 'gain_ceiling_dbfs' must be a level in dBFS from -40 to 0"):
        Locale.from_file(broken)


@pytest.mark.parametrize("bad", ["loud", "-3", "45"])
def test_a_gain_must_be_a_few_decibels(tmp_path, bad):
    from conftest import english_locale_with

    from voice.errors import ScriptError

    broken = english_locale_with(tmp_path, "gain_db: 10", f"gain_db: {bad}")
    with pytest.raises(ScriptError, match=r"en.yaml:\d+:\d+: 'gain_db' must be a number of decibels from 0 to 30"):
        Locale.from_file(broken)
