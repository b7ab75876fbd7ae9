"""`voice bench safety`: the safety response starts when a partner asks for it, and never for talk.

Per voice set (tuning, held-out): every safety phrase said by every voice in each room-tone
condition, heard in each context the speaker listens in (idle, a session, a partner's turn, and
over its own voice, where only safety, stop and pause are listened for); and the set's half of the
talk corpus (sentences and short everyday utterances) heard in the same contexts, in room tone and
again at 6 dB SNR (a television on while the couple talk), where every safety response is a false
one. Then the requests as people also say them, among other words ("please, I need help"), in a
quiet room and at 6 dB: a request is its phrase alone, and these show what that costs (no target).
Then the requests again at 6 dB SNR, over as many draws of its noise as the talk: what keeping talk
off safety there costs the requests themselves. Last, the talk near a safety phrase (talk.yaml:
"I need a hat", "I don't feel sick") in every voice of its set and every room tone, then at 6 dB
SNR over as many draws as the talk: heard in one voice, as above, it hides which voices carry it to
a request. The speaker's own voice in those rows is its command set alone; after them, the requests
and that talk are said over its voice, through the echo canceller, in the barge-in benchmark's
rooms (`speaking.said_over_speech`).
`--draws` hears the talk over more draws of that noise: the Korean tuning voices' "문 닫아" was
긴급 상황 in a session in 2 of 60 draws, and one draw had not shown it (issue 17's note). The second
look (`SafetyCheck._second_look`) is what keeps talk off safety in the two small command sets, and
wherever a request began right after other words, its words took only part of the utterance, or a
noisy room left the grammar unsure of it (`second_look.looks_again`); its cost is the requests it
turns away.
"""

from collections import Counter

import numpy as np

from ..config import Settings
from ..listen import context
from ..listen.intents import expand
from .listening import Bench, why_missed
from .rooms import AT_6DB, ROOM_TONE, Condition, in_room
from .speaking import ROOMS, said_over_speech
from .speech import near_safety, requests_in_words, talk
from .voices import VOICE_SETS, available, speak

TARGETS = {"requests_heard": 0.90, "talk_safety": 0}
SAFETY = "safety"
NOISY_DRAWS = 1  # draws of the noise talk is heard in at 6 dB SNR, unless asked for more (--draws)


def contexts(bench: Bench) -> dict[str, context.Context]:
    return {"idle": context.idle(bench.intents), "session": context.session(frozenset()), "turn": context.turn(),
            "speaking": context.over_speech()}


def safety(settings: Settings, quick: bool = False, draws: int = NOISY_DRAWS) -> dict:
    bench = Bench(settings)
    phrases = [phrase for template in bench.matcher.templates[SAFETY] for phrase in expand(template)]
    listening = contexts(bench)
    rooms = ROOM_TONE[:1] if quick else ROOM_TONE
    in_words = requests_in_words(settings.locale)[: 2 if quick else None]
    result: dict = {"benchmark": "safety", "locale": settings.locale, "targets": TARGETS, "phrases": phrases,
                    "rooms": [room.name for room in rooms], "sets": {}}
    for name, voices in VOICE_SETS[settings.locale].items():
        voices = available(voices)[: 1 if quick else None]
        texts = talk(settings.locale, name)
        said = texts["short"] + texts["sentences"]
        result["sets"][name] = {"voices": list(voices),
                                "requests": _requests(bench, phrases, voices, rooms, listening),
                                "talk": _talk(bench, said[:10] if quick else said, voices, listening, draws)}
    # Last, so that every figure before is heard as it was before these were (the recognizer carries
    # what it learnt of a voice from one utterance to the next).
    quiet_and_noisy = (rooms[0], AT_6DB)
    for figures in result["sets"].values():
        voices = tuple(figures["voices"])
        rng = np.random.default_rng(21)
        figures["requests_in_words"] = _requests(bench, in_words, voices, quiet_and_noisy,
                                                 listening, rng)
    # After both sets' requests in words, for the same reason.
    for figures in result["sets"].values():
        noise = np.random.default_rng(22)
        figures["requests_at_6db"] = _requests(bench, phrases, tuple(figures["voices"]),
                                               [AT_6DB] * draws, listening, noise)
    near_of = {name: near_safety(settings.locale, name)[: 2 if quick else None]
               for name in result["sets"]}
    for name, figures in result["sets"].items():  # after every figure above, for the same reason
        figures["near_safety"] = _in_every_voice(bench, near_of[name], tuple(figures["voices"]),
                                                 rooms, listening)
    for name, figures in result["sets"].items():  # and at 6 dB SNR, after those
        figures["near_safety_at_6db"] = _in_every_voice(
            bench, near_of[name], tuple(figures["voices"]), [AT_6DB] * draws, listening,
            np.random.default_rng(24))
    # Through the echo canceller, as the speaker hears while it talks: the rows above hear the
    # speaker's command set over nothing.
    requests = phrases[: 2 if quick else None]
    for name, figures in result["sets"].items():
        voices = tuple(figures["voices"])
        figures["over_speech"] = {"requests": _over_speech(settings, requests, voices, quick),
                                  "near_safety": _over_speech(settings, near_of[name], voices,
                                                              quick)}
    result["summary"] = _summary(result)
    return result


def _requests(bench: Bench, phrases: list[str], voices: tuple[str, ...], rooms, listening: dict,
              rng: np.random.Generator | None = None) -> dict:
    """Each safety request in each voice and room: heard as safety, per context."""
    rng = rng or np.random.default_rng(13)
    heard = Counter()
    missed = Counter()  # why, per context
    for voice in voices:
        for phrase in phrases:
            for room in rooms:
                audio = in_room(speak(phrase, voice), room, rng)
                for name, listen_in in listening.items():
                    decisions = bench.listen(audio, listen_in)
                    if any(d.match.intent == SAFETY for d in decisions):
                        heard[name] += 1
                    else:
                        missed[f"{name}: {why_missed(decisions[-1].match if decisions else None, SAFETY)}"] += 1
    trials = len(voices) * len(phrases) * len(rooms)
    return {"trials_per_context": trials, "heard": {name: heard[name] for name in listening},
            "rate": {name: round(heard[name] / max(trials, 1), 3) for name in listening},
            "missed_because": dict(missed.most_common(8))}


def _talk(bench: Bench, texts: list[str], voices: tuple[str, ...], listening: dict, draws: int) -> dict:
    """Each utterance in one voice of the set, in a room tone of its own, then all of them again at
    6 dB SNR, over `draws` draws of its noise: safety responses per context. The noisy room comes
    after, from generators of its own (the first draw's as before there were more), so the
    room-tone figures are what they were before it was heard."""
    said = [speak(text, voices[index % len(voices)]) for index, text in enumerate(texts)]
    room_tones = [ROOM_TONE[index % len(ROOM_TONE)] for index in range(len(texts))]
    in_tone, examples = _false_safety(bench, texts, said, room_tones, np.random.default_rng(14), listening)
    in_noise = Counter()
    for draw in range(draws):
        noise = np.random.default_rng(15 if draw == 0 else [15, draw])
        false, heard_as = _false_safety(bench, texts, said, [AT_6DB] * len(texts), noise, listening)
        in_noise.update(false)
        examples += [f"{example} (noise draw {draw + 1})" if draw else example for example in heard_as]
    return {"utterances": len(texts), "safety": in_tone, "draws_at_6db": draws,
            "safety_at_6db": {name: in_noise[name] for name in listening}, "examples": examples[:12]}


def _in_every_voice(bench: Bench, texts: list[str], voices: tuple[str, ...],
                    rooms: list[Condition], listening: dict,
                    rng: np.random.Generator | None = None) -> dict:
    """The talk near a safety phrase, each utterance in every voice and room (a room twice: two
    draws of its noise): safety responses per context."""
    spoken = {(text, voice): speak(text, voice) for text in texts for voice in voices}
    cases = [(f"{text} ({voice})", audio, room) for (text, voice), audio in spoken.items()
             for room in rooms]
    false, examples = _false_safety(bench, [named for named, _, _ in cases],
                                    [audio for _, audio, _ in cases],
                                    [room for _, _, room in cases],
                                    rng or np.random.default_rng(23), listening)
    return {"utterances": len(texts), "trials_per_context": len(cases), "safety": false,
            "examples": examples[:12]}


def _over_speech(settings: Settings, texts: list[str], voices: tuple[str, ...],
                 quick: bool) -> dict:
    """Each of `texts` in every voice, said over the speaker's voice in every room of the barge-in
    benchmark (the first, if `quick`) at each level against its echo
    (`speaking.said_over_speech`): how many gave the safety response, which, and why the others
    did not."""
    cases = [(text, voice) for text in texts for voice in voices]
    trials = said_over_speech(settings, [speak(text, voice) for text, voice in cases],
                              rooms=1 if quick else len(ROOMS))
    safety = []  # the trials that gave the safety response, named
    otherwise = Counter()  # what the others gave instead
    for trial in trials:
        text, voice = cases[trial["utterance"]]
        if SAFETY in trial["heard"]:
            safety.append(f"room {trial['room'] + 1}, {trial['level']}: {text} ({voice})")
        else:  # another command, or the last rejection's kind without its figures
            reason = trial["rejected"] or "nothing heard"
            otherwise[", ".join(trial["heard"]) or reason.split(" (")[0].split(":")[0]] += 1
    return {"trials": len(trials), "safety": len(safety), "examples": safety[:12],
            "otherwise": dict(otherwise.most_common(8))}


def _false_safety(bench: Bench, texts: list[str], said: list[np.ndarray], rooms: list[Condition],
                  rng: np.random.Generator, listening: dict) -> tuple[dict[str, int], list[str]]:
    """How many of the utterances `said`, each in its room, gave the safety response, per context, and
    which."""
    false = Counter()
    examples = []
    for text, audio, room in zip(texts, said, rooms):
        heard = in_room(audio, room, rng)
        for name, listen_in in listening.items():
            if any(d.match.intent == SAFETY for d in bench.listen(heard, listen_in)):
                false[name] += 1
                examples.append(f"{name}, {room.name}: {text}")
    return {name: false[name] for name in listening}, examples


def _summary(result: dict) -> str:
    parts = []
    for name, figures in result["sets"].items():
        requests = figures["requests"]
        spoken = figures["talk"]
        heard = ", ".join(f"{ctx} {n}/{requests['trials_per_context']}" for ctx, n in requests["heard"].items())
        in_words = figures["requests_in_words"]
        heard_in_words = ", ".join(f"{ctx} {n}/{in_words['trials_per_context']}"
                                   for ctx, n in in_words["heard"].items())
        in_noise_requests = figures["requests_at_6db"]
        heard_in_noise = ", ".join(f"{ctx} {n}/{in_noise_requests['trials_per_context']}"
                                   for ctx, n in in_noise_requests["heard"].items())
        false = ", ".join(f"{ctx} {n}" for ctx, n in spoken["safety"].items())
        near = figures["near_safety"]
        near_false = ", ".join(f"{ctx} {n}" for ctx, n in near["safety"].items())
        near_in_noise = figures["near_safety_at_6db"]
        near_false_in_noise = ", ".join(f"{ctx} {n}" for ctx, n in near_in_noise["safety"].items())
        in_noise = ", ".join(f"{ctx} {n}" for ctx, n in spoken["safety_at_6db"].items())
        draws = spoken["draws_at_6db"]
        over_draws = f" over {draws} noise draws" if draws > 1 else ""
        over_requests = figures["over_speech"]["requests"]
        over_near = figures["over_speech"]["near_safety"]
        parts.append(f"{name}: requests heard {heard}, at 6 dB SNR{over_draws} {heard_in_noise}; "
                     f"said among other words {heard_in_words}; "
                     f"safety on {spoken['utterances']} talk utterances {false}, "
                     f"at 6 dB SNR{over_draws} {in_noise}; talk near a safety phrase in every "
                     f"voice and room tone ({near['trials_per_context']}) {near_false}, "
                     f"at 6 dB SNR{over_draws} ({near_in_noise['trials_per_context']}) "
                     f"{near_false_in_noise}; "
                     f"through the echo canceller, requests heard "
                     f"{over_requests['safety']}/{over_requests['trials']} and talk near a safety "
                     f"phrase {over_near['safety']} of {over_near['trials']}")
    return f"{result['locale']}: " + " | ".join(parts) + " (targets: requests >= 90 %, talk 0)"
