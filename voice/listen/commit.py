"""When a phrase heard may answer before the end of speech: the quiet after it that commits it, per
phrase of a command set (`grammar_of`), as a table a test can walk (tests/test_commit.py).

The listener commits an intent as soon as Vosk's partial result is a complete phrase that has stayed
the same for STABLE_FRAMES and the voice has stopped for the phrase's quiet; a phrase not in the
table waits for the end of speech (the endpointer's END_FRAMES of quiet). It commits only if Vosk's
final result is then that phrase (`final_is`).

A word that begins a longer word of the grammar holds Vosk's partial result back until what follows
it is decoded, so its phrase commits at the end of speech in practice, whatever the table says.
espeak-ng's (ko+f2) 그만, its voice ending at frame 50, first showed in the partial at frame 65 with
그만해 and 그만하자 in the grammar, at frame 41 without them; 계속 (with 계속해) 24 frames after its
voice ended, and at its end without. On the Korean tuning voices in room tone, 그만 and 계속 never
committed early (0 of 28 heard), and they answered 220 ms after the end of speech (median) where
넘어가 answered in 100 ms (issue 17's note).
"""

from typing import TYPE_CHECKING, NamedTuple

from .context import Context, starts_something
from .intents import EXACT_INTENTS, IntentMatcher, normalize

if TYPE_CHECKING:
    from .recognizer import Decoded  # which imports vosk

STABLE_FRAMES = 4  # 80 ms of an unchanged, complete partial result commits the intent ...
QUIET_TO_COMMIT = 5  # ... once the voice has stopped for 100 ms: a phrase heard mid-sentence is no command
# A phrase that begins longer ones, all meaning the same command ("faster" and "faster please", "repeat"
# and "repeat that"), commits after this much quiet rather than at the end of speech: whatever follows,
# the answer is the same. More than QUIET_TO_COMMIT: at that, at 6 dB SNR a passing partial "slower" or
# "start reflection" answered 4 of 300 held-out commands with the wrong one (issue 17's note). On the
# tuning voices (issue 17's note): room tone 1415 -> 1417 of 1500 right, end of speech to answer p50
# 140 -> 120 ms, answers at 240 ms or later 111 -> 70; at 6 dB 261 of 300 either way, p95 240 -> 220 ms.
SAME_MEANING_QUIET = 8


class Grammar(NamedTuple):
    """A context's phrases, as Vosk hears them and as word tuples, and the frames of quiet after each
    that commit it before the end of speech (a phrase not in `commit_after` waits for the end), in a
    quiet room and in a noisy one (`commit_in_noise`: no phrase that starts something)."""

    phrases: list[str]
    complete: set[tuple[str, ...]]
    commit_after: dict[tuple[str, ...], int]
    commit_in_noise: dict[tuple[str, ...], int]


def grammar_of(matcher: IntentMatcher, context: Context | None) -> Grammar:
    """The context's phrases (every command's for None), and the quiet after each that commits it early.

    A phrase that begins a longer one of another command ("continue" and "continue our session")
    waits for the end of speech, and so do safety and forgetting, judged on the whole utterance
    ("토요일에 차 정비 맡겨야 해" was 지금 위험해, committed at a pause mid-sentence). One that begins
    only longer ways to say its own command ("faster please") waits SAME_MEANING_QUIET. Any other
    phrase waits QUIET_TO_COMMIT.

    In a noisy room a phrase that starts an exercise or a break waits for the end of speech: at 6 dB
    SNR the tuning voices' talk started breathing twice, committed at a 100 ms pause inside a
    sentence ("let's vis(it) grandma tomorrow morning" as "let's breathe"), and none once the start
    waited; their start phrases were right as often (1571 of 1600), answered 180 rather than 80 ms
    after the end of speech (median) at 6 dB, p95 240 ms over every room. The cost is there wherever
    the room is noisy: at 20 dB SNR (`voice bench latency`) "start our check-in" answered p50 220
    rather than 100 ms after the end of speech, p95 240 (issue 17's note)."""
    phrases = matcher.grammar(context.intents if context else None)
    complete = {tuple(phrase.split()) for phrase in phrases}
    meanings: dict[tuple[str, ...], set[str]] = {}
    for words, intent in matcher.phrases:
        if words in complete:
            meanings.setdefault(words, set()).add(intent)
    commit_after = {}
    for words, intents in meanings.items():
        if intents & EXACT_INTENTS:
            continue
        longer = [other for other in complete if len(other) > len(words) and other[: len(words)] == words]
        if not longer:
            commit_after[words] = QUIET_TO_COMMIT
        elif len(intents) == 1 and all(meanings[other] == intents for other in longer):
            commit_after[words] = SAME_MEANING_QUIET
    commit_in_noise = {words: quiet for words, quiet in commit_after.items()
                       if not any(starts_something(intent) for intent in meanings[words])}
    return Grammar(phrases, complete, commit_after, commit_in_noise)


def final_is(decoded: "Decoded", words: tuple[str, ...]) -> bool:
    """Whether the grammar's final result (best first) is the phrase its partial result held,
    `words`, as an early commit asks. A partial result holds a word as soon as it begins: in a
    quiet room flite's (slt) "safety information" was that phrase in the partial result at a
    100 ms pause inside "information", and "safety in" in the final, too far from any phrase;
    at 6 dB SNR, in a session, espeak-ng's (ko+m1) "오늘 저녁에 팀이랑 긴 통화가 있어" was 다음
    in the partial result, and 지금 위험해 in the final, a safety request committed mid-sentence
    (issue 17's note)."""
    texts = decoded[0]
    return tuple(normalize(texts[0] if texts else "")) == words
