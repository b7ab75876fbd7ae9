"""Vosk at our boundary: model loading with clear errors, grammar mode, n-best results parsed once."""

import json
from pathlib import Path

import numpy as np
import vosk

from ..audio.frames import RATE
from ..errors import ModelError

N_BEST = 3  # alternatives asked of Vosk, matched in rank order

vosk.SetLogLevel(-1)  # Vosk's own logging goes to stderr unasked; we log what matters ourselves.


def load_model(path: Path) -> vosk.Model:
    """Load a Vosk model folder, or say exactly what is wrong with it."""
    if not path.is_dir():
        raise ModelError(
            f"the speech model folder {path} does not exist; run 'voice models fetch' "
            "or pass --model PATH to an unzipped Vosk model"
        )
    if not (path / "am").is_dir() or not (path / "conf").is_dir():
        raise ModelError(
            f"{path} is not a Vosk model folder (it has no am/ and conf/); unzip the model "
            "so that these folders sit directly inside it, or pass --model PATH"
        )
    try:
        return vosk.Model(str(path))
    except Exception as error:  # vosk raises a bare Exception
        raise ModelError(f"Vosk could not load the model in {path} ({error}); fetch it again") from None


def missing_words(model: vosk.Model, words: set[str]) -> list[str]:
    """Grammar words the model's vocabulary lacks (Vosk would silently ignore them)."""
    return sorted(word for word in words if model.vosk_model_find_word(word) < 0)


class GrammarRecognizer:
    """One utterance at a time: accept frames, then `finish()` for the n-best texts."""

    def __init__(self, model: vosk.Model, phrases: list[str]) -> None:
        self._model = model
        self.set_grammar(phrases)

    def set_grammar(self, phrases: list[str]) -> None:
        """Listen for these phrases from the next utterance on (scripts can add spoken choices)."""
        grammar = [phrase for phrase in phrases if missing_words(self._model, set(phrase.split())) == []]
        if self._model.vosk_model_find_word("[unk]") >= 0:
            grammar.append("[unk]")  # lets out-of-grammar speech land on [unk] instead of a command
        # ensure_ascii=False: escaped Hangul ("\\uc2dc") is not a word Vosk knows.
        self._recognizer = vosk.KaldiRecognizer(self._model, RATE, json.dumps(grammar, ensure_ascii=False))
        self._recognizer.SetMaxAlternatives(N_BEST)

    def accept(self, frame: np.ndarray) -> None:
        self._recognizer.AcceptWaveform(frame.tobytes())

    def finish(self) -> list[str]:
        """End the utterance now (our endpoint, not Vosk's) and return its alternatives, best first."""
        result = json.loads(self._recognizer.FinalResult())
        alternatives = result.get("alternatives", [{"text": result.get("text", "")}])
        return [alt["text"].replace("[unk]", "").strip() for alt in alternatives]
