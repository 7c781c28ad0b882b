"""The installed C++ library (libppocr_core + headers + CMake package) used like a consumer would.

`cmake --install` puts the `ppocr_cpp` component of the normal build (build/<wheel tag>, kept
up to date by `make install`) into a temporary prefix; separate CMake projects (examples/cpp
and tests/cpp) find it with find_package(ppocr_core CONFIG REQUIRED), are built, and their
output on tests/assets/sample.png is compared with the Python package's result.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import REPO, THREADS

SAMPLE = REPO / "tests" / "assets" / "sample.png"
BIN = Path(sys.executable).parent  # the venv's cmake and ninja


def _core_build_dir() -> Path:
    """The scikit-build-core build directory of this interpreter (build/cp311-cp311-...)."""
    tag = "cp" + sysconfig.get_config_var("py_version_nodot")
    dirs = [p.parent for p in sorted(REPO.glob(f"build/{tag}-*/CMakeCache.txt"))
            if "PPOCR_BUILD_SHARED_CORE:BOOL=ON" in p.read_text()]
    if len(dirs) != 1:
        pytest.fail(f"expected one build/{tag}-* dir with the shared core, found {dirs}: "
                    "run `make install`")
    return dirs[0]


def _env() -> dict:
    env = dict(os.environ)
    env.pop("LD_LIBRARY_PATH", None)  # the installed library must find OpenVINO on its own
    return env


def _cmake_project(source: Path, build: Path, prefix: Path) -> None:
    subprocess.run([str(BIN / "cmake"), "-S", str(source), "-B", str(build), "-G", "Ninja",
                    f"-DCMAKE_MAKE_PROGRAM={BIN / 'ninja'}", f"-DCMAKE_PREFIX_PATH={prefix}"],
                   check=True, capture_output=True, env=_env())
    subprocess.run([str(BIN / "cmake"), "--build", str(build), "-j", "2"],
                   check=True, capture_output=True, env=_env())


@pytest.fixture(scope="module")
def prefix(tmp_path_factory) -> Path:
    prefix = tmp_path_factory.mktemp("cpp") / "prefix"
    subprocess.run([str(BIN / "cmake"), "--install", str(_core_build_dir()),
                    "--component", "ppocr_cpp", "--prefix", str(prefix)],
                   check=True, capture_output=True)
    return prefix


@pytest.fixture(scope="module")
def examples(prefix, tmp_path_factory) -> Path:
    build = tmp_path_factory.mktemp("cpp") / "examples"
    _cmake_project(REPO / "examples" / "cpp", build, prefix)
    return build


@pytest.fixture(scope="module")
def api_test(prefix, tmp_path_factory) -> Path:
    build = tmp_path_factory.mktemp("cpp") / "api"
    _cmake_project(REPO / "tests" / "cpp", build, prefix)
    return build / "package_api_test"


@pytest.fixture(scope="module")
def default_models() -> dict:
    from ppocr_native.models import resolve_model

    return {kind: Path(resolve_model(kind, None, None).model_path)
            for kind in ("doc_orientation", "text_det", "textline_orientation", "text_rec")}


def _run(args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, env=_env(),
                          timeout=120, **kw)


def test_install_layout(prefix):
    lib = prefix / "lib"
    assert (lib / "libppocr_core.so").is_symlink()
    assert (lib / "libppocr_core.so.0.1").is_symlink()
    for name in ("ppocr_coreConfig.cmake", "ppocr_coreConfigVersion.cmake",
                 "ppocr_coreTargets.cmake", "FindPpocrOpenCV.cmake"):
        assert (lib / "cmake" / "ppocr_core" / name).is_file(), name
    headers = sorted(p.name for p in (prefix / "include" / "ppocr").glob("*.h"))
    assert {"pipeline.h", "result.h", "config.h", "dictionary.h", "error.h"} <= set(headers)
    # OpenVINO and Clipper are private: no public header may include them.
    for header in (prefix / "include" / "ppocr").glob("*.h"):
        includes = [line for line in header.read_text().splitlines() if "#include" in line]
        assert not [i for i in includes if "openvino" in i or "clipper" in i], (header, includes)
    # The library finds OpenVINO through its own RUNPATH (no LD_LIBRARY_PATH for users).
    dynamic = _run(["readelf", "-d", lib / "libppocr_core.so"]).stdout
    assert "Library soname: [libppocr_core.so.0.1]" in dynamic
    openvino_libs = Path(__import__("openvino").__file__).parent / "libs"
    # (readelf spells the tag "Library runpath"; paths keep their case: mktemp dirs have capitals)
    runpaths = re.findall(r"\(RUNPATH\)\s+Library runpath: \[([^\]]*)\]", dynamic)
    assert runpaths == [str(openvino_libs)], dynamic


def test_cli_matches_python(examples, default_models, ocr_default):
    m = default_models
    # Model directories as written by the model cache; dict.txt is found next to the rec model.
    run = _run([examples / "ppocr_cli", SAMPLE, "--det", m["text_det"].parent,
                "--rec", m["text_rec"].parent, "--doc-ori", m["doc_orientation"],
                "--textline-ori", m["textline_orientation"], "--threads", THREADS, "--json"])
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    want = ocr_default.predict(str(SAMPLE))[0]
    assert got["rec_texts"] == list(want["rec_texts"])
    assert len(got["rec_texts"]) >= 3
    assert got["rec_polys"] == [p.tolist() for p in want["rec_polys"]]
    assert got["rec_scores"] == pytest.approx([float(s) for s in want["rec_scores"]], abs=1e-5)
    assert got["doc_angle"] == want["doc_preprocessor_res"]["angle"]


def test_example_matches_python(examples, default_models):
    from ppocr_native import PaddleOCR

    m = default_models
    run = _run([examples / "ocr_example", m["text_det"], m["text_rec"],
                m["text_rec"].parent / "dict.txt", SAMPLE])
    assert run.returncode == 0, run.stderr
    texts = [line.split("\t", 1)[1] for line in run.stdout.splitlines()]
    want = PaddleOCR(use_doc_orientation_classify=False, use_textline_orientation=False,
                     cpu_threads=THREADS).predict(str(SAMPLE))[0]
    assert texts == list(want["rec_texts"]) and texts


def test_cli_errors(examples, default_models, tmp_path):
    usage = _run([examples / "ppocr_cli", SAMPLE])
    assert usage.returncode == 2 and "--det and --rec are required" in usage.stderr
    m = default_models
    not_png = tmp_path / "x.png"
    not_png.write_bytes(b"not a png")
    bad = _run([examples / "ppocr_cli", not_png, "--det", m["text_det"], "--rec", m["text_rec"]])
    assert bad.returncode == 1 and "ppocr_cli: error:" in bad.stderr and str(not_png) in bad.stderr


def test_buffer_api(api_test, default_models):
    m = default_models
    run = _run([api_test, "buffer", m["doc_orientation"], m["text_det"], m["text_rec"],
                m["text_rec"].parent / "dict.txt", SAMPLE])
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-1] == "OK"
    assert "null buffer -> image buffer is null" in run.stdout


@pytest.mark.parametrize("content", [
    "a\nb\nc\n",                      # plain
    "\ufeffa\r\nb\r\n \r\n",          # BOM, CRLF, a space entry already last
    "blank\nx\ny",                    # blank already first, no final newline
    "a\n\nb\n\n",                     # empty lines are entries
    "中\n文\n",                        # UTF-8
])
def test_dictionary_loader_matches_python(api_test, tmp_path, content):
    from ppocr_native.models import normalize_character_list, read_dict_file

    path = tmp_path / "dict.txt"
    path.write_bytes(content.encode("utf-8"))
    run = _run([api_test, "dict", path])
    assert run.returncode == 0, run.stderr
    got = [bytes.fromhex(line).decode("utf-8") for line in run.stdout.split("\n")[:-1]]
    assert got == list(normalize_character_list(read_dict_file(path)))


def test_dictionary_loader_real_dict_and_errors(api_test, default_models, tmp_path):
    from ppocr_native.models import resolve_model

    run = _run([api_test, "dict", default_models["text_rec"].parent / "dict.txt"])
    got = [bytes.fromhex(line).decode("utf-8") for line in run.stdout.split("\n")[:-1]]
    assert got == list(resolve_model("text_rec", None, None).character_dict)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    run = _run([api_test, "dict", empty])
    assert run.returncode == 1 and "empty character dictionary" in run.stderr
    run = _run([api_test, "dict", tmp_path / "missing.txt"])
    assert run.returncode == 1 and "cannot read dictionary file" in run.stderr
