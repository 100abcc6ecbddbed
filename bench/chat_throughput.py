"""Chat messages per second from visitor sockets to a counsellor's socket, and latency.

Runs `eguidance serve` on the embedded default (SQLite, in-process fan-out) and
a bare python-socketio relay (bench/bare_socketio.py) in the same run, drives
both with the same real Socket.IO clients, and prints each figure beside the
baseline as a ratio.

    .venv/bin/python bench/chat_throughput.py [--visitors 50] [--messages 40]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import socketio

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.server import ServerProcess, free_port

PASSWORD = "bench-password-1"


@dataclass
class Result:
    rate: float
    p50_ms: float
    p99_ms: float
    count: int


class Receiver:
    """The counsellor's socket: notes when each marked message arrives."""

    def __init__(self, expected: int) -> None:
        self.arrived: dict[str, float] = {}
        self.all_arrived = asyncio.Event()
        self.client = socketio.AsyncClient(reconnection=False)

        async def created(data: dict[str, Any]) -> None:
            if data["message"].get("direction", "in") != "in":
                return  # the bot's answers are not what is measured
            self.arrived[data["message"]["text"]] = time.perf_counter()
            if len(self.arrived) >= expected:
                self.all_arrived.set()

        self.client.on("message.created", created, namespace="/inbox")


async def connect_visitors(url: str, n: int) -> list[socketio.AsyncClient]:
    visitors = []
    for _ in range(n):
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(url, namespaces=["/chat"], transports=["websocket"], wait_timeout=10)
        visitors.append(client)
    return visitors


async def drive(
    url: str, token: str | None, visitors: int, messages: int, interval_s: float
) -> Result:
    """Each visitor sends `messages`, one every interval_s (0: as fast as acks allow)."""
    receiver = Receiver(visitors * messages)
    await receiver.client.connect(
        url,
        namespaces=["/inbox"],
        auth={"token": token or ""},
        transports=["websocket"],
        wait_timeout=10,
    )
    clients = await connect_visitors(url, visitors)
    sent: dict[str, float] = {}

    async def visitor(client: socketio.AsyncClient, index: int) -> None:
        await asyncio.sleep(interval_s * index / max(visitors, 1))
        for n in range(messages):
            marker = f"v{index}-m{n}-{uuid.uuid4().hex[:6]}"
            started = time.perf_counter()
            sent[marker] = started
            await client.call(
                "message", {"client_id": marker, "text": marker}, namespace="/chat", timeout=30
            )
            if interval_s:
                await asyncio.sleep(max(0.0, interval_s - (time.perf_counter() - started)))

    began = time.perf_counter()
    await asyncio.gather(*(visitor(c, i) for i, c in enumerate(clients)))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(receiver.all_arrived.wait(), 30)
    elapsed = max(receiver.arrived.values(), default=began) - began
    latencies = sorted((receiver.arrived[m] - sent[m]) * 1000 for m in receiver.arrived)
    for client in [*clients, receiver.client]:
        await client.disconnect()
    if len(latencies) < len(sent):
        print(f"  warning: {len(sent) - len(latencies)} messages never arrived")
    return Result(
        len(latencies) / elapsed if elapsed else 0.0,
        statistics.median(latencies),
        latencies[int(len(latencies) * 0.99) - 1],
        len(latencies),
    )


async def login(url: str) -> str:
    async with (
        aiohttp.ClientSession(url) as http,
        http.post(
            "/api/auth/login", json={"email": "bench@example.org", "password": PASSWORD}
        ) as r,
    ):
        return str((await r.json())["token"])


def start_baseline() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("bare_socketio.py")), str(port)]
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            import urllib.request

            urllib.request.urlopen(url + "/healthz", timeout=1)
            return process, url
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("baseline server did not start")


async def measure(url: str, token: str | None, args: argparse.Namespace) -> tuple[Result, Result]:
    await drive(url, token, 5, 5, 0)  # warm up
    peak = await drive(url, token, args.visitors, args.messages, 0)
    half_rate = peak.rate / 2
    paced = await drive(url, token, args.visitors, args.messages, args.visitors / half_rate)
    return peak, paced


def report(name: str, ours: float, base: float, unit: str) -> None:
    ratio = ours / base if base else float("nan")
    print(f"{name:<34} {ours:>10.1f} {unit:<6} baseline {base:>10.1f} {unit:<6} ratio {ratio:.2f}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--visitors", type=int, default=50)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument(
        "--no-triage",
        action="store_true",
        help="measure without the triage engine (EGUIDANCE_TRIAGE__ENABLED=false)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {"EGUIDANCE_OPENING_HOURS__MODE": "always_open"}
        if args.no_triage:
            env["EGUIDANCE_TRIAGE__ENABLED"] = "false"
        node = ServerProcess(Path(tmp), env, name="bench")
        node.add_user("bench@example.org", PASSWORD)
        node.start()
        baseline, base_url = start_baseline()
        try:
            ours_peak, ours_paced = await measure(node.url, await login(node.url), args)
            base_peak, base_paced = await measure(base_url, None, args)
        finally:
            node.stop()
            baseline.terminate()
    print(
        f"\n{args.visitors} visitors x {args.messages} messages, visitor socket -> stored "
        f"-> counsellor socket (embedded default: SQLite, in-process fan-out)"
    )
    report("peak throughput", ours_peak.rate, base_peak.rate, "msg/s")
    report("p50 latency at peak", ours_peak.p50_ms, base_peak.p50_ms, "ms")
    report("p99 latency at peak", ours_peak.p99_ms, base_peak.p99_ms, "ms")
    print(
        f"paced at half of each one's peak ({ours_paced.rate:.0f} and {base_paced.rate:.0f} msg/s):"
    )
    report("p50 latency at half rate", ours_paced.p50_ms, base_paced.p50_ms, "ms")
    report("p99 latency at half rate", ours_paced.p99_ms, base_paced.p99_ms, "ms")


if __name__ == "__main__":
    asyncio.run(main())
