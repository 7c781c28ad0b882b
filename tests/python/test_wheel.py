"""The repaired wheel (make wheel) on a machine without Debian's OpenCV and Clipper.

A fresh venv gets the wheel with pip (its dependencies from PyPI / the pip cache), then OCR
runs in a private mount namespace (``unshare --mount``, we are root) where every system
library that auditwheel grafted into ``ppocr_native.libs/`` — OpenCV core/imgproc, Clipper
and their own dependencies — has /dev/null bind-mounted over it. The dynamic loader still
finds the files by name but cannot load them ("file too short"), so a wheel that secretly
needed the system copies fails here. Two controls in the same namespace prove the hiding is
real: loading each hidden library by its soname fails, and the ordinary (non-repaired)
extension of the development install cannot be imported. This is closer to a clean machine
than LD_LIBRARY_PATH tricks (which cannot remove the default search path) and needs no chroot.
The texts, boxes and scores must equal those of the normal install on the same image.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO, THREADS

DIST = REPO / "dist"
SAMPLE = REPO / "tests" / "assets" / "sample.png"
SYSTEM_LIB_DIRS = (Path("/usr/lib/x86_64-linux-gnu"), Path("/lib/x86_64-linux-gnu"))
# auditwheel renames a grafted library libfoo.so.1.2 to libfoo-<8 hex>.so.1.2.
GRAFTED_NAME = re.compile(r"^(?P<stem>.+)-[0-9a-f]{8}(?P<suffix>\.so(\.[0-9.]+)?)$")
MUST_BE_GRAFTED = ("libopencv_core", "libopencv_imgproc", "libpolyclipping")

OCR_SCRIPT = """
import json, sys
import ppocr_native, ppocr_native._core as core
from ppocr_native import PaddleOCR
res = PaddleOCR(cpu_threads=int(sys.argv[2])).predict(sys.argv[1])[0]
maps = open("/proc/self/maps").read()
print(json.dumps({
    "core_file": core.__file__,
    "rec_texts": list(res["rec_texts"]),
    "rec_scores": [float(s) for s in res["rec_scores"]],
    "rec_polys": [p.tolist() for p in res["rec_polys"]],
    "mapped": sorted({line.split()[-1] for line in maps.splitlines()
                      if ".so" in line and "/" in line.split()[-1]}),
}))
"""

# Runs inside the namespace: hide, then the two controls, then OCR with the wheel.
NAMESPACE_SCRIPT = r"""
set -u
while read -r lib; do mount --bind /dev/null "$lib" || exit 90; done < "$WORK/hide.txt"
"$WHEEL_PY" -c '
import ctypes, sys
for name in sys.argv[1:]:
    try:
        ctypes.CDLL(name)
    except OSError as e:
        print(name, "->", e)
    else:
        print(name, "-> LOADED")
' $(cat "$WORK/sonames.txt") > "$WORK/control_sonames.txt" 2>&1
"$DEV_PY" -c 'import ppocr_native._core' > "$WORK/control_dev.txt" 2>&1
echo $? > "$WORK/control_dev.rc"
exec "$WHEEL_PY" "$WORK/ocr.py" "$SAMPLE" "$THREADS"
"""


def _repaired_wheel() -> Path:
    wheels = sorted(DIST.glob("ppocr_native-*manylinux_*.whl"))
    if len(wheels) != 1:
        pytest.fail(f"expected one repaired wheel in {DIST}, found {wheels}: run `make wheel` "
                    "(make test does)")
    return wheels[0]


def _grafted(wheel: Path) -> dict[str, str]:
    """{original stem (libopencv_core): grafted file name} of ppocr_native.libs/."""
    out = {}
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if name.startswith("ppocr_native.libs/") and not name.endswith("/"):
                base = name.rsplit("/", 1)[1]
                match = GRAFTED_NAME.match(base)
                assert match, f"unexpected file in ppocr_native.libs: {base}"
                out[match["stem"]] = base
    return out


def _system_copies(stems) -> tuple[list[Path], list[str]]:
    """The real files (symlinks resolved) of the system libraries named stem.so*, and the
    sonames found for them."""
    files, sonames = set(), set()
    for directory in SYSTEM_LIB_DIRS:
        for stem in stems:
            for path in directory.glob(f"{stem}.so*"):
                files.add(path.resolve())
                if re.fullmatch(rf"{re.escape(stem)}\.so\.[0-9]+(\.[0-9]+)?", path.name):
                    sonames.add(path.name)
    return sorted(files), sorted(sonames)


@pytest.fixture(scope="module")
def wheel() -> Path:
    return _repaired_wheel()


@pytest.fixture(scope="module")
def wheel_venv(wheel, tmp_path_factory):
    """A fresh venv (no system site-packages) with only the wheel and its dependencies."""
    venv = tmp_path_factory.mktemp("wheel") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    # The dev venv's pip installs into the new one (--python); --no-compile: no .pyc pass over
    # openvino/numpy, which would double the time of this test.
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"),
                    "install", "-q", "--disable-pip-version-check", "--no-compile", str(wheel)],
                   check=True)
    yield venv
    shutil.rmtree(venv)  # ~450 MB; pytest keeps the last three tmp trees


def test_wheel_carries_opencv_and_clipper_but_not_openvino(wheel):
    grafted = _grafted(wheel)
    for stem in MUST_BE_GRAFTED:
        assert stem in grafted, f"{stem} not grafted into the wheel: {sorted(grafted)}"
    assert not [s for s in grafted if "openvino" in s], grafted
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        metadata = zf.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    # OpenVINO comes from the pinned wheel instead; the C++ library is not in the wheel.
    assert "Requires-Dist: openvino==2026.4.1" in metadata
    assert not [n for n in names if "libppocr_core" in n or n.endswith(".h")], names


def test_wheel_runs_ocr_without_system_opencv_and_clipper(wheel, wheel_venv, tmp_path,
                                                            ocr_default):
    assert os.geteuid() == 0, "unshare --mount and mount --bind need root (as in CI)"
    grafted = _grafted(wheel)
    hide, sonames = _system_copies(grafted)
    hidden_stems = {s for s in grafted if any(f.name.startswith(s + ".so") for f in hide)}
    # The point of the test: the system does have these libraries, and they are hidden.
    assert set(MUST_BE_GRAFTED) <= hidden_stems, (MUST_BE_GRAFTED, hide)
    (tmp_path / "hide.txt").write_text("".join(f"{p}\n" for p in hide))
    (tmp_path / "sonames.txt").write_text(" ".join(sonames))
    (tmp_path / "ocr.py").write_text(OCR_SCRIPT)
    env = dict(os.environ, WORK=str(tmp_path), SAMPLE=str(SAMPLE), THREADS=str(THREADS),
               WHEEL_PY=str(wheel_venv / "bin" / "python"), DEV_PY=sys.executable)
    env.pop("LD_LIBRARY_PATH", None)
    env.pop("PYTHONPATH", None)
    run = subprocess.run([shutil.which("unshare"), "--mount", "--propagation", "private",
                          "bash", "-c", NAMESPACE_SCRIPT], env=env, capture_output=True,
                         text=True, timeout=300)

    # Controls: nothing hidden could be loaded, and the non-repaired build cannot start.
    controls = (tmp_path / "control_sonames.txt").read_text()
    assert sonames and "LOADED" not in controls, controls
    for soname in sonames:
        assert f"{soname} -> " in controls, controls
    dev_rc = int((tmp_path / "control_dev.rc").read_text())
    dev_err = (tmp_path / "control_dev.txt").read_text()
    assert dev_rc != 0, "the non-repaired extension imported with the system libraries hidden"
    assert "file too short" in dev_err and any(s in dev_err for s in sonames), dev_err

    assert run.returncode == 0, run.stderr[-3000:]
    got = json.loads(run.stdout.strip().splitlines()[-1])
    assert got["core_file"].startswith(str(wheel_venv)), got["core_file"]
    mapped = got["mapped"]
    for stem in MUST_BE_GRAFTED:
        assert [m for m in mapped if f"/ppocr_native.libs/{stem}-" in m], (stem, mapped)
    leaked = [m for m in mapped if any(Path(m).resolve() == f for f in hide)]
    assert not leaked, leaked

    # Same result as the normal install.
    want = ocr_default.predict(str(SAMPLE))[0]
    assert got["rec_texts"] == list(want["rec_texts"])
    assert len(got["rec_texts"]) >= 3
    assert got["rec_polys"] == [p.tolist() for p in want["rec_polys"]]
    assert got["rec_scores"] == pytest.approx([float(s) for s in want["rec_scores"]], abs=1e-4)
