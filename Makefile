# lucas: the two commands a newcomer needs are `make demo` and `make test`.
# Prerequisites: cargo (Rust toolchain with rustfmt and clippy) and python3 with venv.

PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Build and test against the venv's interpreter (pyo3 reads PYO3_PYTHON).
export PYO3_PYTHON := $(abspath $(VPY))

CLIPPY_LINTS := -D warnings -D clippy::undocumented_unsafe_blocks -D clippy::missing_safety_doc

.PHONY: all build demo test lint cargo-test pytest clean

all: build

$(STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --upgrade pip
	$(VPY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Build the extension in place (lucas.cpython-*.so next to setup.py).
build: $(STAMP)
	$(VPY) setup.py --quiet build_ext --inplace

demo: build
	PYTHONPATH=$(CURDIR) $(VPY) examples/demo.py

lint: $(STAMP)
	cargo fmt --check
	cargo clippy --all-targets --all-features --quiet -- $(CLIPPY_LINTS)

cargo-test: $(STAMP)
	cargo test --quiet

pytest: build
	$(VPY) -m pytest tests

test: lint cargo-test pytest

clean:
	cargo clean
	rm -rf $(VENV) build dist *.egg-info lucas.*.so .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
