#!/usr/bin/env bash
# Runs on the lent GPU machine (the `device` tool), in the copy of this tree it is given, with
# the parts made by benchmarks/gpu_payload.sh carried under output/gpu_payload/.
#   gpu_device_run.sh stash          keep the carried parts outside the tree (they survive
#                                    between calls while the machine stays warm)
#   gpu_device_run.sh bench [ARGS]   stash, unpack, put this tree's Python package over the
#                                    wheel's, run bench_gpu.py ARGS (default --no-tf32 --rounds 1)
#                                    with results in $OUT
set -euo pipefail
STASH=/root/ppocr-gpu-parts
PAYLOAD=/root/ppocr-gpu-payload
mkdir -p "$STASH"
find output/gpu_payload -type f -name 'part?' -exec mv {} "$STASH/" \; 2>/dev/null || true
ls "$STASH"
[ "${1:-}" = bench ] || exit 0
shift
rm -rf "$PAYLOAD" && mkdir -p "$PAYLOAD"
cat "$STASH"/part? | xz -T0 -dc | tar -xf - -C "$PAYLOAD"
# The wheel's compiled core is this tree's; its Python files may be newer than the wheel.
cp -r python/ppocr_native/. "$PAYLOAD/site/ppocr_native/"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
[ $# -gt 0 ] || set -- --no-tf32 --rounds 1
PYTHONPATH="$PAYLOAD/site" PPOCR_TEST_DATA="$PAYLOAD/data" PPOCR_NATIVE_HOME="$PAYLOAD/home" \
    python3 benchmarks/bench_gpu.py --json "${OUT:-/tmp}/bench_gpu.json" "$@" 2>&1 \
    | grep -v 'No registered plugin EP device' | tee "${OUT:-/tmp}/bench_gpu.log" | tail -40
