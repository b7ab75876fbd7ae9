"""Rendered lines: kept on disk by a hash of (voice, delivery, text), rendered by one background thread.

Asking for a line never blocks. A cached line comes back whole; an uncached one comes back as a
`SpokenLine` whose sentences arrive as they render, ahead of any line being prepared in the
background (preparation yields to a spoken line between sentences). The lines that must always
play (the safety response, "stop") are held in memory from start-up (`hold`), so they play when
nothing can be rendered or written. Disk: store.py.
"""

import hashlib
import heapq
import itertools
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ..errors import SpeechError, VoiceError
from .delivery import Delivery, Voice
from .store import LineStore

log = logging.getLogger(__name__)
MEMORY_BYTES = 2_000_000  # about a minute of recent speech in memory; the rest is read from disk
SPEAK, HOLD, PREPARE = 0, 1, 2  # render priorities: a line the couple is waiting for, then the lines held
# in memory (the safety response: asked for, it is a SPEAK line itself), then preparation


class SpokenLine:
    """A line's audio as it renders; thread-safe, written by the render thread, read by the player."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._audio = np.zeros(0, np.int16)
        self._complete = False
        self.error: VoiceError | None = None
        self._changed = threading.Condition()

    @classmethod
    def ready(cls, text: str, audio: np.ndarray) -> "SpokenLine":
        line = cls(text)
        line._audio, line._complete = audio, True
        return line

    @property
    def complete(self) -> bool:
        return self._complete

    @property
    def rendered(self) -> int:
        """Samples rendered so far (all of them once `complete`)."""
        return len(self._audio)

    def add(self, audio: np.ndarray) -> None:
        with self._changed:
            self._audio = np.concatenate([self._audio, audio])
            self._changed.notify_all()

    def finish(self, error: VoiceError | None = None) -> None:
        with self._changed:
            self.error, self._complete = error, True
            self._changed.notify_all()

    def read(self, start: int, count: int, wait: bool) -> np.ndarray:
        """Up to `count` samples from `start`: what has rendered, or (`wait`) all once they have."""
        with self._changed:
            while wait and not self._complete and len(self._audio) < start + count:
                self._changed.wait()
            return self._audio[start : start + count]

    def audio(self) -> np.ndarray:
        """The whole line, waiting for it to finish rendering."""
        with self._changed:
            while not self._complete:
                self._changed.wait()
            if self.error is not None:
                raise self.error
            return self._audio


class _Job:
    def __init__(self, line: SpokenLine, path: Path, sentences: Iterator[np.ndarray]) -> None:
        self.line, self.path, self.sentences = line, path, sentences


class LineMemory:
    """Recently spoken lines, bounded in bytes and shared by the caches at each speaking rate, so
    "slower" and "faster" cannot make the speaker's memory grow over the months on a shelf."""

    def __init__(self, budget: int = MEMORY_BYTES) -> None:
        self.budget, self.size = budget, 0
        self._lines: OrderedDict[Path, np.ndarray] = OrderedDict()
        self.held: dict[str, np.ndarray] = {}  # text -> audio never let go (the safety response, "stop")
        self._lock = threading.Lock()

    def get(self, key: Path) -> np.ndarray | None:
        with self._lock:
            if key in self._lines:
                self._lines.move_to_end(key)
            return self._lines.get(key)

    def put(self, key: Path, audio: np.ndarray) -> None:
        with self._lock:
            self.size += audio.nbytes - (self._lines[key].nbytes if key in self._lines else 0)
            self._lines[key] = audio
            self._lines.move_to_end(key)
            while self.size > self.budget and len(self._lines) > 1:
                self.size -= self._lines.popitem(last=False)[1].nbytes


class PromptCache:
    """Audio for a line of text: from memory, from disk, or rendered once (in the background) and stored."""

    def __init__(self, voice: Voice, folder: Path, delivery: Delivery | None = None,
                 memory: LineMemory | None = None) -> None:
        self.voice, self.folder = voice, folder
        self.store = LineStore(folder)
        self.delivery = delivery or Delivery()
        self.memory = memory or LineMemory()
        self._jobs: dict[str, _Job] = {}  # text -> the job rendering it
        self._queue: list[tuple[int, int, str]] = []  # (priority, order, text)
        self._order = itertools.count()
        self._wake = threading.Condition()
        self._closed = False
        self._held: set[str] = set()  # lines to keep in memory once they are ready (see hold)
        self._thread: threading.Thread | None = None
        self.hits = self.misses = 0

    def path_for(self, text: str) -> Path:
        key = f"{self.voice.cache_key}|{self.delivery.cache_key}|{self.delivery.spoken(text)}"
        return self.folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.wav"

    def line(self, text: str) -> SpokenLine:
        """The line to play now: whole when cached or held, else streaming as its sentences render."""
        held = self.memory.held.get(text)  # at the pace it was held at: these lines must never wait
        if held is not None:
            self.hits += 1
            return SpokenLine.ready(text, held)
        remembered = self.memory.get(self.path_for(text))
        if remembered is not None:
            self.hits += 1
            return SpokenLine.ready(text, remembered)
        with self._wake:
            job = self._jobs.get(text)
        if job is None:
            stored = self.store.read(self.path_for(text))
            if stored is not None:
                self.hits += 1
                self._remember(text, stored)
                return SpokenLine.ready(text, stored)
        self.misses += 1
        return self._enqueue(text, SPEAK).line

    def audio(self, text: str) -> np.ndarray:
        """The whole line (rendered now if need be): `voice say`, tests."""
        return self.line(text).audio()

    def prepare(self, lines: list[str]) -> None:
        """Render every line not yet on disk, in the background: speaking starts within a frame."""
        for text in dict.fromkeys(lines):
            if not self.store.has(self.path_for(text)):
                self._enqueue(text, PREPARE)

    def hold(self, lines: list[str]) -> None:
        """Keep these lines in memory for as long as the speaker runs: read from disk or rendered in the
        background before any preparation, after only a line someone is waiting for (start-up does not
        wait: on a Pi, Piper takes tens of seconds for the safety response), then never let go,
        whatever the disk or the voice does later."""
        for text in dict.fromkeys(lines):
            if text not in self.memory.held:
                self._held.add(text)
                self._enqueue(text, HOLD)

    def wait_held(self) -> None:
        """Block until every held line is in memory (or has failed): the fault tests start from there."""
        with self._wake:
            while any(text in self._jobs for text in self._held):
                self._wake.wait()

    def wait_prepared(self) -> None:
        """Block until nothing is left to render (`voice prepare`, tests)."""
        with self._wake:
            while self._jobs:
                self._wake.wait()

    def close(self) -> None:
        """Stop rendering (after the sentence in hand) and wait for the thread: an exit while
        onnxruntime is mid-sentence would abort the process."""
        with self._wake:
            self._closed = True
            self._wake.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _enqueue(self, text: str, priority: int) -> _Job:
        with self._wake:
            job = self._jobs.get(text)
            if job is None:
                line = SpokenLine(text)
                job = _Job(line, self.path_for(text), self.delivery.sentences(self.voice, text))
                self._jobs[text] = job
            heapq.heappush(self._queue, (priority, next(self._order), text))  # a repeat raises priority
            if self._thread is None:
                self._thread = threading.Thread(target=self._render_loop, name="prompt-cache", daemon=True)
                self._thread.start()
            self._wake.notify_all()
            return job

    def _render_loop(self) -> None:
        """Render one sentence of the most urgent job at a time, so a spoken line overtakes preparation."""
        while True:
            with self._wake:
                while not self._closed and not self._queue:
                    self._wake.wait()
                if self._closed:
                    return
                priority, order, text = heapq.heappop(self._queue)
                job = self._jobs.get(text)
                if job is None:  # finished under an earlier entry
                    continue
            try:
                finished = self._render_step(job)
            except Exception as error:  # noqa: BLE001 — a fault must not end the thread: every later line would hang
                log.error("rendering %r failed (%s)", job.line.text, error)
                if not job.line.complete:
                    job.line.finish(SpeechError(f"the voice could not speak {job.line.text!r} ({error})"))
                finished = True
            with self._wake:
                if finished:
                    del self._jobs[text]
                    self._wake.notify_all()
                else:
                    heapq.heappush(self._queue, (priority, order, text))

    def _render_step(self, job: _Job) -> bool:
        """One more sentence of a job; True when the job is done."""
        try:
            if not job.line.read(0, 1, wait=False).size and (stored := self.store.read(job.path)) is not None:
                job.line.add(stored)  # on disk already (rendered before, or by another process meanwhile)
                self._remember(job.line.text, stored)
                job.line.finish()
                return True
            chunk = next(job.sentences, None)
        except Exception as error:  # one line that cannot be spoken must not stop the others
            if not isinstance(error, VoiceError):
                error = SpeechError(f"the voice could not speak {job.line.text!r} ({error})")
            log.error("%s%s", error, "; it is a line that must always play (the safety response): run 'voice doctor'"
                      if job.line.text in self._held else "")
            job.line.finish(error)
            return True
        if chunk is not None:
            job.line.add(chunk)
            return False
        audio = job.line.read(0, 1 << 62, wait=False)
        self._remember(job.line.text, audio)
        job.line.finish()  # the line plays now, whatever becomes of storing it
        self.store.write(job.path, audio)
        return True

    def _remember(self, text: str, audio: np.ndarray) -> None:
        if text in self._held:
            self.memory.held[text] = audio
        self.memory.put(self.path_for(text), audio)
