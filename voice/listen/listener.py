"""Microphone frames in, a matched (or rejected) intent out, as early as the words allow.

Our endpointer decides where an utterance starts; only those frames (with pre-roll) reach Vosk, so an
idle speaker costs little. In a noisy room, both hear the microphone noise-suppressed, and Vosk's
grammar hears each utterance made louder, up to a ceiling (`gain`). An intent is committed as soon
as Vosk's partial result is a complete phrase of the current command set that has stayed the same
for `stable_frames` and the voice has just stopped (our endpointer would wait 240 ms more); one
that begins only longer ways to say the same command waits a little longer, and one that begins
another command's phrase, or asks for safety, waits for the end of speech (`grammar_of`).
Vosk's final n-best result is then matched and checked (`IntentMatcher.match`), if its best is that
phrase (`final_is`); if not, the end of speech decides (`_hear_again`). The end of speech is the
fallback, not the path. A safety request is made sure of (`safety_check`: a second look, and the
open recognizer's word on it); safety and forgetting are then held until the quiet after them has
lasted (`hold`): speech coming back first made them the start of a sentence.

Where the locale's model can decode freely (English), the first seconds of each utterance are also
heard by the open-vocabulary recognizer, and a command that can be one word, heard as a word or two,
stands only if what it heard sounds near one of its phrases (`open_check`): alone, people's "happy"
was "help me" and "no" was "next". So does a stop, a start or a break phrase heard with a word
beyond its own, and, in a noisy room, a stop phrase the grammar was unsure of or heard right after
other words (its word on a safety request is `safety_check`'s). Where it cannot (Korean), a start
phrase or a break heard in a noisy room stands only at the locale's `noisy_start_confidence`.
"""

import logging
import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from ..audio.frames import FRAME_MS, frames_for, rms_dbfs
from ..errors import ModelError
from .commit import STABLE_FRAMES, Grammar, final_is, grammar_of
from .context import Context, starts_an_exercise, starts_something
from .crosscheck import CrossCheck
from .denoise import denoiser
from .dither import Dither
from .endpoint import END_FRAMES, PRE_ROLL_FRAMES, START_FRAMES, Endpointer, NoiseFloor, Segment
from .gain import CEILING_DBFS, Gain
from .hold import Hold
from .intents import TOO_LONG, IntentMatcher, Match, normalize
from .open_check import OpenCheck, asks_about
from .open_hearing import OpenHearing
from .recognizer import Decoded, GrammarRecognizer
from .safety_check import SafetyCheck, Utterance
from .safety_hearing import SafetyHearing
from .saying import longest_saying, words_within
from .second_look import SAFETY, WORDS_BEFORE

# Vosk hears the noise-suppressed microphone only in a room louder than this (a TV, a fan, a dishwasher;
# a quiet living room is -60 to -55 dBFS): in quiet, suppression took 2-6 dB off speech and measured
# worse (issue 4's note), in noise it left speech within 1 dB and took the noise 15-20 dB down.
NOISY_FLOOR_DB = -45.0
ROOM_WINDOW = frames_for(10.0)  # longer than the couple's sentences, so their talk is not the room
LONGEST_UTTERANCE = frames_for(10.0)  # frames kept for a second look; a command is far shorter
# The open recognizer's final result begins this many frames of quiet before the answer could come
# after a whole phrase (the phrase's quiet in commit.py, or END_FRAMES where it waits for the end of speech):
# most of its 55 ms (p50 here) are spent before the answer needs it (OpenHearing).
OPEN_VERDICT_LEAD = 3
# Where the couple talk (idle), a start phrase (or any command heard only there: the menu, forget
# tonight) stands only on an utterance that began this long after the last one there ended (which
# had already waited END_FRAMES of quiet): a pause of half a second or more. At 6 dB SNR the
# endpointer cut the tuning people's sentences at shorter pauses, and the pieces were starts: "...it
# is not reflection, but refraction..." was "start reflection", "the effect of super-imposition"
# "safety information", "please let's breathe" a breathing exercise, 1-10 frames after the last
# utterance ended (issue 17's note; their talk's pauses: 12 frames p50).
PAUSE_BEFORE_START = frames_for(0.26)
AFTER_WORDS = "no pause before it"
UNSURE_IN_NOISE = "unsure in a noisy room"

log = logging.getLogger(__name__)


class Listener:
    """Endpointing + Vosk + intent matching. Without a recognizer it only tracks voice activity,
    and typed text (`voice simulate`) goes through the same matcher via `hear_text`."""

    def __init__(self, matcher: IntentMatcher, recognizer: GrammarRecognizer | None = None,
                 stable_frames: int = STABLE_FRAMES, denoise: bool = True,
                 cross_check: CrossCheck | None = None, gain_db: float = 0.0,
                 gain_ceiling_dbfs: float = CEILING_DBFS, pronunciation: str | None = None,
                 noisy_start_confidence: float = 0.0,
                 safety: SafetyHearing = SafetyHearing()) -> None:
        """`cross_check`: how near to what the open-vocabulary recognizer heard a command that can
        be one word must be; None: no open recognizer. `gain_db`: how much louder, at most, the
        grammar recognizer hears an utterance than the microphone gives it, and
        `gain_ceiling_dbfs` the loudest 20 ms it may make of it (`gain`). `pronunciation`: the
        espeak-ng voice whose rules say how the locale's words sound (its tts_voice), for how long
        a command can take to say (`saying`). `noisy_start_confidence`: the n-best confidence a
        command that starts an exercise or a break must reach in a noisy room (the locale's,
        measured: `Locale.noisy_start_confidence`). `safety`: how a safety request heard is made
        sure of (the locale's: `Locale.safety_hearing`)."""
        self.matcher = matcher
        self._noisy_start_confidence = noisy_start_confidence
        self._safety_hearing = safety
        self._pronunciation = pronunciation
        self._open = OpenHearing(recognizer.open()) if recognizer is not None and cross_check is not None else None
        self._check = OpenCheck(self._open, cross_check, gain_db > 0) if self._open is not None else None
        self._safety = None if recognizer is None else SafetyCheck(safety, recognizer, self._check)
        self._denoiser = denoiser() if recognizer is not None and denoise else None
        self._gain = Gain(gain_db, gain_ceiling_dbfs)
        self._dither = Dither()  # what Vosk hears, as its models were trained: never digital zeros
        self._room = NoiseFloor(ROOM_WINDOW)  # of the microphone as it is: whether to denoise
        self._noisy = False  # the room is louder than NOISY_FLOOR_DB
        self._context: Callable[[], Context | None] = lambda: None  # every phrase, until told
        self.stable_frames = stable_frames
        self._recognizer = recognizer
        self._endpointer = Endpointer()
        self._grammars: dict[Context | None, Grammar] = {}
        self._hearing: Context | None = None  # the context of the utterance in progress
        self._soon_after_words = False  # it began under PAUSE_BEFORE_START after the last utterance ended
        self._after_words = False  # ... and both were heard where a start must follow a pause
        self._collecting = False
        self._answered = False  # committed early; the rest of this utterance is not listened to
        self._unfinished = False  # its phrase was not whole when it could have committed early
        self._partial: tuple[str, ...] = ()
        self._stable = 0
        self._fed = 0  # frames of this utterance given to Vosk
        self._utterance: list[np.ndarray] = []  # those frames, for a second look
        self._words_before: list[np.ndarray] = []  # the end of the last utterance, if just before
        self._hold = Hold()  # a safety request waiting to see that the sentence ended

    @property
    def quiet_frames(self) -> int:
        """Consecutive frames without voice, for silence timeouts."""
        return self._endpointer.quiet_frames

    def follow(self, context: Callable[[], Context | None]) -> None:
        """Where to ask for the command set; asked as each utterance starts (not every frame)."""
        self._context = context

    def feed(self, frame: np.ndarray) -> Match | None:
        if self._recognizer is not None:
            self._noisy = self._room.track(rms_dbfs(frame)) > NOISY_FLOOR_DB
        if self._denoiser is not None and self._noisy:
            frame = self._denoiser(frame)  # only here: in a quiet room it costs speech and gains nothing
        if self._recognizer is None:
            self._endpointer.feed(frame)
            return None
        # The room as measured before suppression, not the suppressed floor: at 6 dB SNR that sat
        # at the endpointer's own boundary (LOUD_ROOM_DB) and its margin flipped with the draw.
        segment = self._endpointer.feed(frame, loud_room=self._noisy)
        released = self._hold.release(bool(segment.frames), self._endpointer.level_db)
        heard = None
        try:
            heard = self._hear(segment)
        except ModelError as error:
            self._lost(error, segment)
        # first a request the hold gives: an utterance of the speaker's residue may end with it
        return released or heard

    def _hear(self, segment: Segment) -> Match | None:
        """The recognizer's part of `feed`."""
        if self._answered:
            self._answered = not segment.ended
            return None
        if segment.frames and not self._collecting:
            self._start()
        if self._collecting and self._open is not None and self._endpointer.quiet_frames == 0:
            self._open.go_on()  # its final was begun at a pause: the utterance goes on
        heard_frames = [self._dither(frame) for frame in segment.frames]
        # Made louder for the grammar alone (the pre-roll and the voice's onset alike): the open
        # recognizer hears the room as it is.
        for heard, piece in zip(heard_frames, self._gain(heard_frames)):
            self._recognizer.accept(piece)
            if self._open is not None:
                self._open.hear(heard)
            self._fed += 1
            if len(self._utterance) < LONGEST_UTTERANCE:
                self._utterance.append(piece)
        if segment.ended:
            over_echo = bool(self._hearing and self._hearing.over_own_voice)
            return self._hold.keep(self._finish(), self._endpointer.loudest_db, over_echo)
        return self._early() if self._collecting else None

    def _lost(self, error: ModelError, segment: Segment) -> None:
        """The grammar recognizer failed on this utterance: it is not heard, and the next one, "stop"
        too, is heard by a fresh recognizer. The speaker carries on (a restart would take seconds
        and the exercise's place)."""
        log.warning("%s; that utterance is not heard, the next one is", error)
        if self._collecting and self._open is not None:
            self._open.end()  # every utterance ends so (OpenHearing.end)
        self._collecting = False
        self._answered = not segment.ended  # its rest is not listened to

    def set_phrases(self, templates: dict[str, list[str]]) -> None:
        """New intent templates (the locale's commands plus the scripts' spoken choices)."""
        if templates == self.matcher.templates:
            return  # compiling Vosk grammars again is not free
        self.matcher = IntentMatcher(templates, self.matcher.max_cost, self.matcher.min_confidence,
                                     self.matcher.intent_confidence)
        self._grammars.clear()
        if self._recognizer is not None:
            self._recognizer.forget()

    def hear_text(self, text: str) -> Match:
        return self.matcher.match([text], context=self._context())

    def reset(self) -> Match | None:
        """Drop any utterance in progress: it overlapped the speaker's own voice. A safety request
        still held is handed back, not dropped: the caller decides (the speaker's own voice starting
        gives it at once; muting drops it)."""
        self._endpointer.reset()
        if self._collecting and self._recognizer is not None:
            try:
                self._recognizer.finish()
            except ModelError as error:
                log.warning("%s, as the speaker began to talk", error)
            if self._open is not None:
                self._open.end()
        self._collecting = self._answered = False
        return self._hold.take()

    def _start(self) -> None:
        before, self._hearing = self._hearing, self._context()
        pause = self._endpointer.pause_before
        self._soon_after_words = pause is not None and pause < PAUSE_BEFORE_START
        self._after_words = (self._soon_after_words
                             and self._hearing is not None and self._hearing.pause_before_start
                             and before is not None and before.pause_before_start)
        self._collecting, self._partial, self._stable, self._fed = True, (), 0, 0
        self._unfinished = False
        end_of_last = self._utterance[max(0, len(self._utterance) - WORDS_BEFORE):]
        self._words_before = end_of_last if self._soon_after_words else []
        self._utterance = []
        self._gain.restart()
        self._dither.restart()
        self._recognizer.use(self._grammar(self._hearing).phrases)
        # Heard openly too, in a noisy room as well: there, without it, the tuning people's recorded
        # lone words were commands 158 times in 0.23 h of them (idle, a session and a turn at 6 dB
        # SNR), and 7 with it, for one of their 79 "stop"s; machine voices lose more (276 -> 257 of
        # the tuning voices' 300 commands at 6 dB: issue 17's note). Over the speaker's own voice
        # too, where only its word on a safety request is asked (Context.cross_checked: stop and
        # pause there stand as the barge-in figures measured them): said through the echo canceller,
        # the tuning voices' talk near a safety phrase ("I need a hat") was the crisis message 7
        # times in 880 without it and never with it, their requests 197 and 189 times in 200 (issue
        # 17's note).
        if self._open is not None:
            self._open.begin()

    def _early(self) -> Match | None:
        words = tuple(normalize(self._recognizer.partial()))
        if words != self._partial:
            self._partial, self._stable = words, 0
            return None
        self._stable += 1
        grammar = self._grammar(self._hearing)
        table = grammar.commit_in_noise if self._noisy else grammar.commit_after
        commit_after = table.get(words)  # None: it waits for the end of speech
        answer_after = END_FRAMES if commit_after is None else commit_after
        verdict_due = self._endpointer.quiet_frames >= answer_after - OPEN_VERDICT_LEAD
        if self._open is not None and words in grammar.complete and verdict_due:
            self._open.end()  # its verdict, if asked for, is then ready sooner
        settled = self._stable >= self.stable_frames and self._endpointer.quiet_frames >= answer_after
        if settled and commit_after is not None and not self._unfinished:
            if self._open is not None:  # as in _finish: its verdict runs while the grammar's does
                self._open.end()
            decoded = self._recognizer.finish()
            if not final_is(decoded, words):
                self._hear_again()
                return None
            self._answered = True
            return replace(self._finish(decoded), early=True)
        return None

    def _hear_again(self) -> None:
        """The grammar's final result was not the phrase its partial result held (`final_is`):
        the utterance goes on. Its frames so far are heard again, and it is answered at the end of
        speech."""
        self._unfinished = True
        for piece in self._utterance:
            self._recognizer.accept(piece)

    def _finish(self, decoded: Decoded | None = None) -> Match:
        """The utterance's match, checked; `decoded`: the grammar's final result, if already had."""
        self._collecting = False
        if self._open is not None:
            # its verdict may be asked for below: begun by now, it runs while the grammar's does
            self._open.end()
        if decoded is None:
            decoded = self._recognizer.finish()
        texts, scores, words = decoded
        durations = [[w.end - w.start for w in ws] for ws in words]
        safety_floor = self._safety_hearing.noisy_confidence if self._noisy else None
        match = self.matcher.match(texts, scores, self._hearing, durations, safety_floor)
        spoken_s = (self._fed - PRE_ROLL_FRAMES + START_FRAMES - self._endpointer.faded_frames) * FRAME_MS / 1000
        rank = texts.index(match.text) if match.text in texts else None  # the alternative it matched
        spoken_s, words_share = words_within(spoken_s, words[rank] if rank is not None else [])
        if match.intent is not None and spoken_s > longest_saying(match.phrase, self._pronunciation):
            # Vosk's grammar mode can fit a whole sentence onto one short phrase; a command is short.
            return replace(match, intent=None, reason=f"{TOO_LONG} for {match.intent} ({spoken_s:.1f} s)")
        if match.intent is not None and self._after_words and starts_an_exercise(match.intent):
            return replace(match, intent=None, reason=f"{AFTER_WORDS} for {match.intent}")
        if self._unsure_start_in_noise(match):
            return replace(match, intent=None,
                           reason=f"{UNSURE_IN_NOISE}: {match.intent} at {match.confidence:.2f}")
        in_small_set = self._hearing is not None and self._hearing.strict
        if match.intent == SAFETY and self._safety is not None:
            heard = Utterance(self._utterance, self._words_before, self._noisy, words_share,
                              asked_for=self._soon_after_words or in_small_set)
            return self._safety.verdict(match, self.matcher, self._grammar(None).phrases, heard)
        asked = self._check is not None and asks_about(match, self.matcher, self._noisy,
                                                       self._soon_after_words)
        if asked and (self._hearing is None or self._hearing.cross_checked):
            return self._check.verdict(match, self.matcher.phrases_of(match.intent),
                                       scores[rank] if rank is not None else -math.inf,
                                       self._noisy, in_small_set, self._utterance)
        return match

    def _unsure_start_in_noise(self, match: Match) -> bool:
        """A command that starts an exercise or a break, heard in a noisy room at under the
        locale's `noisy_start_confidence`."""
        return (match.intent is not None and self._noisy and starts_something(match.intent)
                and match.confidence < self._noisy_start_confidence)

    def _grammar(self, context: Context | None) -> Grammar:
        if context not in self._grammars:
            self._grammars[context] = grammar_of(self.matcher, context)
        return self._grammars[context]

