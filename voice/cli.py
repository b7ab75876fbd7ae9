"""The `voice` command line: run, simulate, say, voices, prepare, validate, history, config, models, devices,
doctor, status, service, bench."""

import argparse
import os
from pathlib import Path

from . import __version__
from .listen.echo_filters import DEFAULT, FILTERS


def _count(text: str) -> int:
    """A whole number from 1 to a million, for argparse."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number; give one such as 10") from None
    if not 1 <= number <= 1_000_000:
        raise argparse.ArgumentTypeError(f"give a number from 1 to 1000000, not {text}")
    return number


def build_parser() -> argparse.ArgumentParser:
    """Each command's `command` default is its name; `voice.__main__` maps names to handlers."""
    parser = argparse.ArgumentParser(prog="voice", description=__doc__)
    parser.add_argument("--debug", action="store_true", help="verbose logs and full tracebacks")
    parser.add_argument("--version", action="version", version=f"voice {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def session_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--locale", help="en or ko (default: en, or the config file's)")
        command.add_argument("--partners", help='the two partner names, e.g. "Alex,Sam"')
        command.add_argument("--scripts", dest="scripts_dir", help="a folder of your own scripts (LOCALE/*.yaml)")
        command.add_argument("--events", type=Path, help="write events as JSON lines to this file")
        command.add_argument("--config", type=Path, help="a config.yaml other than the user's")

    run = commands.add_parser("run", help="start the speaker (live, or over WAV files)")
    session_options(run)
    run.add_argument("--model", help="a Vosk model folder (default: the locale's model)")
    run.add_argument("--input-device", help="microphone: index or part of its name (see 'voice devices')")
    run.add_argument("--output-device", help="speaker: index or part of its name")
    run.add_argument("--input", type=Path, help="a WAV file to use as the microphone")
    run.add_argument("--output", type=Path, help="with --input: write what the speaker plays to this WAV")
    run.add_argument("--record", type=Path, metavar="FOLDER",
                     help="debug recording: keep the microphone audio and recognized phrases in FOLDER")
    run.add_argument("--max-seconds", type=float, help="live: stop after this many seconds of audio")
    run.add_argument("--wait-for-devices", action=argparse.BooleanOptionalAction, default="INVOCATION_ID" in os.environ,
                     help="live: if a device is missing at start, wait for it (the default under systemd)")
    run.set_defaults(command="run")

    simulate = commands.add_parser("simulate", help="type utterances, read what the speaker says")
    session_options(simulate)
    simulate.add_argument("--seed", type=int, help="draw prompts repeatably (for golden runs)")
    simulate.add_argument("--real-history", action="store_true", help="log the rehearsal as a real session")
    simulate.set_defaults(command="simulate")

    validate = commands.add_parser("validate", help="check exercise scripts before they run")
    validate.add_argument("paths", nargs="*", type=Path, help="script files or folders (default: every script)")
    validate.add_argument("--locale", help="only this locale (default: all)")
    validate.add_argument("--scripts", dest="scripts_dir", help="your own scripts folder (default: the config dir's)")
    validate.set_defaults(command="validate")

    history = commands.add_parser("history", help="recent sessions (what ran and when; nothing anyone said)")
    history.add_argument("--limit", type=_count, default=10, help="how many sessions (default 10)")
    history.set_defaults(command="history")

    models = commands.add_parser("models", help="fetch or locate speech models")
    models.add_argument("action", choices=["fetch", "path"])
    models.add_argument("--locale", help="en or ko (default: the configured locale)")
    models.set_defaults(command="models")

    bench = commands.add_parser("bench", help="measure listening, speaking, and hours-long running")
    bench.add_argument("what", choices=("latency", "accuracy", "human", "safety", "vad", "phrases", "idle", "echo",
                                        "bargein", "firstaudio", "soak", "synthesis", "pauses"))
    bench.add_argument("--locale", default="en", help="en (the default) or ko")
    bench.add_argument("--model", help="a Vosk model folder (default: the locale's model)")
    bench.add_argument("--quick", action="store_true", help="a small sample: checks the benchmark runs")
    bench.add_argument("--minutes", type=float, default=60.0, help="idle: minutes of room sound (default 60)")
    bench.add_argument("--hours", type=float, default=8.0, help="soak: hours of frame-time audio (default 8)")
    bench.add_argument("--candidates", type=Path, help="phrases: a YAML of intents to try")
    bench.add_argument("--canceller", choices=FILTERS, default=DEFAULT,
                       help=f"echo, bargein: the echo canceller's filter (default {DEFAULT})")
    bench.add_argument("--people", action="store_true", help="bargein: recordings of people saying stop")
    bench.add_argument("--draws", type=_count, help="safety, human: draws of the noise talk is heard in at 6 dB SNR "
                                                 "(default: safety 1, human 3)")
    bench.set_defaults(command="bench")

    say = commands.add_parser("say", help="speak a line through the configured voice and speaker")
    say.add_argument("text")
    say.add_argument("--output", type=Path, help="write a WAV file instead of playing")
    voices = commands.add_parser("voices", help="list the voices of both engines")
    voices.set_defaults(command="voices")
    prepare = commands.add_parser("prepare", help="render every line of every script into the prompt cache")
    for command in (say, prepare):
        command.add_argument("--locale", help="en or ko (default: en, or the config file's)")
        command.add_argument("--partners", help='the two partner names, e.g. "Alex,Sam"')
        command.add_argument("--scripts", dest="scripts_dir", help="a folder of your own scripts")
        command.add_argument("--config", type=Path, help="a config.yaml other than the user's")
        command.add_argument("--engine", dest="tts_engine", choices=("auto", "piper", "pyttsx3"))
        command.add_argument("--voice", dest="tts_voice", help="a voice id from 'voice voices'")
    say.set_defaults(command="say")
    prepare.set_defaults(command="prepare")

    config = commands.add_parser("config", help="each setting's effective value and where it came from")
    config.add_argument("--config", type=Path, help="a config.yaml other than the user's")
    config.add_argument("--locale")
    config.add_argument("--partners")
    config.set_defaults(command="config")

    doctor = commands.add_parser("doctor", help="check everything the speaker needs, with the fix for each")
    doctor.add_argument("--config", type=Path, help="a config.yaml other than the user's")
    doctor.add_argument("--locale")
    doctor.add_argument("--model")
    doctor.add_argument("--input-device")
    doctor.add_argument("--output-device")
    doctor.set_defaults(command="doctor")

    status = commands.add_parser("status", help="what the running speaker is doing")
    status.set_defaults(command="status")

    service = commands.add_parser("service", help="install the speaker as a systemd service (root)")
    service.add_argument("action", choices=("install", "uninstall", "show"), help="show prints the unit")
    service.set_defaults(command="service")

    devices = commands.add_parser("devices", help="list audio devices")
    devices.set_defaults(command="devices")
    return parser
