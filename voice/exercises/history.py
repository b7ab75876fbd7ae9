"""The session log: which script ran, when, how far it got, pauses, and which prompts were drawn.

SQLite from the standard library, in the user data folder. It never holds audio or anything a person
said. The log never stops the speaker: a locked database is waited for at most BUSY_TIMEOUT_S, a
failing write is logged once and skipped, a row of the wrong shape is ignored, and a file that is
not this log (corrupt, or another schema) is set aside and a fresh log started.
"""

import logging
import math
import os
import sqlite3
import time
from dataclasses import dataclass, fields
from pathlib import Path

log = logging.getLogger(__name__)
RESUMABLE_S = 7 * 24 * 3600  # a cut-off session can be continued for a week
BUSY_TIMEOUT_S = 0.05  # another process holding the database: give up on this write, not a frame's worth more

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

    @classmethod
    def checked(cls, values: tuple) -> "Row | None":
        """A row as the log wrote it, or None when a value has the wrong type (edited by hand, or corrupt)."""
        row = cls(*values)
        texts = (row.script, row.title, row.first)
        counts = (row.id, row.last_step, row.steps_completed, row.pauses)
        if not all(isinstance(text, str) for text in texts) or not all(_count(n) for n in counts):
            return None
        if not _moment(row.started) or not (row.ended is None or _moment(row.ended)):
            return None
        return row if row.reason is None or isinstance(row.reason, str) else None


_COLUMNS = ", ".join(field.name for field in fields(Row))
_TABLES = {"sessions": {field.name for field in fields(Row)}, "prompts": {"session", "deck", "prompt"},
           "marks": {"name", "at"}}


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53


def _moment(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0


class SessionLog:
    def __init__(self, path: Path | str) -> None:
        self.path = path
        self._failing = False  # writes are failing: said once, then quiet until one works again
        self._told: set[str] = set()
        self._db: sqlite3.Connection | None = None
        try:
            if isinstance(path, Path):
                path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._db = self._open()
            if isinstance(path, Path):
                path.chmod(0o600)  # when sessions happened is the couple's own business (SQLite's -wal follows)
        except (OSError, sqlite3.Error) as error:
            log.error("the session log %s cannot be opened (%s); sessions will not be logged — "
                      "check the folder is writable", path, error)
            self._db = None

    def _open(self) -> sqlite3.Connection:
        """This log's database; a file that is something else is moved aside once and a new log begun."""
        try:
            return self._connect()
        except sqlite3.DatabaseError as error:
            foreign = type(error) is sqlite3.DatabaseError or "malformed" in str(error)  # not locked, not read-only
            if not foreign or not isinstance(self.path, Path) or not self.path.exists():
                raise
            aside = self.path.with_name(f"{self.path.name}.unreadable-{time.strftime('%Y%m%d-%H%M%S')}")
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{self.path}{suffix}").exists():
                    os.replace(f"{self.path}{suffix}", f"{aside}{suffix}")
            log.error("the session log %s was not readable (%s); it is kept as %s and a new log is started",
                      self.path, error, aside.name)
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        try:
            db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
            db.executescript(_SCHEMA)
            for table, columns in _TABLES.items():
                found = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
                if not columns <= found:
                    raise sqlite3.DatabaseError(f"its '{table}' table lacks {', '.join(sorted(columns - found))}")
        except BaseException:
            db.close()
            raise
        return db

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
        rows = self._read(f"SELECT {_COLUMNS} FROM sessions ORDER BY started DESC, id DESC LIMIT ?",
                          min(limit, 2**62))
        return self._checked(rows)

    def resumable(self, now: float) -> Row | None:
        """The latest session cut off before its end (crash, power loss, a restart)."""
        rows = self._read(f"SELECT {_COLUMNS} FROM sessions WHERE (ended IS NULL OR reason = 'interrupted') "
                          "AND started > ? ORDER BY started DESC, id DESC LIMIT 1", now - RESUMABLE_S)
        return next(iter(self._checked(rows)), None)

    def last_first(self) -> str | None:
        rows = self._read("SELECT first FROM sessions ORDER BY started DESC, id DESC LIMIT 1")
        return rows[0][0] if rows and isinstance(rows[0][0], str) else None

    def recent_prompts(self, deck: str, sessions: int) -> set[str]:
        rows = self._read("SELECT prompt FROM prompts WHERE deck = ? AND session IN "
                          "(SELECT id FROM sessions ORDER BY started DESC, id DESC LIMIT ?)", deck, sessions)
        return {row[0] for row in rows if isinstance(row[0], str)}

    def _checked(self, rows: list[tuple]) -> list[Row]:
        checked = [Row.checked(row) for row in rows]
        if None in checked:
            self._once("the session log %s holds rows it did not write; they are ignored", self.path)
        return [row for row in checked if row is not None]

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
        if rows and not _moment(rows[0][0]):
            self._once("the session log %s holds a mark '%s' it did not write; it is ignored", self.path, name)
            return 0.0
        return float(rows[0][0]) if rows else 0.0

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _once(self, message: str, *args: object) -> None:
        if message not in self._told:
            self._told.add(message)
            log.error(message, *args)

    def _write(self, sql: str, *args: object) -> sqlite3.Cursor | None:
        if self._db is None:
            return None
        try:
            cursor = self._db.execute(sql, args)
        except (sqlite3.Error, OverflowError) as error:
            if not self._failing:
                log.error("cannot write the session log %s (%s); carrying on without it", self.path, error)
            self._failing = True
            return None
        self._failing = False
        return cursor

    def _read(self, sql: str, *args: object) -> list[tuple]:
        if self._db is None:
            return []
        try:
            return self._db.execute(sql, args).fetchall()
        except (sqlite3.Error, OverflowError) as error:
            log.error("cannot read the session log %s (%s)", self.path, error)
            return []


def start_of_today(now: float | None = None) -> float:
    """Local midnight; "forget tonight" before 4 a.m. also means the evening before."""
    moment = time.localtime(now if now is not None else time.time())
    hours_back = 24 if moment.tm_hour < 4 else 0
    midnight = time.mktime((moment.tm_year, moment.tm_mon, moment.tm_mday, 0, 0, 0, 0, 0, -1))
    return midnight - hours_back * 3600
