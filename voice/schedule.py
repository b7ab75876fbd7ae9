"""Wall-clock rules: quiet hours, the weekly check-in reminder and the optional daily one.

The engine counts audio frames; these rules read the wall clock it is given, so a test drives them
with a clock made from the frame count.
"""

import datetime as dt
import re
from dataclasses import dataclass

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
REMINDER_WINDOW = dt.timedelta(hours=3)  # a reminder held back (a session, quiet hours) waits this long at most
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def parse_clock(text: str) -> dt.time:
    """'19:00' -> 19:00; a ValueError says what a time looks like."""
    found = _CLOCK.match(text.strip())
    if not found:
        raise ValueError(f"'{text}' is not a time of day; write it as HH:MM, like 19:30")
    return dt.time(int(found[1]), int(found[2]))


@dataclass(frozen=True)
class QuietHours:
    """A daily span when the speaker starts nothing by itself; it may cross midnight (22:00-07:00)."""

    start: dt.time
    end: dt.time

    @classmethod
    def parse(cls, text: str) -> "QuietHours":
        parts = str(text).split("-")
        if len(parts) != 2:
            raise ValueError(f"'{text}' is not a span of time; write it as HH:MM-HH:MM, like 22:00-07:00")
        return cls(parse_clock(parts[0]), parse_clock(parts[1]))

    def __contains__(self, moment: dt.datetime) -> bool:
        now = moment.time()
        if self.start <= self.end:
            return self.start <= now < self.end
        return now >= self.start or now < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True)
class Weekly:
    """A time once a week, like 'sunday 19:00'."""

    weekday: int  # 0 is Monday, as in datetime
    at: dt.time

    @classmethod
    def parse(cls, text: str) -> "Weekly":
        parts = str(text).lower().split()
        days = [day for day in WEEKDAYS if len(parts) == 2 and len(parts[0]) >= 3 and day.startswith(parts[0])]
        if len(days) != 1:
            raise ValueError(f"'{text}' is not a weekly time; write a day and a time, like 'sunday 19:00'")
        return cls(WEEKDAYS.index(days[0]), parse_clock(parts[1]))

    def last_before(self, moment: dt.datetime) -> dt.datetime:
        """The most recent occurrence at or before `moment`."""
        days_back = (moment.weekday() - self.weekday) % 7
        candidate = dt.datetime.combine(moment.date() - dt.timedelta(days=days_back), self.at, moment.tzinfo)
        return candidate if candidate <= moment else candidate - dt.timedelta(days=7)

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.at:%H:%M}"


@dataclass(frozen=True)
class Daily:
    """A time every day, like '20:00' (the daily connection's reminder)."""

    at: dt.time

    @classmethod
    def parse(cls, text: str) -> "Daily":
        try:
            return cls(parse_clock(str(text)))
        except ValueError:
            raise ValueError(f"'{text}' is not a daily time; write it as HH:MM, like 20:00") from None

    def last_before(self, moment: dt.datetime) -> dt.datetime:
        candidate = dt.datetime.combine(moment.date(), self.at, moment.tzinfo)
        return candidate if candidate <= moment else candidate - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.at:%H:%M}"


def reminder_due(weekly: Weekly | Daily, quiet: QuietHours | None, now: float, last_reminded: float) -> bool:
    """True when the latest reminder time has passed, was not given yet and may be given now.

    A reminder held back by a session or quiet hours is given later, but only inside REMINDER_WINDOW:
    a check-in reminder at two in the morning would be worse than none.
    """
    moment = dt.datetime.fromtimestamp(now)
    occurrence = weekly.last_before(moment)
    if last_reminded >= occurrence.timestamp() or moment - occurrence > REMINDER_WINDOW:
        return False
    return quiet is None or moment not in quiet
