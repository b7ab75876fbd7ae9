"""Set-up from the Makefile, read with `make -n` (what it would run): either locale, a model of one's
own, the command on PATH, and what a fresh Debian or Raspberry Pi OS needs to build from source."""

import shutil
import subprocess

import pytest
from conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def planned(*args: str) -> str:
    """The commands `make` would run (every target treated as out of date)."""
    return subprocess.run(["make", "-n", "-B", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout


def test_make_run_sets_up_and_starts_the_chosen_locale():
    korean = planned("run", "LOCALE=ko")
    assert ".venv/bin/voice models fetch --locale ko" in korean and ".venv/bin/voice run --locale ko" in korean
    default = planned("run")
    assert ".venv/bin/voice models fetch \n" in default  # no --locale: the configured locale's model


def test_make_run_with_a_model_of_ones_own_fetches_none():
    own = planned("run", "MODEL=/opt/models/mine")
    assert "models fetch" not in own and ".venv/bin/voice run  --model /opt/models/mine" in own


def test_make_run_leaves_voice_runnable_by_name_and_installs_what_a_source_build_needs():
    plan = planned("run")
    assert "ln -sfn" in plan and ".local/bin/voice" in plan
    assert "--no-install-recommends" in plan
    assert all(package in plan for package in ("g++", "python3-dev", "libspeexdsp-dev", "swig"))
    assert "pip.log" in plan  # a failed build shows its cause
