"""`voice bench ...`: listening, speaking and hours-long running, measured on synthesized speech in
frame time. Each prints one JSON object (the figures) and a short human summary. Targets live here
(in each benchmark's module), not in tests.
"""

from pathlib import Path

from ..config import Settings
from ..listen.echo_filters import DEFAULT


def run(what: str, settings: Settings, quick: bool, minutes: float, hours: float,
        candidates: Path | None = None, canceller: str = DEFAULT, people: bool = False,
        draws: int | None = None) -> dict:
    """The figures of one benchmark, with a one-line "summary"; `quick` runs a small sample.
    `canceller`: the echo canceller's filter (echo, bargein); `people`: bargein with recordings of people;
    `draws`: how many draws of its noise talk is heard in at 6 dB SNR (safety, human; None: their own)."""
    from . import listening, speaking

    if what == "soak":
        from .soak import soak

        return soak(settings, hours=0.25 if quick else hours)
    if what == "phrases":
        from .phrases import phrases

        return phrases(settings, candidates, quick)
    if what == "accuracy":
        from .accuracy import accuracy

        return accuracy(settings, quick)
    if what == "safety":
        from .safety import NOISY_DRAWS, safety

        return safety(settings, quick, draws or NOISY_DRAWS)
    if what == "human":
        from .human import NOISY_TALK_DRAWS, human

        return human(settings, quick, draws or NOISY_TALK_DRAWS)
    if what == "synthesis":
        from .synthesis import synthesis

        return synthesis(settings, quick)
    if what == "pauses":
        from .pauses import pauses

        return pauses(settings, quick)
    if what == "vad":
        from .vad import vad

        return vad(settings, quick)
    if what == "idle":
        return listening.idle(settings, minutes=1 if quick else minutes)
    if what == "echo":
        return speaking.self_echo(settings, limit=5 if quick else None, canceller=canceller)
    if what == "bargein" and people:
        from .human import stop_over_people

        result = stop_over_people(settings, quick, canceller)
        return {"benchmark": "bargein", "canceller": canceller, **result,
                "summary": f"people's stop over the speaker's voice: {result['summary']}"}
    if what == "bargein":
        return speaking.barge_in(settings, trials=1 if quick else 10, canceller=canceller,
                                 line_limit=speaking.QUICK_LINES if quick else None)
    if what == "firstaudio":
        return speaking.first_audio(settings, lines=2 if quick else 10)
    return getattr(listening, what)(settings, quick=quick)
