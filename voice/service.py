"""`voice service install | uninstall | show`: the speaker as a systemd service under its own user.

The unit (hardware/voice.service) is filled in with this checkout's paths. The service user must be
able to read the checkout: on Raspberry Pi OS home folders are private, so put it in /opt/voice.
"""

import grp
import logging
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import ConfigError

log = logging.getLogger(__name__)
CHECKOUT = Path(__file__).resolve().parent.parent
UNIT_TEMPLATE = CHECKOUT / "hardware" / "voice.service"
EXAMPLE_CONFIG = CHECKOUT / "hardware" / "config.example.yaml"
UNIT_PATH = Path("/etc/systemd/system/voice.service")
SYSTEM_CONFIG = Path("/etc/voice/config.yaml")
USER = "voice"


def unit_text() -> str:
    """The unit for this checkout: its voice command, and the gpio group where the machine has one."""
    groups = ["audio"] + [name for name in ("gpio",) if _known(grp.getgrnam, name)]
    voice = Path(sys.executable).parent / "voice"
    text = UNIT_TEMPLATE.read_text()
    return (text.replace("@CHECKOUT@", str(CHECKOUT)).replace("@VOICE@", str(voice))
            .replace("@GROUPS@", " ".join(groups)))


def install(print_line=print) -> None:
    _need_root("install")
    if not shutil.which("systemctl"):
        raise ConfigError("systemd's systemctl is not here; start the speaker with 'voice run' instead")
    for needed in (CHECKOUT, Path(sys.executable).resolve()):  # the checkout, and the venv's own Python
        unreadable = _unreadable_by_others(needed)
        if unreadable:
            raise ConfigError(f"the service user cannot enter {unreadable}, which holds {needed}; put the checkout "
                              f"in /opt/voice with the system's python3, or run 'sudo chmod o+rx {unreadable}'")
    if not shutil.which("useradd"):
        raise ConfigError("useradd is not here to create the service's user; install the 'passwd' package")
    # Everything is checked: only now is anything created.
    if not _known(pwd.getpwnam, USER):
        group = ["--gid", USER] if _known(grp.getgrnam, USER) else ["--user-group"]
        _run(["useradd", "--system", *group, "--home-dir", "/var/lib/voice", "--no-create-home",
              "--shell", "/usr/sbin/nologin", "--groups", "audio", USER])
        print_line(f"created the system user '{USER}' (in the audio group)")
    UNIT_PATH.write_text(unit_text())
    print_line(f"wrote {UNIT_PATH}")
    if not SYSTEM_CONFIG.exists():
        SYSTEM_CONFIG.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(EXAMPLE_CONFIG, SYSTEM_CONFIG)
        print_line(f"wrote {SYSTEM_CONFIG}: set your names and devices there")
    (SYSTEM_CONFIG.parent / "scripts").mkdir(exist_ok=True)
    for command in (["daemon-reload"], ["enable", "--now", "voice"]):
        _run(["systemctl", *command])
    print_line("the speaker starts now and at every boot; 'voice status' and 'journalctl -u voice' show it")


def uninstall(print_line=print) -> None:
    _need_root("uninstall")
    subprocess.run(["systemctl", "disable", "--now", "voice"], check=False)
    UNIT_PATH.unlink(missing_ok=True)
    subprocess.run(["systemctl", "daemon-reload"], check=False)
    print_line(f"removed {UNIT_PATH}; {SYSTEM_CONFIG} and the session log in /var/lib/voice are kept")


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        problem = (result.stderr or result.stdout).strip().splitlines()
        raise ConfigError(f"'{' '.join(command)}' failed ({problem[-1] if problem else result.returncode}); "
                          "fix that and run 'voice service install' again (it can be run twice)")


def _need_root(action: str) -> None:
    if os.geteuid() != 0:
        raise ConfigError(f"installing a service needs root; run 'sudo {sys.argv[0]} service {action}'")


def _known(lookup, name: str) -> bool:
    """Whether a user (pwd.getpwnam) or group (grp.getgrnam) of this name exists."""
    try:
        lookup(name)
    except KeyError:
        return False
    return True


def _unreadable_by_others(path: Path, root: Path = Path("/")) -> Path | None:
    """The first folder from `root` down to `path` that other users cannot enter."""
    for folder in [*reversed(path.parents), path]:
        if folder.is_relative_to(root) and not os.stat(folder).st_mode & 0o001:
            return folder
    return None
