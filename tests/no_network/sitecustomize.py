"""Put on PYTHONPATH by the privacy tests: every Python they start refuses to create any socket.

Each attempt is appended to $VOICE_TEST_NETWORK_LOG with its stack before it fails, so an attempt
that a library catches and hides still fails the test.
"""

import os
import socket
import traceback

_LOG = os.environ.get("VOICE_TEST_NETWORK_LOG", "")


def _refuse(what: str):
    def refuse(*args, **kwargs):
        with open(_LOG or os.devnull, "a", encoding="utf-8") as log:
            log.write(f"{what}{args!r}\n{''.join(traceback.format_stack(limit=12))}\n")
        raise PermissionError(f"the privacy test blocks the network ({what})")
    return refuse


class _NoSocket(socket.socket):
    def __new__(cls, *args, **kwargs):
        _refuse("socket.socket")(*args, **kwargs)


socket.socket = _NoSocket
for _name in ("create_connection", "create_server", "getaddrinfo", "gethostbyname", "socketpair", "fromfd"):
    setattr(socket, _name, _refuse(f"socket.{_name}"))
