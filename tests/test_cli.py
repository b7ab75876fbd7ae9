"""The `voice` command as a person uses it: simulate a whole check-in; clear one-line errors."""

import argparse
import re

import numpy as np
import pytest
from conftest import run_voice

from voice.audio.wavfile import read_wav

CHECKIN = """start our check-in
:wait 8
short
:wait 3
pause
:wait 2
resume
:wait 70
repeat
:wait 4
next
I'm done
:wait 5
done
:wait 8
what can I say
done
"""


def said(stdout: str) -> list[tuple[float, str]]:
    lines = []
    for line in stdout.splitlines():
        if line.startswith("  (not understood: "):  # printed for each utterance not taken as a command
            continue
        m = re.fullmatch(r"\[(\d\d):(\d\d\.\d)\] (.+)", line)
        assert m, f"not a [mm:ss.s] line: {line!r}"
        lines.append((int(m[1]) * 60 + float(m[2]), m[3]))
    return lines


@pytest.mark.slow  # 6.5 s: every command through the whole check-in
def test_simulate_runs_the_checkin_to_its_end_with_every_command(isolated, tmp_path):
    result = run_voice("simulate", "--partners", "Alex,Sam", "--events", str(tmp_path / "e.jsonl"), stdin=CHECKIN)
    assert result.returncode == 0, result.stderr
    print(result.stdout, result.stderr)  # shown when an assertion below fails
    lines = said(result.stdout)
    texts = [text for _, text in lines]
    assert texts[:5] == [
        "Welcome, Alex and Sam. It's time for your weekly check-in. Alex goes first tonight.",
        "Would you like the full check-in, about twenty minutes, or the short one, about six? Say full or short.",
        "Let's start with one minute of slow breathing together.",
        "Paused. Say resume when you're ready.",
        "Let's start with one minute of slow breathing together.",  # resume starts the step again
    ]
    breaths = [t for t, text in lines if text in ("Breathe in.", "And out.")]
    assert {round(b - a, 1) for a, b in zip(breaths[:6], breaths[1:6])} == {5.0}  # 5 s apart on the frame clock
    assert sum(t.startswith("Alex, tell Sam one thing") for t in texts) == 1
    assert sum(t.startswith("Sam, tell Alex one thing") for t in texts) == 1
    assert "what can I say" in CHECKIN  # said during a turn, where only "done" and the always-on set are heard
    assert not any(text.startswith("You can say") for text in texts)
    assert "  (not understood: help is not listened for now (turn))" in result.stdout.splitlines()
    assert texts[-1].startswith("Thank you both. Noticing each other like this matters.")
    events = (tmp_path / "e.jsonl").read_text()
    for kind in ("listening", "intent", "script_started", "step_started", "said", "paused", "resumed",
                 "script_finished"):
        assert f'"type": "{kind}"' in events
    assert '"reason": "completed"' in events and '"name": "repeat"' in events


def test_simulate_stop_ends_the_checkin(isolated):
    # (2 s, not the 20 s the turn prompt comes after: under qemu Piper renders 18-30x slower than real time)
    result = run_voice("simulate", "--partners", "Alex,Sam", stdin="start our check in\n:wait 2\nstop\n")
    texts = [text for _, text in said(result.stdout)]
    assert texts[-1] == "Okay. We'll stop here. Thank you both."
    assert not any(t.startswith("Alex, tell") for t in texts)


def test_simulate_in_korean(isolated):
    result = run_voice("simulate", "--locale", "ko", "--partners", "민준,서연", stdin="체크인 하자\n:wait 3\n그만\n")
    texts = [text for _, text in said(result.stdout)]
    assert texts[0].startswith("반가워요, 민준 님, 서연 님.") and texts[-1].startswith("네. 여기서 마칠게요.")


@pytest.mark.slow
@pytest.mark.parametrize("code, phrase, line", [
    ("en", "start our gratitude", "Let's each name three things we are grateful for today."),
    ("ko", "고마움 나누기", "오늘 고마웠던 일을 세 가지씩 말해 볼게요."),
])
def test_a_users_script_starts_by_its_own_phrase(isolated, tmp_path, code, phrase, line):
    (tmp_path / "mine" / code).mkdir(parents=True)
    (tmp_path / "mine" / code / "gratitude.yaml").write_text(
        f"id: gratitude\ntitle: gratitude\nlocale: {code}\nstart_phrases: [\"{phrase}\"]\n"
        f"steps:\n  - say: {line}\n", encoding="utf-8")
    result = run_voice("simulate", "--locale", code, "--scripts", str(tmp_path / "mine"), stdin=f"{phrase}\n:wait 8\n")
    assert result.returncode == 0, result.stderr
    assert line in [text for _, text in said(result.stdout)], result.stdout


@pytest.mark.slow  # a process with the speech model
def test_validate_names_words_of_a_choice_the_speech_model_cannot_hear(isolated, tmp_path):
    """맞아요 is not in the Korean model's vocabulary: Vosk would drop the phrase from its grammar."""
    (tmp_path / "ko").mkdir()
    (tmp_path / "ko" / "mine.yaml").write_text(
        "id: mine\ntitle: 내 연습\nlocale: ko\nstart_phrases: [\"고마움 나누기\"]\nsteps:\n"
        "  - choose:\n      ask: 준비 됐어요?\n      otherwise: later\n      options:\n"
        "        ready: {phrases: [맞아요, 준비 됐어요], steps: [{say: 좋아요.}]}\n"
        "        later: {phrases: [아직], steps: [{say: 다음에 해요.}]}\n", encoding="utf-8")
    result = run_voice("validate", "--locale", "ko", str(tmp_path / "ko" / "mine.yaml"))
    assert result.returncode == 1
    assert re.search(r"mine.yaml:6:\d+: option 'ready': the speech model does not know 맞아요,", result.stdout), result.stdout
    assert "later" not in result.stdout


def test_a_bad_wait_line_is_reported_and_skipped(isolated):
    result = run_voice("simulate", stdin=":wait soon\nstart our check in\n:wait 1\nstop\n")
    assert "line 1: write ':wait SECONDS'" in result.stderr and result.returncode == 0


def one_sentence(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("voice")]
    assert "Traceback" not in result.stderr and len(lines) == 1, result.stderr
    return lines[0]


def test_missing_model(isolated, tmp_path):
    result = run_voice("run", "--model", str(tmp_path / "none"), "--input", "x.wav", "--output", "y.wav")
    assert result.returncode == 1
    assert "does not exist; run 'voice models fetch' or pass --model PATH" in one_sentence(result)


@pytest.mark.slow  # 1.6 s: a process with the speech model
def test_unreadable_wav(isolated, tmp_path):
    bad = tmp_path / "in.wav"
    bad.write_text("this is not audio")
    result = run_voice("run", "--locale", "ko", "--input", str(bad), "--output", str(tmp_path / "o.wav"))
    assert result.returncode == 1 and "is not a sound file that can be read" in one_sentence(result)


def test_broken_config_yaml(isolated, tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("partners: [Alex, Sam\nlocale: en\n")
    result = run_voice("simulate", "--config", str(config), stdin="")
    assert result.returncode == 1 and re.search(r"config.yaml:\d+:\d+: a bracket is opened and never closed \(YAML says: ",
                                                one_sentence(result))


def test_wrong_partner_list(isolated):
    result = run_voice("simulate", "--partners", "Alex", stdin="")
    assert result.returncode == 1 and "--partners: partners needs exactly two names (got 'Alex'); for example --partners Alex,Sam" in one_sentence(result)


def test_unknown_locale(isolated):
    result = run_voice("simulate", "--locale", "fr", stdin="")
    assert result.returncode == 1 and "--locale: locale must be one of en, ko (got 'fr')" in one_sentence(result)


def test_input_without_output_is_a_usage_error(isolated):
    result = run_voice("run", "--input", "x.wav")
    assert result.returncode == 2 and "--input and --output go together" in result.stderr


@pytest.mark.slow
def test_no_audio_device(isolated, tmp_path):
    home = tmp_path / "empty-home"
    home.mkdir()
    result = run_voice("run", "--locale", "ko", "--max-seconds", "1", env={"HOME": str(home)})
    assert result.returncode == 1 and "no audio input device was found" in one_sentence(result)


@pytest.mark.slow
def test_unknown_device_name(isolated, alsa_devices):
    result = run_voice("run", "--locale", "ko", "--input-device", "usb mic", env={"HOME": alsa_devices["HOME"]})
    assert result.returncode == 1
    assert "there is no input device 'usb mic'; use an index or part of a name from: 0: testmic" in one_sentence(result)


@pytest.mark.slow
def test_partner_names_come_from_the_config_file(isolated, tmp_path):
    (tmp_path / "config" / "voice").mkdir(parents=True)
    (tmp_path / "config" / "voice" / "config.yaml").write_text("partners: [Robin, Kai]\n")
    result = run_voice("simulate", stdin="start our check in\n:wait 1\nstop\n")
    assert said(result.stdout)[0][1].startswith("Welcome, Robin and Kai.")
    flagged = run_voice("simulate", "--partners", "Alex,Sam", stdin="start our check in\n:wait 1\nstop\n")
    assert said(flagged.stdout)[0][1].startswith("Welcome, Alex and Sam.")  # flags win over the file


@pytest.mark.parametrize("engine", ["pyttsx3", pytest.param("piper", marks=pytest.mark.slow)])
def test_say_writes_the_line_in_the_chosen_voice(isolated, tmp_path, engine):
    out = tmp_path / "said.wav"
    result = run_voice("say", "Take your time. There's no rush.", "--engine", engine, "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert f"{engine}: " in result.stderr
    audio = read_wav(out)
    assert 1.5 < len(audio) / 16000 < 5 and np.abs(audio).max() > 3000


def test_voices_lists_both_engines(isolated):
    result = run_voice("voices")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^pyttsx3 +gmw/en-us ", result.stdout, re.MULTILINE) and re.search(r"^pyttsx3 +ko ", result.stdout, re.MULTILINE)
    assert re.search(r"^piper +en_US-joe-medium ", result.stdout, re.MULTILINE)


@pytest.mark.slow
def test_history_lists_sessions_without_words_and_forget_tonight_empties_it(isolated, monkeypatch):
    monkeypatch.setenv("VOICE_TTS_ENGINE", "pyttsx3")  # what is said does not matter here; quicker to load
    assert run_voice("history").stdout.strip() == "No sessions yet."
    run_voice("simulate", stdin="start a calming break\nstop\n")  # a rehearsal: not the couple's history
    assert run_voice("history").stdout.strip() == "No sessions yet."
    run_voice("simulate", "--real-history", "--partners", "Alex,Sam", stdin="start a calming break\nstop\n")
    run_voice("simulate", "--real-history", "--partners", "Alex,Sam", stdin="start our check-in\n:wait 3\n")
    result = run_voice("history")
    assert result.returncode == 0
    newest, older = result.stdout.splitlines()
    # simulate runs a session to its end when the input ends; the times are wall-clock, so a few seconds
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d\s+\d+\.\d min\s+weekly check-in\s+steps\s+\d+\s+pauses 0\s+Sam first"
                    r"\s+completed$", newest), newest
    assert re.search(r"calming break\s.* Alex first\s+stopped$", older, re.IGNORECASE), older
    run_voice("simulate", "--real-history", stdin="forget tonight\n")
    assert run_voice("history").stdout.strip() == "No sessions yet."


def test_validate_says_each_problem_once_and_announces_a_replaced_script(isolated, tmp_path):
    broken = tmp_path / "en" / "broken.yaml"
    broken.parent.mkdir()
    broken.write_text("id: broken\ntitle: B\nlocale: en\nsteps:\n  - pause: .nan\n")
    (tmp_path / "en" / "mine.yaml").write_text("id: calming-break\ntitle: Mine\nlocale: en\nsteps:\n  - say: Hello.\n")
    result = run_voice("validate", str(tmp_path))
    said = result.stdout + result.stderr
    assert result.returncode == 1 and said.count("'seconds' must be from 0 to 3600 seconds, not nan") == 1, said
    assert "mine.yaml:1:1: warning: replaces the bundled script 'calming-break'" in result.stdout


def test_every_command_of_the_parser_has_a_handler_and_every_handler_a_command():
    from voice.__main__ import COMMANDS
    from voice.cli import build_parser

    parser = build_parser()
    [commands] = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    names = set(commands.choices)
    assert names == set(COMMANDS)
    for name in names:
        assert parser.parse_args([name, *_required(name)]).command == name


def _required(name: str) -> list[str]:
    """The fewest arguments each command parses with."""
    return {"models": ["path"], "bench": ["latency"], "say": ["hello"], "service": ["show"]}.get(name, [])
