"""Nothing said is kept, and no one is called: whole sessions under strace, then every written file read.

Python refuses every socket (the `no_network` fixture) and strace records what the process and its
libraries really do at the system-call level: sockets, connections and every file opened for writing.
The golden runs (test_golden.py) add the Python-level proof for every shipped script.
"""

import importlib.util
import json
import re
import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from conftest import espeak, run_voice

from voice.assemble import build_engine
from voice.audio.frames import RATE
from voice.audio.wavfile import read_wav, write_wav
from voice.config import load_settings

pytestmark = [pytest.mark.slow, pytest.mark.skipif(shutil.which("strace") is None,
                                                   reason="make test installs strace")]
PRIVATE_TALK = ["회사에서 너무 힘들었어", "나는 요즘 잠을 잘 못 자", "이번 달 카드값이 많이 나왔어",
                "너는 왜 항상 늦어"]
START = "체크인 하자"
TRACED = "socket,connect,openat,creat,rename,renameat,renameat2,link,linkat"


def traced(trace: Path) -> list[str]:
    return trace.read_text(errors="replace").splitlines()


def network_calls(lines: list[str]) -> list[str]:
    """Sockets other than local (AF_UNIX) ones, and every connect() to anything but a local path."""
    return [line for line in lines if re.search(r"\bsocket\((?!AF_UNIX)", line)
            or (re.search(r"\bconnect\(", line) and "sa_family=AF_UNIX" not in line)]


def written_paths(lines: list[str]) -> set[Path]:
    """Every file the run created, opened for writing or renamed into place (successfully)."""
    paths = set()
    for line in lines:
        if "= -1" in line:
            continue
        opened = re.search(r'\b(?:openat|creat)\((?:AT_FDCWD, )?"([^"]+)", ([A-Z_|]+)', line)
        if opened and re.search(r"O_WRONLY|O_RDWR|O_CREAT", opened.group(2)):
            paths.add(Path(opened.group(1)))
        renamed = re.search(r'\brename(?:at2?)?\(.*"[^"]+", .*"([^"]+)"', line)
        if renamed:
            paths.add(Path(renamed.group(1)))
    return {p for p in paths if not str(p).startswith(("/dev/", "/proc/")) and p.suffix != ".pyc"}


def folders(tmp_path: Path) -> dict:
    """Own home, config, data, cache, runtime and temp folders, so everything written is ours to read."""
    dirs = {name: tmp_path / name for name in ("home", "config", "data", "cache", "run", "tmp")}
    for path in dirs.values():
        path.mkdir()
    return {"HOME": str(dirs["home"]), "XDG_CONFIG_HOME": str(dirs["config"]),
            "XDG_DATA_HOME": str(dirs["data"]), "XDG_CACHE_HOME": str(dirs["cache"]),
            "XDG_RUNTIME_DIR": str(dirs["run"]), "TMPDIR": str(dirs["tmp"]),
            "VOICE_SYSTEM_CONFIG": str(tmp_path / "etc" / "config.yaml")}


def strace(trace: Path) -> tuple[str, ...]:
    return ("strace", "-f", "-qq", "-e", "signal=none", "-e", f"trace={TRACED}", "-o", str(trace))


def session_log_text(database: Path) -> str:
    """Every value in every table of the session log, as text."""
    with sqlite3.connect(database) as db:
        tables = [row[0] for row in db.execute("select name from sqlite_master where type = 'table'")]
        return "\n".join(repr(row) for table in tables for row in db.execute(f"select * from {table}"))


def korean_session(tmp_path: Path, env: dict, *extra: str) -> tuple[np.ndarray, list[dict], list[str], str]:
    """The check-in started by voice, then the couple talking privately through their turns, under
    strace; returns the microphone audio, the events, the trace and the log."""
    silence = lambda s: np.zeros(int(s * RATE), np.int16)
    audio = [silence(1.0), espeak(START), silence(90.0)]
    for sentence in PRIVATE_TALK:
        audio += [espeak(sentence, "ko+m3"), silence(20.0)]
    mic = np.concatenate(audio)
    write_wav(tmp_path / "mic.wav", mic)
    result = run_voice("run", "--locale", "ko", "--partners", "민준,서연", "--input", str(tmp_path / "mic.wav"),
                       "--output", str(tmp_path / "speaker.wav"), "--events", str(tmp_path / "events.jsonl"),
                       *extra, env=env, prefix=strace(tmp_path / "trace.txt"))
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert any(e["type"] == "script_started" for e in events)  # the talk may pause it: issue 4's misfires
    assert len([e for e in events if e["type"] in ("rejected", "intent")]) >= len(PRIVATE_TALK)
    return mic, events, traced(tmp_path / "trace.txt"), result.stderr


def kept_problems(tmp_path: Path, env: dict, mic: np.ndarray, trace: list[str]) -> list[str]:
    """What a session left on disk that it should not have: files outside the session log and the
    prompt cache, recognized text, or a half second of what the microphone heard."""
    own_outputs = {tmp_path / name for name in ("speaker.wav", "events.jsonl", "network-attempts.log")}
    temporary = Path(env["TMPDIR"])
    problems = [f"left in the temp dir: {p}" for p in temporary.iterdir()]  # the voice's scratch files
    kept = {p for p in written_paths(trace) - own_outputs if temporary not in p.parents}
    database = Path(env["XDG_DATA_HOME"]) / "voice" / "sessions.db"
    prompts = Path(env["XDG_CACHE_HOME"]) / "voice" / "prompts"
    problems += [f"written: {p}" for p in kept if not (p.parent == prompts or p.name.startswith(database.name))]

    heard = mic.astype("<i2").tobytes()
    chunks = [heard[i : i + RATE] for i in range(0, len(heard) - RATE, RATE * 5)
              if np.abs(mic[i // 2 : i // 2 + RATE // 2]).max() > 1000]
    assert len(chunks) >= len(PRIVATE_TALK)
    words = [word for utterance in [START, *PRIVATE_TALK] for word in utterance.split() if word != "체크인"]
    for path in sorted(p for p in kept if p.is_file()):  # 체크인 is also a script title, said by the speaker
        content = session_log_text(path) if path == database else path.read_bytes().decode(errors="replace")
        problems += [f"{path} holds the word {word}" for word in words if word in content]
        problems += [f"{path} holds the intent start_checkin"] if "start_checkin" in content else []
        raw = path.read_bytes()
        problems += [f"{path} holds microphone audio"] if any(chunk in raw for chunk in chunks) else []
    return problems


def test_a_korean_session_through_the_file_driver_keeps_nothing_and_calls_no_one(tmp_path, no_network,
                                                                                monkeypatch):
    """Afterwards the only files written are the session log (what ran and when: not even which
    commands were said) and the speaker's own lines."""
    env = {**folders(tmp_path), **no_network}
    mic, events, trace, log = korean_session(tmp_path, env)
    assert "RECORDING" not in log
    assert not network_calls(trace), "\n".join(network_calls(trace))
    assert not kept_problems(tmp_path, env, mic, trace)
    prompts = Path(env["XDG_CACHE_HOME"]) / "voice" / "prompts"
    assert (Path(env["XDG_DATA_HOME"]) / "voice" / "sessions.db").exists() and any(prompts.iterdir())
    assert all("text" not in e for e in events if e["type"] != "said")  # the events file: intent names

    # Every file in the prompt cache is named by the hash of a line the speaker said or pre-renders.
    for key, value in {**env, "XDG_CACHE_HOME": str(tmp_path / "elsewhere")}.items():
        monkeypatch.setenv(key, value)
    engine = build_engine(load_settings(None, locale="ko", partners="민준,서연"), recognize=False)
    spoken = [e["text"] for e in events if e["type"] == "said"]
    lines = {engine.speech.path_for(line).name for line in [*engine.lines(), *spoken]}
    engine.close()
    cached = {p.name.removesuffix(".seal") for p in prompts.iterdir()}  # a seal: the line's length and hash
    assert cached <= lines, f"cached but never the speaker's: {cached - lines}"


def test_the_debug_recording_is_the_one_exception_and_says_so(tmp_path, no_network):
    """With --record the same audit finds the microphone and the recognized phrases: it is the
    recording, announced in the log, and nothing else."""
    env = {**folders(tmp_path), **no_network}
    recording = Path(env["XDG_DATA_HOME"]) / "recording"
    mic, _, trace, log = korean_session(tmp_path, env, "--record", str(recording))
    assert f"DEBUG RECORDING IS ON: everything the microphone hears and every recognized phrase is being " \
           f"kept in {recording}" in log and f"debug recording stopped; what was heard is in {recording}" in log
    problems = kept_problems(tmp_path, env, mic, trace)
    assert problems and all(str(recording) in problem for problem in problems)
    assert any("microphone.wav holds microphone audio" in p for p in problems)
    assert any("heard.jsonl holds the word 하자" in p for p in problems)  # from "체크인 하자"
    recorded = read_wav(recording / "microphone.wav")
    assert np.array_equal(recorded[: len(mic)], mic)


@pytest.mark.skipif(importlib.util.find_spec("piper") is None, reason="make test installs Piper")
def test_the_piper_voice_keeps_nothing_of_its_own_and_calls_no_one(tmp_path, no_network):
    """onnxruntime, under Piper, has Linux telemetry (an uploader, a device id and an event cache under
    ~/.cache/Microsoft); the package turns it off before onnxruntime starts."""
    env = {**folders(tmp_path), **no_network}
    result = run_voice("say", "Breathe in slowly.", "--engine", "piper", "--output", str(tmp_path / "line.wav"),
                       env=env, prefix=strace(tmp_path / "trace.txt"))
    assert result.returncode == 0, result.stderr
    trace = traced(tmp_path / "trace.txt")
    assert not network_calls(trace), "\n".join(network_calls(trace))
    prompts = Path(env["XDG_CACHE_HOME"]) / "voice" / "prompts"
    written = {p for p in written_paths(trace) if Path(env["TMPDIR"]) not in p.parents}
    assert {p.parent for p in written} == {prompts, tmp_path}  # the cached line, and line.wav
    everything = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not [p for p in everything if "Microsoft" in str(p) or "onnxruntime" in str(p)]
