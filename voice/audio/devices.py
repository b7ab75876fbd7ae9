"""Finding audio devices by index or name substring, with a clear message when there is none."""

import sounddevice as sd

from ..errors import AudioError


def list_devices() -> list[dict]:
    try:
        return [dict(device, index=i) for i, device in enumerate(sd.query_devices())]
    except sd.PortAudioError as error:
        raise AudioError(f"PortAudio cannot list audio devices ({error}); check that ALSA works with 'aplay -l'") from None


def find_device(spec: str | None, kind: str) -> dict:
    """The input or output device named by index or name substring, or the system default."""
    channels = f"max_{kind}_channels"
    devices = [d for d in list_devices() if d[channels] > 0]
    what = "microphone" if kind == "input" else "speaker"
    if not devices:
        raise AudioError(
            f"no audio {kind} device was found; plug in a USB {what} and check it appears in "
            f"'{'arecord' if kind == 'input' else 'aplay'} -l'"
        )
    if spec is None:
        default = sd.default.device[0 if kind == "input" else 1]
        return next((d for d in devices if d["index"] == default), devices[0])
    if spec.strip().isdigit():
        match = [d for d in devices if d["index"] == int(spec)]
    else:
        match = [d for d in devices if spec.lower() in d["name"].lower()]
    if not match:
        names = "; ".join(f"{d['index']}: {d['name']}" for d in devices)
        raise AudioError(
            f"there is no {kind} device '{spec}'; use an index or part of a name from: {names} "
            "(see 'voice devices')"
        )
    return match[0]


def supported_rate(device: dict, kind: str, preferred: int) -> int:
    """`preferred` if the device takes it, else the device's own default rate (we resample)."""
    check = sd.check_input_settings if kind == "input" else sd.check_output_settings
    try:
        check(device=device["index"], samplerate=preferred, channels=1, dtype="int16")
        return preferred
    except (sd.PortAudioError, ValueError):
        return int(device["default_samplerate"])


def play(samples, spec: str | None) -> None:
    """Play 16 kHz int16 audio on the output device and wait for it to end (`voice say`, the doctor)."""
    import soxr

    from .frames import RATE

    device = find_device(spec, "output")
    rate = supported_rate(device, "output", RATE)
    if rate != RATE:
        samples = soxr.resample(samples, RATE, rate)
    try:
        sd.play(samples, rate, device=device["index"], blocking=True)
    except (sd.PortAudioError, ValueError) as error:
        raise AudioError(f"cannot play on '{device['name']}' ({error}); check it with 'voice devices'") from None
