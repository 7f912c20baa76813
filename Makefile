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

# the tests also cover the optional extras: onnx (installed above) and ray (render --executor ray)
$(VENV)/.ray: $(BIN)/filmstyle
	$(BIN)/pip install -q --disable-pip-version-check -e '.[ray]'
	touch $@

test: install $(VENV)/.ray
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build *.egg-info filmstyle-demo.mp4
