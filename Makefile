# Two commands on a fresh machine: `make demo` and `make test`.
# Everything they need is installed here: Debian packages (when missing), a .venv, the package.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEB_PACKAGES := softhsm2 opensc poppler-utils qpdf libnss3-tools fonts-dejavu-core sqlite3 chromium
# one file per Debian package that proves it is installed
DEB_PROBES := /usr/bin/softhsm2-util /usr/bin/pkcs11-tool /usr/bin/pdfsig /usr/bin/qpdf /usr/bin/certutil \
              /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/bin/sqlite3 /usr/bin/chromium

.PHONY: demo test test-min fuzz bench bench-verify bench-ltv bench-ltv-refresh lint system venv clean

demo: venv
	$(BIN)/signkit demo --workdir demo-work

test: venv
	$(BIN)/ruff check .
	$(BIN)/mypy signkit
	$(BIN)/python -m pytest

# the same suite on the lowest dependency versions pyproject.toml allows (.ci/constraints-min.txt
# pins the pyHanko family to its floor), in a second venv; CI runs it after `make test`
VENV_MIN := .venv-min
BIN_MIN  := $(VENV_MIN)/bin
MIN_CONSTRAINTS := .ci/constraints-min.txt

test-min: system $(VENV_MIN)/.installed
	@$(BIN_MIN)/python -c "import importlib.metadata as m; print('test-min:', ', '.join( \
	  f'{p} {m.version(p)}' for p in ('pyhanko', 'pyhanko-certvalidator', 'pyhanko-cli')))"
	$(BIN_MIN)/python -m pytest

$(BIN_MIN)/python:
	$(PYTHON) -m venv $(VENV_MIN)

$(VENV_MIN)/.installed: pyproject.toml $(MIN_CONSTRAINTS) | $(BIN_MIN)/python
	$(BIN_MIN)/pip install -q --upgrade pip
	$(BIN_MIN)/pip install -q -c $(MIN_CONSTRAINTS) -e '.[test]'
	touch $@

# the fuzz harness of tests/test_fuzz.py run long: fresh examples each run (hypothesis keeps
# failing ones in .hypothesis/), FUZZ_EXAMPLES per family (default 2000), and every distinct
# violation collected and listed at the end instead of stopping at the first
FUZZ_EXAMPLES ?= 2000
fuzz: venv
	FUZZ_PROFILE=fuzz FUZZ_COLLECT=1 FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) \
	  $(BIN)/python -m pytest tests/test_fuzz.py

# the bench extra (python-pkcs11 for pyHanko's CLI) on top of the test venv, once per change
# of pyproject.toml; BENCH_ARGS passes options, e.g. make bench BENCH_ARGS="--json bench.json"
bench: venv
	@[ $(VENV)/.installed-bench -nt pyproject.toml ] || \
	  { $(BIN)/pip install -q -e '.[test,bench]' && touch $(VENV)/.installed-bench; }
	$(BIN)/python bench/sign_bench.py $(BENCH_ARGS)

# signkit verify beside pyHanko's CLI and pdfsig, with the test PKI's OCSP and CRL served live
# on loopback; needs only the test venv (certomancer, pyhanko-cli) and pdfsig/certutil;
# BENCH_ARGS passes options, e.g. make bench-verify BENCH_ARGS="--json bench-verify.json"
bench-verify: venv
	$(BIN)/python bench/verify_bench.py $(BENCH_ARGS)

# PAdES-B-LTA signing: one signkit batch beside pyHanko's CLI once per file, with the test
# PKI's TSA, OCSP and CRLs served live on loopback; needs only the test venv
bench-ltv: venv
	$(BIN)/python bench/ltv_bench.py $(BENCH_ARGS)

# `signkit ltv refresh` over an archive that needs nothing, beside `signkit verify --offline`
bench-ltv-refresh: venv
	$(BIN)/python bench/ltv_refresh_bench.py $(BENCH_ARGS)

lint: venv
	$(BIN)/ruff check .

system:
	@missing=""; for p in $(DEB_PROBES); do [ -e $$p ] || missing="yes"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $(DEB_PACKAGES)"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(DEB_PACKAGES) >/dev/null; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# reinstall when the project's metadata changes
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: system $(VENV)/.installed

clean:
	rm -rf $(VENV) $(VENV_MIN) demo-work .pytest_cache .hypothesis build *.egg-info
