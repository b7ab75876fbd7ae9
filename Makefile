# Two commands set everything up on a fresh Debian or Raspberry Pi OS machine:
#   make run    install what is missing (with the Piper voice; PIPER=0 leaves it out), fetch the
#               English model, start the speaker
#   make test   install with Piper, the test extras, the Korean model and the English one, run every test
#   make install-service   then: start at boot as a systemd service (hardware/README.md)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := espeak-ng libportaudio2 libasound2-plugins alsa-utils python3-venv libspeexdsp-dev swig
PIPER ?= 1
EXTRAS := $(if $(filter 1,$(PIPER)),[piper])
RUN_ARGS ?=

.PHONY: run test fuzz install-service system-packages fetch-model clean

run: $(BIN)/.installed fetch-model
	$(BIN)/voice run $(RUN_ARGS)

test: $(BIN)/.installed-test fetch-model
	$(BIN)/python -m pytest --hypothesis-profile=ci $(PYTEST_ARGS)

# The loaders fuzzed for longer: 20,000 examples per property instead of CI's 2,000.
fuzz: $(BIN)/.installed-test
	$(BIN)/python -m pytest --hypothesis-profile=fuzz tests/test_script_fuzz.py tests/test_loader_fuzz.py

# The speaker as a service that starts at boot (run from /opt/voice; see hardware/README.md).
install-service: $(BIN)/.installed fetch-model
	$(SUDO) $(BIN)/voice service install

# Debian packages: install only the ones missing, so a set-up machine needs no sudo.
system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

$(VENV)/bin/python: | system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(BIN)/.installed: pyproject.toml | $(VENV)/bin/python system-packages
	$(BIN)/pip install -q -e ".$(EXTRAS)"
	touch $@

# strace: the privacy tests watch every socket and every file written at the system-call level, and the
# service test checks the unit's allow-lists against a traced run (systemd: systemd-analyze rates the unit).
# flite: more English test voices for the listening tests and benchmarks (voice/bench/voices.py).
# maven: where the model's zip cannot be reached, `voice models fetch` gets the publisher's archive of it
# from Maven Central by its coordinates (voice/models.py).
$(BIN)/.installed-test: APT_PACKAGES += strace maven flite systemd
$(BIN)/.installed-test: pyproject.toml | $(VENV)/bin/python system-packages
	$(BIN)/pip install -q -e ".[piper,test]"
	touch $@ $(BIN)/.installed

fetch-model: $(BIN)/.installed
	$(BIN)/voice models fetch

clean:
	rm -rf $(VENV) .pytest_cache
