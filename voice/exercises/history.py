"""The session log: which script ran, when, how far it got, pauses, and which prompts were drawn.

SQLite from the standard library, in the user data folder. It never holds audio or anything a person
said. A failing disk never stops the speaker: every write is logged and skipped on error.
"""

import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
RESUMABLE_S = 7 * 24 * 3600  # a cut-off session can be continued for a week

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    id INTEGER PRIMARY KEY,
    script TEXT NOT NULL,
    title TEXT NOT NULL,
    first TEXT NOT NULL,            -- which partner went first (for alternating)
    started REAL NOT NULL,          -- unix time
    ended REAL,                     -- NULL while running, or when cut off by a crash or power loss
    reason TEXT,                    -- completed, stopped, replaced, safety, interrupted
    last_step INTEGER NOT NULL DEFAULT 0,
    steps_completed INTEGER NOT NULL DEFAULT 0,
    pauses INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS prompts (
    session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    deck TEXT NOT NULL,
    prompt TEXT NOT NULL            -- a short hash of the speaker's own prompt text
);
CREATE TABLE IF NOT EXISTS marks (
    name TEXT PRIMARY KEY,          -- something the speaker did once, like 'reminder'
    at REAL NOT NULL                -- unix time
);
"""


@dataclass(frozen=True)
class Row:
    id: int
    script: str
    title: str
    first: str
    started: float
    ended: float | None
    reason: str | None
    last_step: int
    steps_completed: int
    pauses: int


class SessionLog:
    def __init__(self, path: Path | str) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        try:
            if isinstance(path, Path):
                path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            self._db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as error:
            log.error("the session log %s cannot be opened (%s); sessions will not be logged — "
                      "check the folder is writable", path, error)
            self._db = None

    def start(self, script: str, title: str, first: str, now: float) -> int | None:
        cursor = self._write("INSERT INTO sessions (script, title, first, started) VALUES (?, ?, ?, ?)",
                             script, title, first, now)
        return cursor.lastrowid if cursor else None

    def reopen(self, session: int) -> None:
        self._write("UPDATE sessions SET ended = NULL, reason = NULL WHERE id = ?", session)

    def step(self, session: int | None, index: int, completed: int) -> None:
        self._write("UPDATE sessions SET last_step = ?, steps_completed = MAX(steps_completed, ?) WHERE id = ?",
                    index, completed, session)

    def pause(self, session: int | None) -> None:
        self._write("UPDATE sessions SET pauses = pauses + 1 WHERE id = ?", session)

    def record(self, session: int, kind: str, data: dict, completed: int, now: float) -> None:
        """One of a session's events, as far as the log keeps it: the step reached, a pause, the end."""
        if kind == "step_started":
            self.step(session, data["index"], completed)
        elif kind == "paused":
            self.pause(session)
        elif kind == "script_finished":
            self.end(session, data["reason"], completed, now)

    def prompts(self, session: int | None, deck: str, keys: list[str]) -> None:
        for key in keys:
            self._write("INSERT INTO prompts (session, deck, prompt) VALUES (?, ?, ?)", session, deck, key)

    def end(self, session: int | None, reason: str, completed: int, now: float) -> None:
        self._write("UPDATE sessions SET ended = ?, reason = ?, steps_completed = MAX(steps_completed, ?) "
                    "WHERE id = ?", now, reason, completed, session)

    def recent(self, limit: int = 10) -> list[Row]:
        return [Row(*r) for r in self._read("SELECT * FROM sessions ORDER BY started DESC, id DESC LIMIT ?", limit)]

    def resumable(self, now: float) -> Row | None:
        """The latest session cut off before its end (crash, power loss, a restart)."""
        rows = self._read("SELECT * FROM sessions WHERE (ended IS NULL OR reason = 'interrupted') AND started > ? "
                          "ORDER BY started DESC, id DESC LIMIT 1", now - RESUMABLE_S)
        return Row(*rows[0]) if rows else None

    def last_first(self) -> str | None:
        rows = self._read("SELECT first FROM sessions ORDER BY started DESC, id DESC LIMIT 1")
        return rows[0][0] if rows else None

    def recent_prompts(self, deck: str, sessions: int) -> set[str]:
        rows = self._read("SELECT prompt FROM prompts WHERE deck = ? AND session IN "
                          "(SELECT id FROM sessions ORDER BY started DESC, id DESC LIMIT ?)", deck, sessions)
        return {row[0] for row in rows}

    def forget_since(self, since: float) -> int:
        """Delete every session started at or after `since` (unix time); how many went."""
        cursor = self._write("DELETE FROM sessions WHERE started >= ?", since)
        return cursor.rowcount if cursor else 0

    def interrupt_open(self, now: float) -> None:
        """At shutdown: sessions still running become resumable, not lost."""
        self._write("UPDATE sessions SET ended = ?, reason = 'interrupted' WHERE ended IS NULL", now)

    def mark(self, name: str, now: float) -> None:
        self._write("INSERT OR REPLACE INTO marks (name, at) VALUES (?, ?)", name, now)

    def marked(self, name: str) -> float:
        """When `name` was last marked (0 if never): a reminder given is not given again after a restart."""
        rows = self._read("SELECT at FROM marks WHERE name = ?", name)
        return rows[0][0] if rows else 0.0

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _write(self, sql: str, *args: object) -> sqlite3.Cursor | None:
        if self._db is None:
            return None
        try:
            return self._db.execute(sql, args)
        except sqlite3.Error as error:
            log.error("cannot write the session log %s (%s); carrying on without it", self.path, error)
            return None

    def _read(self, sql: str, *args: object) -> list[tuple]:
        if self._db is None:
            return []
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as error:
            log.error("cannot read the session log %s (%s)", self.path, error)
            return []


def start_of_today(now: float | None = None) -> float:
    """Local midnight; "forget tonight" before 4 a.m. also means the evening before."""
    moment = time.localtime(now if now is not None else time.time())
    hours_back = 24 if moment.tm_hour < 4 else 0
    midnight = time.mktime((moment.tm_year, moment.tm_mon, moment.tm_mday, 0, 0, 0, 0, 0, -1))
    return midnight - hours_back * 3600
