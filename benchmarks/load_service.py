"""Load test for `ppocr serve`: N concurrent clients for T seconds on loopback.

    .venv/bin/python benchmarks/load_service.py --clients 50 --seconds 300
    .venv/bin/python benchmarks/load_service.py --clients 4 --seconds 10     # CI smoke

Starts its own server (`ppocr serve` on 127.0.0.1, a free port) unless --url is given, sends
the sample image (base64) from every client in a loop, and prints requests/s, p50/p95/p99
latency, error count and the server's RSS at start (after warm-up) and end. Bounded: every
client stops at the deadline, every request has a timeout, the server is always stopped.
Only loopback addresses are ever contacted. Writes JSON to benchmarks/results/ (--json).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Dict, List, Optional

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tests" / "assets" / "sample.png"
REQUEST_TIMEOUT_S = 120


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn workers), in MB."""
    total = 0
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def post(url: str, body: bytes) -> Dict:
    req = urllib.request.Request(url + "/ocr", data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_S) as resp:
        return json.load(resp)


def wait_healthy(url: str, proc: Optional[subprocess.Popen], timeout_s: float = 180) -> None:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=5) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise RuntimeError("server did not become healthy")


def start_server(port: int, workers: int, threads: int, queue_size: int) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "ppocr_native.cli", "serve", "--host", "127.0.0.1",
           "--port", str(port), "--workers", str(workers), "--cpu_threads", str(threads),
           "--queue_size", str(queue_size)]
    return subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def run_clients(url: str, body: bytes, clients: int, seconds: float, expected: List[str]):
    deadline = time.time() + seconds
    latencies: List[float] = []
    errors: Dict[str, int] = {}
    lock = threading.Lock()

    def client() -> None:
        while time.time() < deadline:
            start = time.perf_counter()
            try:
                out = post(url, body)
                ok = out["result"]["ocrResults"][0]["prunedResult"]["rec_texts"] == expected
                kind = None if ok else "wrong result"
            except urllib.error.HTTPError as err:
                kind = f"HTTP {err.code}"
            except Exception as err:  # network errors are counted, not raised
                kind = type(err).__name__
            elapsed = time.perf_counter() - start
            with lock:
                if kind is None:
                    latencies.append(elapsed)
                else:
                    errors[kind] = errors.get(kind, 0) + 1
                    time.sleep(0.05)  # a failing server is not hammered in a tight loop

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + REQUEST_TIMEOUT_S + 10)
    return latencies, errors


def percentile(values: List[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--warmup", type=float, default=10, help="seconds before RSS 'start'")
    parser.add_argument("--url", default=None, help="an already running server (loopback only)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=2, help="cpu_threads of the server")
    parser.add_argument("--queue_size", type=int, default=64)
    parser.add_argument("--json", default=str(REPO / "benchmarks" / "results" / "load_service.json"))
    args = parser.parse_args(argv)

    if args.url and not args.url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        parser.error("--url must be a loopback address")
    body = json.dumps({"file": base64.b64encode(SAMPLE.read_bytes()).decode("ascii"),
                       "fileType": 1, "visualize": False,
                       "useDocOrientationClassify": False}).encode()
    proc = None
    url = args.url
    if url is None:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        proc = start_server(port, args.workers, args.threads, args.queue_size)
    try:
        wait_healthy(url, proc)
        expected = post(url, body)["result"]["ocrResults"][0]["prunedResult"]["rec_texts"]
        run_clients(url, body, max(1, args.clients // 5), args.warmup, expected)  # warm-up
        rss_start = rss_mb(proc.pid) if proc else float("nan")
        t0 = time.perf_counter()
        latencies, errors = run_clients(url, body, args.clients, args.seconds, expected)
        wall = time.perf_counter() - t0
        rss_end = rss_mb(proc.pid) if proc else float("nan")
        alive = proc is None or proc.poll() is None
    finally:
        if proc is not None:
            stop_server(proc)

    report = {
        "clients": args.clients, "seconds": args.seconds, "workers": args.workers,
        "cpu_threads": args.threads, "requests_ok": len(latencies),
        "requests_per_s": len(latencies) / wall, "errors": errors,
        "error_count": sum(errors.values()),
        "p50_s": percentile(latencies, 50), "p95_s": percentile(latencies, 95),
        "p99_s": percentile(latencies, 99),
        "mean_s": statistics.fmean(latencies) if latencies else float("nan"),
        "server_rss_start_mb": rss_start, "server_rss_end_mb": rss_end,
        "rss_change_pct": 100 * (rss_end - rss_start) / rss_start if rss_start else float("nan"),
        "server_alive_at_end": alive, "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    rows = [("clients x seconds", f"{args.clients} x {args.seconds:g}"),
            ("requests ok", report["requests_ok"]),
            ("requests/s", f"{report['requests_per_s']:.2f}"),
            ("p50 / p95 / p99 latency [s]",
             f"{report['p50_s']:.2f} / {report['p95_s']:.2f} / {report['p99_s']:.2f}"),
            ("errors", f"{report['error_count']} {errors or ''}"),
            ("server RSS start / end [MB]", f"{rss_start:.0f} / {rss_end:.0f} "
                                            f"({report['rss_change_pct']:+.1f} %)")]
    for name, value in rows:
        print(f"{name:30} {value}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=1))
    return 0 if report["error_count"] == 0 and alive else 1


if __name__ == "__main__":
    sys.exit(main())
