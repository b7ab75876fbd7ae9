"""Headless operation: `voice doctor` with devices and without, `voice status` and SIGUSR1 on a live
speaker, the start-up time, and the systemd unit."""

import os
import re
import shutil
import signal
import subprocess
import time

import numpy as np
import pytest
from conftest import REPO, VOICE, run_voice

from voice.audio.frames import RATE
from voice.doctor import mic_levels


def speech_like(seconds: float) -> np.ndarray:
    """A tone that comes and goes over a faint hiss: a microphone in a quiet room with someone talking."""
    t = np.arange(int(seconds * RATE)) / RATE
    rng = np.random.default_rng(0)
    return (np.sin(2 * np.pi * 220 * t) * 3000 * (np.sin(2 * np.pi * 0.5 * t) > 0) + rng.normal(0, 30, len(t))
            ).astype("<i2")


def test_microphone_levels():
    level, floor, clipped = mic_levels(speech_like(3.0), RATE)
    assert -27 < level < -20 and -65 < floor < -55 and clipped == 0
    loud = np.full(RATE, 32767, np.int16)
    assert mic_levels(loud, RATE)[2] == 1.0
    assert mic_levels(np.zeros(RATE, np.int16), RATE)[0] == -120.0


@pytest.mark.slow
def test_doctor_passes_with_working_devices(isolated, alsa_devices):
    alsa_devices["mic"].write_bytes(speech_like(4.0).tobytes())
    result = run_voice("doctor", "--locale", "ko", env={"HOME": alsa_devices["HOME"],
                       "VOICE_INPUT_DEVICE": "testmic", "VOICE_OUTPUT_DEVICE": "testspk"})
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line[:20].strip(): line[21:] for line in result.stdout.splitlines()[1:-1]}
    assert set(rows) == {"python packages", "configuration", "scripts", "speech model", "grammar vocabulary",
                         "voice", "microphone", "speaker", "microphone level", "speaker chime"}
    assert all(row.startswith("pass") for row in rows.values())
    assert re.search(r"level -2\d dBFS, noise floor -6\d dBFS, clipping 0.00%", rows["microphone level"])
    assert result.stdout.strip().endswith("All checks passed.")
    played = np.frombuffer(alsa_devices["speaker"].read_bytes(), "<i2")
    assert np.count_nonzero(played) > RATE // 4  # the chime reached the speaker


@pytest.mark.slow
def test_doctor_names_each_failure_and_its_fix(isolated, tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "config.yaml").write_text("volume: loud\n")
    home = tmp_path / "nohome"
    home.mkdir()
    result = run_voice("doctor", "--model", str(tmp_path / "nowhere"), env={"HOME": str(home)})
    assert result.returncode == 1
    rows = {line[:20].strip(): line[21:] for line in result.stdout.splitlines()[1:-1]}
    assert re.match(r"FAIL .*etc/config.yaml:1:1: volume must be a number from 0 to 1", rows["configuration"])
    assert rows["speech model"].startswith("FAIL") and "voice models fetch" in rows["speech model"]
    assert rows["microphone"].startswith("FAIL") and "arecord -l" in rows["microphone"]
    assert rows["speaker"].startswith("FAIL") and "aplay -l" in rows["speaker"]
    assert rows["voice"].startswith("pass") and rows["scripts"].startswith("pass")
    assert "checks failed; fix them from the top" in result.stdout and "Traceback" not in result.stderr


@pytest.mark.slow
def test_status_and_sigusr1_on_a_live_speaker_and_its_start_up_time(isolated, alsa_devices, tmp_path):
    alsa_devices["mic"].write_bytes(np.zeros(RATE, "<i2").tobytes())
    env = {**os.environ, "HOME": alsa_devices["HOME"]}
    started = time.monotonic()
    speaker = subprocess.Popen([*VOICE, "run", "--locale", "ko", "--input-device", "testmic", "--output-device",
                                "testspk", "--max-seconds", "36000"], cwd=REPO, env=env, text=True,
                               stderr=subprocess.PIPE)
    try:
        status_path = tmp_path / "run" / "voice" / "status.json"
        while not status_path.exists():
            assert speaker.poll() is None and time.monotonic() - started < 60
            time.sleep(0.05)
        status = run_voice("status", env=env)
        assert status.returncode == 0
        assert re.match(rf"voice \(pid {speaker.pid}\): (listening|speaking); up \d+ s; audio ok; no intent yet; "
                        r"microphone 'testmic', speaker 'testspk' at 16000 Hz, latency in \d+ ms / out \d+ ms",
                        status.stdout), status.stdout
        speaker.send_signal(signal.SIGUSR1)
        time.sleep(0.5)
    finally:
        speaker.send_signal(signal.SIGTERM)
        _, stderr = speaker.communicate(timeout=30)
    assert speaker.returncode == 0, stderr
    assert re.search(r"INFO voice.status: status: (listening|speaking); up", stderr)
    ready = re.search(r"listening (\d+\.\d+) s after the process started", stderr)
    assert ready, stderr
    print(f"start-up: listening {ready[1]} s after the process started")
    assert run_voice("status", env=env).returncode == 1  # no longer running


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd is not on this machine")
def test_the_unit_file_passes_systemd_analyze_verify(tmp_path):
    unit = tmp_path / "voice.service"
    result = run_voice("service", "show")
    assert result.returncode == 0
    unit.write_text(result.stdout)
    for line in ("PrivateNetwork=yes", "ProtectSystem=strict", "NoNewPrivileges=yes", "Restart=always",
                 "StateDirectory=voice", "CacheDirectory=voice", "User=voice"):
        assert line in result.stdout.splitlines()
    verify = subprocess.run(["systemd-analyze", "verify", str(unit)], check=False, capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr


def test_the_installer_names_a_folder_the_service_user_cannot_enter(tmp_path):
    from voice.service import _unreadable_by_others

    private = tmp_path / "home" / "pi"
    checkout = private / "voice"
    checkout.mkdir(parents=True)
    for folder in (tmp_path, tmp_path / "home", checkout):
        folder.chmod(0o755)
    private.chmod(0o700)  # Raspberry Pi OS home folders
    assert _unreadable_by_others(checkout, tmp_path) == private
    private.chmod(0o755)
    assert _unreadable_by_others(checkout, tmp_path) is None
