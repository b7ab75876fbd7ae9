"""Vosk at our boundary: model loading with clear errors, warm grammar-mode recognizers, n-best results,
and an open-vocabulary recognizer for a second opinion (`OpenRecognizer`)."""

import json
import logging
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager
from typing import NamedTuple, TypeVar
from pathlib import Path

import numpy as np
import vosk

from ..audio.frames import RATE
from ..errors import ModelError

N_BEST = 5  # alternatives asked of Vosk: matched in rank order, their scores give the confidence
# The English model's word for speech outside the grammar. The Korean model has none that hears speech:
# its <UNK>, added to its grammars, was in 6 of 1,092 tuning trials' alternatives and changed none (issue 17's note).
UNKNOWN = "[unk]"
OPEN_N_BEST = 5  # alternatives of the open recognizer: one of them near the command is enough (10 and 20 kept no more)
WARM = 16  # recognizers kept compiled, one per command set (a handful of contexts and choice steps)

NO_DITHER = "--dither=0.0"  # Kaldi's last setting of an option wins

vosk.SetLogLevel(-1)  # Vosk's own logging goes to stderr unasked; we log what matters ourselves.
log = logging.getLogger(__name__)
T = TypeVar("T")


class Word(NamedTuple):
    text: str
    start: float  # seconds into all the recognizer has heard, across utterances: use differences
    end: float


# The grammar's final result: its alternatives' texts (best first), scores and words with times.
Decoded = tuple[list[str], list[float], list[list[Word]]]


class Alternatives(NamedTuple):
    """The open recognizer's hearing of an utterance."""
    texts: list[str]  # best first
    scores: list[float]  # each one's log-likelihood (Vosk's n-best "confidence"): only differences mean anything


def load_model(path: Path, locale: str | None = None) -> vosk.Model:
    """Load a Vosk model folder, or say exactly what is wrong with it (and, for a locale's own model,
    the command that fetches it). Without Kaldi's dither (`undithered`)."""
    if not path.is_dir():
        fetch = f"voice models fetch --locale {locale}" if locale else "voice models fetch"
        raise ModelError(
            f"the speech model folder {path} does not exist; run '{fetch}' "
            "or pass --model PATH to an unzipped Vosk model"
        )
    if not (path / "am").is_dir() or not (path / "conf").is_dir():
        raise ModelError(
            f"{path} is not a Vosk model folder (it has no am/ and conf/); unzip the model "
            "so that these folders sit directly inside it, or pass --model PATH"
        )
    try:
        with undithered(path) as folder:
            return vosk.Model(str(folder))
    except Exception as error:  # vosk raises a bare Exception
        raise ModelError(f"Vosk could not load the model in {path} ({error}); fetch it again") from None


@contextmanager
def undithered(path: Path) -> Iterator[Path]:
    """The model folder as Vosk should read it: the publisher's files, with Kaldi's dither turned off.

    Kaldi adds random noise to every frame's features (dither 1.0 unless `conf/mfcc.conf` says
    otherwise, and the models we use do not), drawn from the process's rand(). With the open
    recognizer decoding on a thread of its own, what a recognizer heard then depended on timing: the
    same clip scored 167.5, 169.4 and 168.1 in three decodes (issue 17's note). So Vosk reads a
    temporary folder of links to the model's files, with an `mfcc.conf` of our own; Vosk reads
    everything while the model loads, and the folder is gone before the first word is heard. Where no
    such folder can be made (a full disk), the model loads as published, dither and all. The listener
    adds a dither of its own instead, the same for the same utterance (`dither.Dither`)."""
    with ExitStack() as stack:
        try:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="voice-model-",
                                                                          ignore_cleanup_errors=True)))
            _link_without_dither(path, folder)
        except OSError as error:
            log.warning("the speech model loads with Kaldi's dither on, so its scores vary a little from run "
                        "to run: no folder without it could be made (%s)", error)
            folder = path
        yield folder


def _link_without_dither(model: Path, folder: Path) -> None:
    """Fill `folder` with links to the model's files, but for its own `conf/mfcc.conf` with no dither."""
    for entry in model.iterdir():
        if entry.name != "conf":
            (folder / entry.name).symlink_to(entry.resolve())
    (folder / "conf").mkdir()
    for entry in (model / "conf").iterdir():
        if entry.name != "mfcc.conf":
            (folder / "conf" / entry.name).symlink_to(entry.resolve())
    features = (model / "conf" / "mfcc.conf").read_text().rstrip("\n")
    (folder / "conf" / "mfcc.conf").write_text(f"{features}\n{NO_DITHER}\n")


def missing_words(model: vosk.Model, words: set[str]) -> list[str]:
    """Grammar words the model's vocabulary lacks (Vosk would silently ignore them)."""
    return sorted(word for word in words if model.vosk_model_find_word(word) < 0)


class GrammarRecognizer:
    """One utterance at a time, in the grammar chosen before it starts: `use`, `accept`, then
    `partial` while it is spoken and `finish` for the n-best texts and scores.

    Vosk's decoder failing on an utterance (it raises a bare Exception) is a ModelError here; the
    rest of that utterance is heard as nothing, and the next by a freshly compiled recognizer."""

    def __init__(self, model: vosk.Model) -> None:
        self._model = model
        self._open: OpenRecognizer | None = None
        self._warm: OrderedDict[tuple[str, ...], vosk.KaldiRecognizer] = OrderedDict()
        self._key: tuple[str, ...] = ()  # the phrase set in use

    def use(self, phrases: list[str]) -> None:
        """Listen for these phrases from the next utterance on; recognizers stay warm per phrase set."""
        key = tuple(phrases)
        if key not in self._warm:
            grammar = [phrase for phrase in phrases if not missing_words(self._model, set(phrase.split()))]
            if grammar and self._model.vosk_model_find_word(UNKNOWN) >= 0:
                grammar.append(UNKNOWN)  # talk decodes to [unk] rather than onto the nearest command
            self._warm[key] = self._compile(grammar) if grammar else NothingToHear()
            if len(self._warm) > WARM:
                self._warm.popitem(last=False)
        self._warm.move_to_end(key)
        self._key, self._recognizer = key, self._warm[key]

    def open(self) -> "OpenRecognizer":
        """The model's open-vocabulary recognizer (one per model, like the warm grammar ones)."""
        if self._open is None:
            self._open = OpenRecognizer(self._model)
        return self._open

    def unknown(self, words: set[str]) -> list[str]:
        """Those of `words` the model cannot hear."""
        return missing_words(self._model, words)

    def forget(self) -> None:
        """The phrases changed (a script was edited): compile afresh from now on."""
        self._warm.clear()

    def accept(self, frame: np.ndarray) -> None:
        self._decode(self._recognizer.AcceptWaveform, frame.tobytes())

    def partial(self) -> str:
        """The best guess so far for the utterance in progress."""
        return json.loads(self._decode(self._recognizer.PartialResult)).get("partial", "")

    def finish(self) -> Decoded:
        """End the utterance now (our endpoint, not Vosk's): its alternatives, best first, their
        scores (log-likelihoods; only their differences mean anything) and their words with times
        (empty without them)."""
        result = json.loads(self._decode(self._recognizer.FinalResult))
        alternatives = result.get("alternatives", [{"text": result.get("text", ""), "confidence": 0.0}])
        words = [[Word(w["word"], w["start"], w["end"]) for w in alt.get("result", [])] for alt in alternatives]
        return [alt["text"].strip() for alt in alternatives], [alt["confidence"] for alt in alternatives], words

    def _decode(self, call: Callable[..., T], *args: bytes) -> T:
        """`call` on the recognizer in use; if Vosk fails, that recognizer is dropped for good, the
        utterance's rest goes nowhere, and the failure is raised as a ModelError."""
        try:
            return call(*args)
        except Exception as error:  # vosk raises a bare Exception
            self._warm.pop(self._key, None)
            self._recognizer = NothingToHear()
            raise ModelError(f"the speech recognizer failed on an utterance ({error})") from None

    def _compile(self, grammar: list[str]) -> vosk.KaldiRecognizer:
        # ensure_ascii=False: escaped Hangul ("\\uc2dc") is not a word Vosk knows.
        recognizer = vosk.KaldiRecognizer(self._model, RATE, json.dumps(grammar, ensure_ascii=False))
        recognizer.SetMaxAlternatives(N_BEST)
        recognizer.SetWords(True)  # word times: how long the command itself took to say
        return recognizer


class OpenRecognizer:
    """The model's whole vocabulary and language model, no grammar: what was said if it need not be
    a command. Only a model built with its language model (English's small model) can do this well;
    the Korean one free-decodes at about real time and mostly wrongly (../shared/design.md).

    It decodes on a thread of its own. Its work comes in bursts (one `AcceptWaveform` took up to
    190 ms here, p99 27 ms: issue 17's note), and on the engine's thread a burst held up every frame
    behind it, the speaker's output too. The engine waits for it only in `finish`, when a short
    command asks for its verdict; by then, live, the frames before have long been decoded. Calls run
    one at a time in the order made, so the same frames give the same alternatives on any machine."""

    def __init__(self, model: vosk.Model) -> None:
        self._model = model
        self._recognizer = self._fresh()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="open-recognizer")
        self._pending: list[Future] = []  # this utterance's calls: a failure among them is raised in `finish`
        self._final: Future | None = None  # the utterance's final result, once begun

    def reset(self) -> None:
        """Forget the utterance so far; the next `accept` begins a new one."""
        self._pending = [self._worker.submit(self._recognizer.Reset)]
        self._final = None

    def accept(self, frame: np.ndarray) -> None:
        self._pending.append(self._worker.submit(self._recognizer.AcceptWaveform, frame.tobytes()))

    def begin_final(self) -> None:
        """The utterance has ended: begin its final result now, to be asked for in `finish`. Begun
        before the engine's thread finishes the grammar's result, the two run at once, on two cores.
        Every utterance is to end so, asked for or not: Vosk carries what it learnt of the voice from
        one utterance to the next, and a final result changes what it carries (measured: 3 of 8
        utterances heard differently after one)."""
        if self._final is None:
            self._final = self._worker.submit(self._recognizer.FinalResult)

    def finish(self) -> Alternatives:
        """The utterance's alternatives, best first (the recognizer is then ready for the next).
        A ModelError if Vosk failed on its thread; the next utterance is then heard by a fresh recognizer."""
        self.begin_final()
        calls = [*self._pending, self._final]
        self._pending, self._final = [], None
        wait(calls)  # done or failed, every one: the thread is idle
        failed = next((call.exception() for call in calls if call.exception() is not None), None)
        if failed is not None:
            self._recognizer = self._fresh()
            raise ModelError(f"the open-vocabulary recognizer failed on an utterance ({failed})")
        result = json.loads(calls[-1].result())
        alternatives = result.get("alternatives", [{"text": result.get("text", ""), "confidence": 0.0}])
        return Alternatives([alt["text"].strip() for alt in alternatives], [alt["confidence"] for alt in alternatives])

    def _fresh(self) -> vosk.KaldiRecognizer:
        recognizer = vosk.KaldiRecognizer(self._model, RATE)
        recognizer.SetMaxAlternatives(OPEN_N_BEST)
        return recognizer


class NothingToHear:
    """Stands in for a recognizer when the model knows no phrase of a command set: Vosk crashes the
    process on an empty grammar. (Start-up has already named the missing words.)"""

    def AcceptWaveform(self, data: bytes) -> bool:  # Vosk's method names
        return False

    def PartialResult(self) -> str:
        return '{"partial": ""}'

    def FinalResult(self) -> str:
        return '{"text": ""}'
