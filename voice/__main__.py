"""The `voice` command: what each of its commands does (its options: `voice.cli`)."""

import argparse
import logging
import os
import sys
import time
from pathlib import Path
from typing import Callable

from .cli import build_parser
from .config import Settings, load_settings
from .errors import VoiceError
from .events import Event, EventFile, log_events
from .process import Ended, bound_malloc_arenas, end_on_signals

log = logging.getLogger("voice")


def main(argv: list[str] | None = None) -> int:
    bound_malloc_arenas()
    args = build_parser().parse_args(argv)
    args.debug = args.debug or os.environ.get("VOICE_DEBUG", "").lower() in ("1", "true", "yes")
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr,
    )
    end_on_signals()
    try:
        return COMMANDS[args.command](args) or 0
    except VoiceError as error:
        if args.debug:
            raise
        print(f"voice: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Ended as ended:
        return ended.code


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
    result = run(args.what, settings, args.quick, args.minutes, args.hours, args.candidates, args.canceller, args.people,
                 args.draws)
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


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": _run,
    "simulate": _simulate,
    "say": _say,
    "voices": _voices,
    "prepare": _prepare,
    "validate": _validate,
    "history": _history,
    "models": _models,
    "bench": _bench,
    "config": _config,
    "doctor": _doctor,
    "status": _status,
    "service": _service,
    "devices": _devices,
}


if __name__ == "__main__":
    sys.exit(main())
