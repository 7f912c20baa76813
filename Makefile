# The two set-up commands (README): `make demo` and `make test`. Both create .venv and install
# what they need, the optional extras included, so CI tests them too (the onnx extra: `filmstyle
# export`, `render --backend onnx`). torch is pinned to the CPU wheel that this kind of machine
# carries; a looser requirement would pull a CUDA build of several GB.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TORCH ?= torch==2.13.0

.PHONY: install demo test bench clean

$(BIN)/filmstyle: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check $(TORCH)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test,onnx]'
	touch $@

install: $(BIN)/filmstyle

demo: install
	$(BIN)/filmstyle demo

# the tests also cover the optional extras: onnx (installed above), ray (render --executor ray) and
# ui (filmstyle ui; its browser test drives the system's chromium through playwright, never
# playwright's own browser download)
$(VENV)/.ray: $(BIN)/filmstyle
	$(BIN)/pip install -q --disable-pip-version-check -e '.[ray]'
	touch $@

$(VENV)/.ui: $(BIN)/filmstyle
	$(BIN)/pip install -q --disable-pip-version-check -e '.[ui]' 'playwright>=1.40'
	touch $@

test: install $(VENV)/.ray $(VENV)/.ui
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build *.egg-info filmstyle-demo.mp4
