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
import soundfile
from conftest import REPO, VOICE, mic_says, run_voice

from voice.audio.frames import RATE
from voice.doctor import SAY_NOW, SOFT_DBFS, level_verdict, mic_levels


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


def test_a_voice_too_soft_to_be_heard_fails_the_microphone_level_with_its_fix():
    passed, detail = level_verdict(SOFT_DBFS - 3, -70.0, 0.0)
    assert not passed and "often missed" in detail and "alsamixer" in detail and "nearer" in detail
    summary = f"level {SOFT_DBFS + 3:.0f} dBFS, noise floor -70 dBFS, clipping 0.00%"
    assert level_verdict(SOFT_DBFS + 3, -70.0, 0.0) == (True, summary)
    assert "only silence" in level_verdict(-100.0, -100.0, 0.0)[1]
    assert "too loud" in level_verdict(-10.0, -60.0, 0.01)[1]


def doctor_rows(stdout: str) -> dict[str, str]:
    """The doctor's table by check (the request to speak for the microphone test is no row)."""
    lines = [line for line in stdout.splitlines()[1:-1] if not line.startswith(SAY_NOW[:10])]
    return {line[:20].strip(): line[21:] for line in lines}


@pytest.mark.slow
def test_doctor_passes_with_working_devices(isolated, alsa_devices):
    mic_says(alsa_devices["mic"], speech_like(4.0))
    result = run_voice("doctor", "--locale", "ko", env={"HOME": alsa_devices["HOME"],
                       "VOICE_INPUT_DEVICE": "testmic", "VOICE_OUTPUT_DEVICE": "testspk"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert SAY_NOW.format(seconds=3) in result.stdout  # asked before the microphone listened
    rows = doctor_rows(result.stdout)
    assert set(rows) == {"python packages", "configuration", "scripts", "speech model", "grammar vocabulary",
                         "voice", "microphone", "speaker", "microphone level", "speaker chime"}
    assert all(row.startswith("pass") for row in rows.values())
    assert re.search(r"level -2\d dBFS, noise floor -6\d dBFS, clipping 0.00%", rows["microphone level"])
    assert result.stdout.strip().endswith("All checks passed.")
    played = np.frombuffer(alsa_devices["speaker"].read_bytes(), "<i2")
    assert np.count_nonzero(played) > RATE // 4  # the chime reached the speaker


@pytest.mark.slow
def test_doctor_says_a_soft_voice_is_too_soft(isolated, alsa_devices):
    mic_says(alsa_devices["mic"], speech_like(4.0) // 30)
    result = run_voice("doctor", "--locale", "ko", env={"HOME": alsa_devices["HOME"],
                       "VOICE_INPUT_DEVICE": "testmic", "VOICE_OUTPUT_DEVICE": "testspk"})
    assert result.returncode == 1
    row = doctor_rows(result.stdout)["microphone level"]
    assert row.startswith("FAIL") and "often missed" in row and "alsamixer" in row, row


@pytest.mark.slow
def test_doctor_names_each_failure_and_its_fix(isolated, tmp_path):
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "config.yaml").write_text("volume: loud\n")
    home = tmp_path / "nohome"
    home.mkdir()
    result = run_voice("doctor", "--model", str(tmp_path / "nowhere"), env={"HOME": str(home)})
    assert result.returncode == 1
    rows = doctor_rows(result.stdout)
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
    rating = subprocess.run(["systemd-analyze", "security", "--offline=true", str(unit)], check=False,
                            capture_output=True, text=True).stdout
    exposure = float(re.search(r"Overall exposure level for voice.service: ([\d.]+)", rating)[1])
    print(f"systemd-analyze security: {exposure}")
    assert exposure <= 2.5, rating  # was 7.4 MEDIUM


def unit_settings(name: str) -> list[str]:
    """Every value of `name=` in the unit this checkout installs."""
    text = run_voice("service", "show").stdout
    return [line.split("=", 1)[1] for line in text.splitlines() if line.startswith(f"{name}=")]


def syscall_groups() -> dict[str, set[str]]:
    """systemd's system-call groups (@name -> calls and nested groups), from systemd-analyze itself."""
    groups: dict[str, set[str]] = {}
    current = None
    for line in subprocess.run(["systemd-analyze", "syscall-filter"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("@"):
            current = groups.setdefault(line.strip(), set())
        elif current is not None and line.strip() and not line.strip().startswith("#"):
            current.add(line.strip())
    return groups


def expand(names: list[str], groups: dict[str, set[str]]) -> set[str]:
    calls: set[str] = set()
    for name in names:
        calls |= expand(sorted(groups[name]), groups) if name.startswith("@") else {name}
    return calls


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("systemd-analyze") and shutil.which("strace")),
                    reason="make test installs systemd's tools and strace")
@pytest.mark.parametrize("locale", ["en", "ko"])  # Piper (onnxruntime) and the espeak-ng worker process
def test_the_speaker_runs_within_the_units_allow_lists(isolated, alsa_devices, tmp_path, locale):
    """The unit's system-call filter, address families and device list, checked against a live run of the
    speaker on ALSA devices under strace (as far as a machine without systemd as its init allows)."""
    groups = syscall_groups()
    allowed = set(groups["@default"])
    for value in unit_settings("SystemCallFilter"):  # in order, as systemd builds the filter
        calls = expand(value.removeprefix("~").split(), groups)
        allowed = allowed - calls if value.startswith("~") else allowed | calls
    trace = tmp_path / "trace.txt"
    result = run_voice("run", "--locale", locale, "--input-device", "testmic", "--output-device", "testspk",
                       "--max-seconds", "8", env={"HOME": alsa_devices["HOME"]},
                       prefix=("strace", "-f", "-qq", "-e", "signal=none", "-o", str(trace)))
    assert result.returncode == 0, result.stderr
    text = trace.read_text()
    used = set(re.findall(r"^\d+\s+(?:<\.\.\. )?(\w+)(?:\(| resumed>)", text, re.MULTILINE))
    assert used and not used - allowed, sorted(used - allowed)
    families = set(re.findall(r"socket\((AF_\w+)", text))
    # urllib3 (imported by vosk) probes for IPv6 at import time; refused, it records "no IPv6" and goes on
    # (test_privacy.py shows it is the only socket Python asks for).
    assert families - {"AF_INET6"} <= set(" ".join(unit_settings("RestrictAddressFamilies")).split()), families
    # Opened, not only probed: PortAudio and alsa-lib try /dev/dsp* (OSS) and /dev/aloadC* that do not exist.
    devices = set(re.findall(r'open(?:at)?\([^"]*"(/dev/[^"]+)".*\) = \d+$', text, re.MULTILINE))
    private = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom"}  # DevicePolicy=closed allows
    alsa = ("/dev/snd/", "/dev/aload")  # the sound cards, and alsa-lib probing for drivers to load (char-alsa)
    assert all(d in private or d.startswith((*alsa, "/dev/gpiochip", "/dev/shm/")) for d in devices), devices


def test_the_service_reads_its_settings_only_from_etc(tmp_path):
    """The service's HOME is its writable state folder: a config.yaml there must not override root's."""
    environment = dict(pair.split("=", 1) for value in unit_settings("Environment") for pair in value.split())
    state = tmp_path / "var-lib-voice"
    (state / ".config" / "voice").mkdir(parents=True)
    (state / ".config" / "voice" / "config.yaml").write_text("volume: 0\n")
    etc = tmp_path / "etc-voice"
    etc.mkdir()
    (etc / "config.yaml").write_text("volume: 0.7\n")
    env = {key: value.replace("/etc/voice", str(etc)) for key, value in environment.items()}
    env = {**env, "HOME": str(state), "XDG_CONFIG_HOME": "", "VOICE_SYSTEM_CONFIG": str(etc / "config.yaml")}
    result = run_voice("config", env=env)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^volume\s+0.7\s", result.stdout, re.MULTILINE), result.stdout


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


@pytest.mark.slow
def test_sighup_reloads_the_settings_between_sessions_and_a_broken_file_changes_nothing(isolated, alsa_devices,
                                                                                       tmp_path):
    """`systemctl reload voice`: a config.yaml that does not load is reported and the speaker carries on."""
    alsa_devices["mic"].write_bytes(np.zeros(RATE, "<i2").tobytes())
    config = tmp_path / "config.yaml"
    config.write_text("locale: ko\n")
    env = {**os.environ, "HOME": alsa_devices["HOME"], "VOICE_CONFIG": str(config)}
    speaker = subprocess.Popen([*VOICE, "run", "--input-device", "testmic", "--output-device", "testspk",
                                "--max-seconds", "36000"], cwd=REPO, env=env, text=True, stderr=subprocess.PIPE)
    log: list[str] = []
    seen = [0]  # lines already matched: each wait looks only at what came after

    def wait_for(pattern: str) -> None:
        started = time.monotonic()
        while not any(re.search(pattern, line) for line in log[seen[0]:]):
            assert speaker.poll() is None and time.monotonic() - started < 60, "".join(log)
            log.append(speaker.stderr.readline())
        seen[0] = len(log)

    try:
        wait_for(r"prompt decks ready; \w+ voice \w+\|ko\|")  # Korean
        wait_for(r"listening on 'testmic'")
        config.write_text("locale: ko\nvolume: 5\n")
        speaker.send_signal(signal.SIGHUP)
        wait_for(r"ERROR voice: the settings were not reloaded \(.*volume must be from 0 to 1")
        config.write_text("locale: en\n")
        speaker.send_signal(signal.SIGHUP)
        wait_for(r"prompt decks ready; \w+ voice \w+\|en")  # English now
        wait_for(r"settings reloaded")
        wait_for(r"listening on 'testmic'")
    finally:
        speaker.send_signal(signal.SIGTERM)
        _, rest = speaker.communicate(timeout=30)
    assert speaker.returncode == 0, "".join(log) + rest


@pytest.mark.slow
@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_to_the_file_driver_leaves_a_whole_wav_and_no_temporary_folder(isolated, tmp_path, signal_number):
    from voice.audio.wavfile import write_wav
    from voice.bench.speech import espeak

    talk = espeak("we were talking about the garden and the weekend plans with friends", "en-us", 150)
    write_wav(tmp_path / "in.wav", np.concatenate([np.concatenate([talk, np.zeros(RATE // 2, np.int16)])] * 60))
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary), "VOICE_TTS_ENGINE": "pyttsx3"}
    out = tmp_path / "out.wav"
    speaker = subprocess.Popen([*VOICE, "run", "--input", str(tmp_path / "in.wav"), "--output", str(out)],
                               cwd=REPO, env=env, text=True, stderr=subprocess.PIPE)
    started = time.monotonic()
    while not (out.exists() and out.stat().st_size > 200_000):  # a few seconds into the 4.5 minutes
        assert speaker.poll() is None and time.monotonic() - started < 60
        time.sleep(0.05)
    assert list(temporary.glob("voice-tts-*"))  # the espeak-ng worker's folder, while it runs
    speaker.send_signal(signal_number)
    _, stderr = speaker.communicate(timeout=30)
    assert speaker.returncode == 128 + signal_number and "Traceback" not in stderr, stderr
    info = soundfile.info(str(out))
    assert info.frames > RATE and out.stat().st_size == 44 + 2 * info.frames  # the header says what the file holds
    assert not list(temporary.iterdir())


def test_the_installer_checks_everything_before_it_creates_anything(tmp_path, monkeypatch):
    """A failed install used to leave the system user behind."""
    from voice import service
    from voice.errors import ConfigError

    private = tmp_path / "home" / "pi"
    (private / "voice").mkdir(parents=True)
    private.chmod(0o700)
    ran: list[list[str]] = []
    monkeypatch.setattr(service, "_need_root", lambda action: None)
    monkeypatch.setattr(service, "_run", ran.append)
    monkeypatch.setattr(service, "_known", lambda lookup, name: False)  # no voice user yet
    monkeypatch.setattr(service, "CHECKOUT", private / "voice")
    monkeypatch.setattr(service.shutil, "which", lambda name: f"/usr/bin/{name}")
    with pytest.raises(ConfigError, match="the service user cannot enter"):
        service.install(print_line=lambda line: None)
    assert ran == []  # no user created, nothing written
