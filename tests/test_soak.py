"""Eight hours of a living room through the file driver, in frame time (`voice bench soak`).

Room noise, the couple's talk, and commands at random moments that start every script and interrupt
it. The figures (wall time, memory per hour, cache) are printed; what must hold is asserted.
"""

import json

import pytest
from conftest import run_voice

from voice.exercises.library import Library, bundled_scripts_dir
from voice.locale import Locale

pytestmark = pytest.mark.slow


def test_eight_hours_run_without_an_error_a_stuck_state_or_growing_memory(isolated, tmp_path):
    result = run_voice("bench", "soak", "--hours", "8", "--locale", "ko", timeout=1800,
                       env={"XDG_CACHE_HOME": str(tmp_path / "cache")})  # its own cache, to bound it
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout)
    print(result.stderr.splitlines()[-1])
    print(json.dumps(figures["per_hour"]))

    assert figures["audio_hours"] >= 8 and figures["errors"] == []
    assert not figures["stuck"] and figures["idle_at_end"]  # every session ended or waits for the couple
    locale = Locale.load("ko")
    shipped = set(Library([bundled_scripts_dir()], "ko", locale.intents).scripts)
    assert set(figures["scripts_started"]) == shipped
    interrupted = {name.split(":")[0] for name, count in figures["scripts_finished"].items()
                   if not name.endswith("completed")}
    assert interrupted == shipped  # each stopped, replaced or cut short by a safety request at least once
    assert figures["rss_growth_mb"] < 10
    assert figures["cache_files"] <= figures["cache_bound_files"]
