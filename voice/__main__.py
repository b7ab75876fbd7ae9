"""The `voice` command: run, simulate, say, voices, prepare, validate, history, config, models, devices, doctor,
status, service, bench."""

import argparse
import ctypes
import logging
import os
import signal
import sys
import time
from pathlib import Path

from . import __version__
from .config import Settings, load_settings
from .errors import VoiceError
from .listen.echo_filters import DEFAULT, FILTERS
from .events import Event, EventFile, log_events

log = logging.getLogger("voice")


def main(argv: list[str] | None = None) -> int:
    _bound_malloc_arenas()
    args = _parser().parse_args(argv)
    args.debug = args.debug or os.environ.get("VOICE_DEBUG", "").lower() in ("1", "true", "yes")
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr,
    )
    for signal_number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signal_number, _end_on_signal)
    try:
        return args.command(args) or 0
    except VoiceError as error:
        if args.debug:
            raise
        print(f"voice: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except _Ended as ended:
        return ended.code


class _Ended(BaseException):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C, so every `finally` runs (an output WAV gets its length,
    the session log closes, the voice's temporary folder is removed)."""

    def __init__(self, code: int) -> None:
        self.code = code


def _end_on_signal(number: int, frame: object) -> None:
    raise _Ended(128 + number)


def _bound_malloc_arenas() -> None:
    """glibc gives each thread its own malloc arena and keeps what it touched: the speaker's memory crept
    up for hours (`voice bench soak`: 15.6 MB after hour 1, 4.7-6.3 MB with two). Set before any thread."""
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, 2)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass  # not glibc: nothing to bound


def _count(text: str) -> int:
    """A whole number from 1 to a million, for argparse."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number; for example --limit 10") from None
    if not 1 <= number <= 1_000_000:
        raise argparse.ArgumentTypeError(f"give a number from 1 to 1000000, not {text}")
    return number


def _parser() -> argparse.ArgumentParser:
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
    run.set_defaults(command=_run)

    simulate = commands.add_parser("simulate", help="type utterances, read what the speaker says")
    session_options(simulate)
    simulate.add_argument("--seed", type=int, help="draw prompts repeatably (for golden runs)")
    simulate.add_argument("--real-history", action="store_true", help="log the rehearsal as a real session")
    simulate.set_defaults(command=_simulate)

    validate = commands.add_parser("validate", help="check exercise scripts before they run")
    validate.add_argument("paths", nargs="*", type=Path, help="script files or folders (default: every script)")
    validate.add_argument("--locale", help="only this locale (default: all)")
    validate.add_argument("--scripts", dest="scripts_dir", help="your own scripts folder (default: the config dir's)")
    validate.set_defaults(command=_validate)

    history = commands.add_parser("history", help="recent sessions (what ran and when; nothing anyone said)")
    history.add_argument("--limit", type=_count, default=10, help="how many sessions (default 10)")
    history.set_defaults(command=_history)

    models = commands.add_parser("models", help="fetch or locate speech models")
    models.add_argument("action", choices=["fetch", "path"])
    models.add_argument("--locale", help="en or ko (default: the configured locale)")
    models.set_defaults(command=_models)

    bench = commands.add_parser("bench", help="measure listening, speaking, and hours-long running")
    bench.add_argument("what", choices=("latency", "accuracy", "human", "safety", "vad", "phrases", "idle", "echo",
                                        "bargein", "firstaudio", "soak", "synthesis"))
    bench.add_argument("--locale", default="en", help="en (the default) or ko")
    bench.add_argument("--model", help="a Vosk model folder (default: the locale's model)")
    bench.add_argument("--quick", action="store_true", help="a small sample: checks the benchmark runs")
    bench.add_argument("--minutes", type=float, default=60.0, help="idle: minutes of room sound (default 60)")
    bench.add_argument("--hours", type=float, default=8.0, help="soak: hours of frame-time audio (default 8)")
    bench.add_argument("--candidates", type=Path, help="phrases: a YAML of intents to try")
    bench.add_argument("--canceller", choices=FILTERS, default=DEFAULT,
                       help=f"echo, bargein: the echo canceller's filter (default {DEFAULT})")
    bench.add_argument("--people", action="store_true", help="bargein: recordings of people saying stop")
    bench.set_defaults(command=_bench)

    say = commands.add_parser("say", help="speak a line through the configured voice and speaker")
    say.add_argument("text")
    say.add_argument("--output", type=Path, help="write a WAV file instead of playing")
    voices = commands.add_parser("voices", help="list the voices of both engines")
    voices.set_defaults(command=_voices)
    prepare = commands.add_parser("prepare", help="render every line of every script into the prompt cache")
    for command in (say, prepare):
        command.add_argument("--locale", help="en or ko (default: en, or the config file's)")
        command.add_argument("--partners", help='the two partner names, e.g. "Alex,Sam"')
        command.add_argument("--scripts", dest="scripts_dir", help="a folder of your own scripts")
        command.add_argument("--config", type=Path, help="a config.yaml other than the user's")
        command.add_argument("--engine", dest="tts_engine", choices=("auto", "piper", "pyttsx3"))
        command.add_argument("--voice", dest="tts_voice", help="a voice id from 'voice voices'")
    say.set_defaults(command=_say)
    prepare.set_defaults(command=_prepare)

    config = commands.add_parser("config", help="each setting's effective value and where it came from")
    config.add_argument("--config", type=Path, help="a config.yaml other than the user's")
    config.add_argument("--locale")
    config.add_argument("--partners")
    config.set_defaults(command=_config)

    doctor = commands.add_parser("doctor", help="check everything the speaker needs, with the fix for each")
    doctor.add_argument("--config", type=Path, help="a config.yaml other than the user's")
    doctor.add_argument("--locale")
    doctor.add_argument("--model")
    doctor.add_argument("--input-device")
    doctor.add_argument("--output-device")
    doctor.set_defaults(command=_doctor)

    status = commands.add_parser("status", help="what the running speaker is doing")
    status.set_defaults(command=_status)

    service = commands.add_parser("service", help="install the speaker as a systemd service (root)")
    service.add_argument("action", choices=("install", "uninstall", "show"), help="show prints the unit")
    service.set_defaults(command=_service)

    devices = commands.add_parser("devices", help="list audio devices")
    devices.set_defaults(command=_devices)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    return load_settings(
        args.config, locale=args.locale, partners=args.partners, scripts_dir=args.scripts_dir,
        model=getattr(args, "model", None), input_device=getattr(args, "input_device", None),
        output_device=getattr(args, "output_device", None), tts_engine=getattr(args, "tts_engine", None),
        tts_voice=getattr(args, "tts_voice", None),
    )


def _run(args: argparse.Namespace) -> int:
    if (args.input is None) != (args.output is None):
        print("voice run: error: --input and --output go together (a WAV in, a WAV out)", file=sys.stderr)
        return 2
    outputs = [path for path in (args.output, args.events, args.record) if path is not None]
    if args.input is not None and any(_same_file(args.input, path) for path in outputs):
        print(f"voice run: error: {args.input} is the input; write the output, events or recording to "
              "another file", file=sys.stderr)
        return 2
    from .assemble import build_engine

    settings = _settings(args)
    events = EventFile(args.events)  # an unwritable path is said before the model loads
    engines = [build_engine(settings, recognize=True)]  # the running one last (a reload replaces it)
    recording = None

    def write(batch: list[Event]) -> None:
        log_events(batch)
        events.write(batch)
        if recording is not None:
            recording.events(batch)

    try:
        if args.record is not None:
            from .recording import DebugRecording

            recording = DebugRecording(args.record)
            engines[0].microphone_tap = recording.microphone
        if args.input is not None:
            from .audio.file_driver import run_files

            started = time.perf_counter()
            frames = run_files(engines[0], args.input, args.output, write)
            log.info("wrote %d frames (%.1f s of audio) in %.2f s", frames, frames * 0.02,
                     time.perf_counter() - started)
        else:
            from .live import serve

            serve(lambda: _settings(args), settings, engines, write, args.max_seconds, args.wait_for_devices)
    finally:
        engines[-1].close()
        events.close()
        if recording is not None:
            recording.close()
    return 0


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and a.samefile(b))
    except OSError:
        return False


def _simulate(args: argparse.Namespace) -> int:
    from .assemble import REHEARSAL_LOG, SESSION_LOG, build_engine
    from .simulate import printed, run_simulation

    log_name = SESSION_LOG if args.real_history else REHEARSAL_LOG
    engine = build_engine(_settings(args), recognize=False, seed=args.seed, log_name=log_name)
    events = EventFile(args.events)

    def show(batch: list[Event]) -> None:
        events.write(batch)
        for event in batch:
            if event.type == "error":
                print(f"voice: {event.data['message']}", file=sys.stderr)
            elif (line := printed(event)) is not None:
                print(line, flush=True)

    if sys.stdin.isatty():
        print("Type what you would say (':wait 5' lets 5 s pass, ':talk 20' is talk, Ctrl-D ends).", flush=True)
    try:
        run_simulation(engine, sys.stdin, show)
    finally:
        engine.close()
        events.close()
    return 0


def _say(args: argparse.Namespace) -> int:
    from .audio.frames import RATE
    from .audio.wavfile import write_wav
    from .locale import Locale
    from .speak.cache import PromptCache
    from .speak.voices import delivery_for, open_voice

    settings = _settings(args)
    voice = open_voice(settings, Locale.load(settings.locale))
    cache = PromptCache(voice, settings.cache_dir / "prompts", delivery_for(settings))
    started = time.perf_counter()
    audio = cache.audio(args.text)
    log.info("%s: %.1f s of speech in %.2f s", voice.engine, len(audio) / RATE, time.perf_counter() - started)
    cache.close()
    if args.output is not None:
        write_wav(args.output, audio)
    else:
        from .audio.devices import play

        play(audio, settings.output_device)
    return 0


def _voices(args: argparse.Namespace) -> int:
    from .speak.voices import list_voices

    for engine, voice_id, description in list_voices():
        print(f"{engine:8s} {voice_id:28s} {description}")
    return 0


def _prepare(args: argparse.Namespace) -> int:
    from .assemble import build_engine

    started = time.perf_counter()
    engine = build_engine(_settings(args), recognize=False)
    cache = engine.speech
    cache.wait_prepared()
    files = list(cache.folder.glob("*.wav"))
    print(f"{len(engine.lines())} lines ready ({cache.voice.engine}) in {time.perf_counter() - started:.1f} s; "
          f"the cache holds {len(files)} files, {sum(f.stat().st_size for f in files) / 1e6:.1f} MB")
    engine.close()
    return 0


def _validate(args: argparse.Namespace) -> int:
    from .validate import validate

    settings = load_settings(None, scripts_dir=args.scripts_dir)
    return validate(args.paths, args.locale, settings, print)


def _history(args: argparse.Namespace) -> int:
    from .exercises.history import SessionLog

    settings = load_settings(None)
    path = settings.data_dir / "sessions.db"
    if not path.exists():
        print("No sessions yet.")
        return 0
    rows = SessionLog(path).recent(args.limit)
    if not rows:
        print("No sessions yet.")
    for row in rows:
        started = time.strftime("%Y-%m-%d %H:%M", time.localtime(row.started))
        length = f"{(row.ended - row.started) / 60:5.1f} min" if row.ended else "   running"
        reason = row.reason or "cut off (say: continue our check-in)"
        print(f"{started}  {length}  {row.title:32s} steps {row.steps_completed:3d}  pauses {row.pauses}"
              f"  {row.first} first  {reason}")
    return 0


def _models(args: argparse.Namespace) -> int:
    from .models import LOCALE_MODELS, default_model, fetch_model, is_model, models_dir

    locale = args.locale or load_settings(None).locale  # the configured locale's model
    path = default_model(locale)
    if args.action == "path":
        print(path)
        return 0
    if is_model(path):
        print(f"The speech model is in place: {path}")
        return 0
    print(f"Fetching the speech model into {models_dir()}/ (an interrupted fetch resumes)", flush=True)
    print(f"The speech model is ready: {fetch_model(LOCALE_MODELS[locale], folder=models_dir())}")
    return 0


def _bench(args: argparse.Namespace) -> int:
    """One JSON object on stdout (the figures), a one-line summary on stderr."""
    import json

    from .bench import run

    settings = Settings(locale=args.locale, model=Path(args.model) if args.model else None)
    result = run(args.what, settings, args.quick, args.minutes, args.hours, args.candidates, args.canceller, args.people)
    summary = result.pop("summary")
    print(json.dumps(result, ensure_ascii=False))
    print(f"{args.what}: {summary}", file=sys.stderr)
    return 0


def _config(args: argparse.Namespace) -> int:
    from .config import config_file, describe, system_config_file

    settings = load_settings(args.config, locale=args.locale, partners=args.partners)
    for path in (system_config_file(), args.config or config_file()):
        print(f"# {path} ({'read' if path.is_file() else 'not present'})")
    for key, value, source in describe(settings):
        print(f"{key:18s} {value:40s} {source}")
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from .doctor import run_doctor

    return run_doctor(lambda line: print(line, flush=True), args.config, locale=args.locale, model=args.model,
                      input_device=args.input_device, output_device=args.output_device)


def _status(args: argparse.Namespace) -> int:
    from .status import SERVICE_RUNTIME_DIR, describe, read_status

    found = read_status()
    if found is None:
        service = SERVICE_RUNTIME_DIR / "status.json"
        if os.path.isdir(SERVICE_RUNTIME_DIR) and not os.access(SERVICE_RUNTIME_DIR, os.R_OK | os.X_OK):
            print(f"The service's status ({service}) is private to it; run 'sudo voice status'.")
            return 1
        print("The speaker is not running (start it with 'voice run' or 'sudo systemctl start voice').")
        return 1
    _, status = found
    print(f"voice (pid {status['pid']}): {describe(status)}")
    return 0


def _service(args: argparse.Namespace) -> int:
    from . import service

    if args.action == "show":
        print(service.unit_text(), end="")
    else:
        getattr(service, args.action)()
    return 0


def _devices(args: argparse.Namespace) -> int:
    from .audio.devices import list_devices

    devices = list_devices()
    if not devices:
        print("No audio devices found. Plug in a USB microphone and speaker, then check 'arecord -l'.")
        return 1
    for d in devices:
        print(f"{d['index']:3d}  {d['name']:40s} in {d['max_input_channels']}  out {d['max_output_channels']}"
              f"  {d['default_samplerate']:.0f} Hz")
    return 0


if __name__ == "__main__":
    sys.exit(main())
