#!/usr/bin/env bash
# The C++ core's tests under AddressSanitizer + UndefinedBehaviorSanitizer (make test-asan).
#
# 1. Builds ppocr_core + _core with -DPPOCR_SANITIZE=ON into build/asan (plain cmake + ninja
#    from the venv, RelWithDebInfo; incremental). The normal build (build/<wheel_tag>, pip) and
#    the installed package in .venv are never touched.
# 2. Makes build/asan/pkg/ppocr_native: symlinks to python/ppocr_native/*.py + the sanitized
#    _core, and puts build/asan/pkg first on PYTHONPATH so it wins over .venv's copy.
# 3. Runs pytest on $ASAN_TESTS with libasan/libubsan preloaded (the venv's Python is not
#    instrumented, so the runtimes must be the first libraries loaded).
# Fails on a test failure, on any sanitizer exit, and on any sanitizer report in the log.
#
# Usage: tests/asan/run.sh [extra pytest args]     (env: ASAN_TESTS, ASAN_BUILD_DIR, VENV)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/asan
cd "$ROOT"
VENV=$(realpath "${VENV:-.venv}")
PY=$VENV/bin/python
BUILD=${ASAN_BUILD_DIR:-$ROOT/build/asan}
JOBS=${ASAN_JOBS:-2}
# Every stage test, the bad-input / tiny-image / corrupt-file / threading robustness tests, full
# pipeline runs (default pipeline with orientation modules and unwarping, rotated pages) and the
# parity tests (reference config on every labelled image): 175 tests, about 4 min on 2 cores.
ASAN_TESTS=${ASAN_TESTS:-tests/python/test_ops.py tests/python/test_robustness.py tests/python/test_pipeline.py tests/python/test_parity.py}

# --- 1. sanitized build -------------------------------------------------------------------
if [ ! -f "$BUILD/build.ninja" ]; then
  "$VENV/bin/cmake" -S "$ROOT" -B "$BUILD" -G Ninja \
    -DCMAKE_MAKE_PROGRAM="$VENV/bin/ninja" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPPOCR_SANITIZE=ON \
    -DPython_EXECUTABLE="$PY" \
    -Dpybind11_DIR="$("$PY" -m pybind11 --cmakedir)"
fi
"$VENV/bin/cmake" --build "$BUILD" -j "$JOBS"

SO=$(ls "$BUILD"/cpp/_core.*.so)

# --- 2. package dir with the sanitized extension -----------------------------------------
PKG=$BUILD/pkg/ppocr_native
rm -rf "$BUILD/pkg"
mkdir -p "$PKG"
ln -s "$ROOT"/python/ppocr_native/*.py "$PKG"/
for sub in "$ROOT"/python/ppocr_native/*/__init__.py; do   # subpackages too
  ln -s "$(dirname "$sub")" "$PKG"/
done
ln -s "$SO" "$PKG"/

# --- 3. tests ------------------------------------------------------------------------------
ASAN_LIB=$(gcc -print-file-name=libasan.so)
UBSAN_LIB=$(gcc -print-file-name=libubsan.so)
LOG=$BUILD/test-asan.log

export PYTHONPATH=$BUILD/pkg${PYTHONPATH:+:$PYTHONPATH}
# detect_leaks=0: CPython, numpy and OpenVINO keep interned objects, caches and plugin state
#   alive until exit on purpose; LeakSanitizer reports thousands of those (none ours).
# exitcode=86: a sanitizer abort is told apart from an ordinary pytest failure (exit 1).
# ASan is never recoverable here; UBSan stops at the first report (halt_on_error=1).
export ASAN_OPTIONS="detect_leaks=0:exitcode=86:abort_on_error=0:detect_stack_use_after_return=1:check_initialization_order=1:suppressions=$HERE/asan.supp${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=86:suppressions=$HERE/ubsan.supp${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
# oneTBB (OpenVINO's threading) dlopens libtbbbind with RTLD_DEEPBIND, which the ASan runtime
# refuses outright (google/sanitizers#611: "...incompatible with sanitizer runtime", exit).
# TBB_ENABLE_SANITIZERS=1 is oneTBB's own switch to drop RTLD_DEEPBIND, but Debian's libtbb12
# (2021.8, pulled in first by libopencv_core, so normally the process's only TBB) predates it.
# So the openvino wheel's own libtbb.so.12 (same soname and ABI, newer, has the switch) is
# preloaded and serves both OpenVINO and OpenCV in this run.
export TBB_ENABLE_SANITIZERS=1
OV_TBB=$("$PY" -c "import openvino, os; print(os.path.join(os.path.dirname(openvino.__file__), 'libs', 'libtbb.so.12'))")
PRELOAD="$ASAN_LIB:$UBSAN_LIB:$OV_TBB"

# The sanitized module must be the one imported.
LD_PRELOAD="$PRELOAD" "$PY" -c "
import sys, ppocr_native._core as c
assert c.__file__.startswith('$BUILD/pkg/'), c.__file__
print('sanitized _core:', c.__file__)"

# --capture=sys: sanitizer reports are written to fd 2, which pytest's default fd capture
# would swallow when the process dies.
set +e
# shellcheck disable=SC2086
LD_PRELOAD="$PRELOAD" "$PY" -m pytest $ASAN_TESTS -q -p no:cacheprovider \
  --capture=sys "$@" 2>&1 | tee "$LOG"
rc=${PIPESTATUS[0]}
set -e

reports=$(grep -c -E "ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer" "$LOG" || true)
if [ "$reports" -ne 0 ]; then
  echo "test-asan: FAILED: $reports sanitizer report line(s), see $LOG" >&2
  exit 1
fi
if [ "$rc" -ne 0 ]; then
  echo "test-asan: FAILED: pytest exit code $rc (86 = sanitizer abort), see $LOG" >&2
  exit "$rc"
fi
echo "test-asan: OK, 0 sanitizer reports ($LOG)"
