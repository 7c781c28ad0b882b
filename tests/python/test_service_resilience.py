"""The service under load and faults: a 10-second smoke of the load script, and a worker
killed mid-request. Servers run on 127.0.0.1 only and are always stopped."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))
import load_service  # noqa: E402


def test_load_script_smoke(tmp_path):
    """The same script as the 50-client run, for 10 s: no errors, the server stays up."""
    out = tmp_path / "load.json"
    rc = load_service.main(["--clients", "4", "--seconds", "10", "--warmup", "2",
                            "--json", str(out)])
    report = json.loads(out.read_text())
    assert rc == 0, report
    assert report["error_count"] == 0 and report["requests_ok"] > 0
    assert report["server_alive_at_end"]


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _workers(pid: int) -> list:
    """uvicorn's worker processes (not multiprocessing's resource tracker)."""
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []
    workers = []
    for child in children:
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in cmdline:
            workers.append(child)
    return workers


def test_killed_worker_loses_only_its_request(tmp_path, data_dir):
    port = load_service.free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ppocr_native.cli", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--workers", "2", "--cpu_threads", "1", "--use_doc_orientation_classify",
         "False", "--use_textline_orientation", "False"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        load_service.wait_healthy(url, proc)
        deadline = time.time() + 60
        while len(_workers(proc.pid)) < 2 and time.time() < deadline:
            time.sleep(0.5)
        workers = _workers(proc.pid)
        assert len(workers) == 2, workers
        sample = json.dumps({"file": base64.b64encode(
            (REPO / "tests" / "assets" / "sample.png").read_bytes()).decode(), "fileType": 1,
            "visualize": False}).encode()
        for _ in range(4):  # both workers warm
            load_service.post(url, sample)

        # A slow request: a big receipt, upscaled.
        big = json.dumps({"file": base64.b64encode(
            (data_dir / "wildreceipt_toy" / "1.jpeg").read_bytes()).decode(), "fileType": 1,
            "textDetLimitSideLen": 2500, "visualize": False}).encode()
        outcome = {}

        def slow():
            try:
                load_service.post(url, big)
                outcome["slow"] = "ok"
            except Exception as err:  # the killed request
                outcome["slow"] = type(err).__name__

        thread = threading.Thread(target=slow)
        before = {w: _cpu_ticks(w) for w in workers}
        thread.start()
        time.sleep(1.5)
        busy = max(workers, key=lambda w: _cpu_ticks(w) - before[w])
        os.kill(busy, signal.SIGKILL)
        thread.join(timeout=120)
        assert outcome.get("slow") not in (None, "ok"), outcome  # that request is lost...
        # ...and the service keeps answering, correctly.
        for _ in range(6):
            out = load_service.post(url, sample)
            assert out["errorCode"] == 0
            assert out["result"]["ocrResults"][0]["prunedResult"]["rec_texts"][0] == \
                "ppocr-native quick start"
        assert proc.poll() is None
    finally:
        load_service.stop_server(proc)
