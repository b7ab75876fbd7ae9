"""What the grammar recognizer hears made louder, up to a ceiling. The endpointer, the room's level
and the open recognizer hear the microphone as it is.

The small English model has no mean normalisation of its features (its conf/mfcc.conf), and in a
grammar a short word said quietly is decoded as silence: espeak-ng's lone "done" at the bench's
talker level (-26 dBFS) was "" in a session's grammar at every room tone from -90 to -55 dBFS, and
"done" 10 dB louder. Too loud is worse: with a talker 10 dB louder, the tuning voices' commands went
from 97.3 % to 94.3 % with a fixed 10 dB more. So each utterance starts at the full gain, and a frame
that would come out louder than the ceiling (CEILING_DBFS, or the locale's) lowers it for the rest of
the utterance: a loud talker's first vowel sets it, and it rises again only with the next utterance.
The frames handed over at once (the endpointer's pre-roll and the voice's first frames) are made
louder alike, by what the loudest of them allows (`Gain.__call__`): made louder only up to the first loud
frame, the Korean tuning voices' commands by a talker 10 dB louder in a reverberant room went from
62.8 % with no gain to 56.4 %, and stayed 62.8 % with it (issue 17's note).

The open recognizer, made louder too, heard the tuning people's "stop" as "stuff" and a meeting's
talk as "stop" (a false stop at 6 dB SNR): it is left as it was measured (issue 17's note). It hears
the grammar's louder frames only for a second look at a step's command or a safety request it
turned away, in a quiet room (open_check.py: `OpenCheck._confirmed_louder`, `_heard_louder`).
"""

import numpy as np

from ..audio.frames import rms_dbfs

CEILING_DBFS = -9.0  # the loudest 20 ms of an utterance, after the gain: a -26 dBFS talker's vowel + 10 dB


class Gain:
    def __init__(self, most_db: float, ceiling_dbfs: float = CEILING_DBFS) -> None:
        self._most_db, self._ceiling = most_db, ceiling_dbfs
        self._db = most_db

    @property
    def db(self) -> float:
        return self._db

    def restart(self) -> None:
        """A new utterance: the full gain again."""
        self._db = self._most_db

    def __call__(self, frames: list[np.ndarray]) -> list[np.ndarray]:
        """`frames` (int16, handed over at once) louder alike, by what the loudest of them allows, and
        clipped at full scale as a louder microphone would be. The endpointer hands over its pre-roll
        and the voice's first frames at once: a loud talker's onset made louder and the rest of the
        utterance not is a jump in level the models hear as another sound (issue 17's note)."""
        if self._db > 0 and frames:
            self._db = max(0.0, min(self._db, self._ceiling - max(map(rms_dbfs, frames))))
        if self._db == 0:
            return frames
        scale = 10 ** (self._db / 20)
        return [np.clip(np.round(frame * scale), -32768, 32767).astype(np.int16) for frame in frames]
