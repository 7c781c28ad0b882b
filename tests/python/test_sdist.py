"""The source distribution (make sdist): complete, configurable, and clear when the system's
OpenCV / Clipper development packages are missing.

A full compile from the sdist takes minutes on CI's 2 cores, so here the sdist is unpacked and
CMake-configured (every source file it needs is checked to be inside); the full
`pip wheel <sdist>` build was run by hand (README "Wheels"). The missing-package error is
provoked honestly: CMake is told to ignore the system prefix (CMAKE_IGNORE_PREFIX_PATH=/usr,
through pip's CMAKE_ARGS exactly as a user's `pip install` would run it) or Clipper's header
directory (CMAKE_IGNORE_PATH), so the find modules really fail to find the packages.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from conftest import REPO

BIN = Path(sys.executable).parent
ALL_PACKAGES = "sudo apt-get install libopencv-core-dev libopencv-imgproc-dev libpolyclipping-dev"


@pytest.fixture(scope="module")
def sdist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sdist")
    subprocess.run(["make", "-s", "-C", str(REPO), "sdist", f"DIST={out}"], check=True,
                   capture_output=True)
    (archive,) = out.glob("ppocr_native-*.tar.gz")
    return archive


@pytest.fixture(scope="module")
def unpacked(sdist, tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("src")
    with tarfile.open(sdist) as tar:
        tar.extractall(dest, filter="data")
    (root,) = dest.iterdir()
    return root


def _configure(source: Path, build: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "cmake"), "-S", str(source), "-B", str(build), "-G", "Ninja",
         f"-DCMAKE_MAKE_PROGRAM={BIN / 'ninja'}", f"-DPython_EXECUTABLE={sys.executable}",
         f"-Dpybind11_DIR={subprocess.check_output([sys.executable, '-m', 'pybind11', '--cmakedir'], text=True).strip()}",
         *args],
        capture_output=True, text=True, timeout=120)


def test_sdist_holds_every_tracked_source(sdist, unpacked):
    tracked = subprocess.run(
        ["git", "ls-files", "CMakeLists.txt", "pyproject.toml", "README.md", "cmake", "cpp",
         "python", "third_party", "examples", "tests"],
        cwd=REPO, check=True, capture_output=True, text=True).stdout.split()
    assert "cpp/src/pipeline.cc" in tracked
    missing = [f for f in tracked if not (unpacked / f).is_file()]
    assert not missing, missing
    with tarfile.open(sdist) as tar:
        names = [n.split("/", 1)[1] for n in tar.getnames() if "/" in n]
    unwanted = [n for n in names if n.startswith((".ci", "benchmarks/results", "build/",
                                                  ".venv", "dist/", ".stamps"))]
    assert not unwanted, unwanted


def test_sdist_configures(unpacked, tmp_path):
    run = _configure(unpacked, tmp_path / "build")
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert (tmp_path / "build" / "build.ninja").is_file()


def test_pip_build_without_system_packages_names_them(sdist, tmp_path):
    env = dict(os.environ, CMAKE_ARGS="-DCMAKE_IGNORE_PREFIX_PATH=/usr")
    run = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps",
         "--disable-pip-version-check", "-w", str(tmp_path), str(sdist)],
        env=env, capture_output=True, text=True, timeout=300)
    out = " ".join((run.stdout + run.stderr).split())  # CMake wraps long message lines
    assert run.returncode != 0
    assert ALL_PACKAGES + " (" in out, out[-3000:]
    assert "The prebuilt ppocr-native wheel needs none of them" in out


def test_only_the_missing_package_is_named(unpacked, tmp_path):
    run = _configure(unpacked, tmp_path / "build", "-DCMAKE_IGNORE_PATH=/usr/include/polyclipping")
    err = " ".join(run.stderr.split())
    assert run.returncode != 0
    assert "sudo apt-get install libpolyclipping-dev (" in err, err[-3000:]
