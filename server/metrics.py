"""Prometheus metrics, one registry per app (no module-level singletons)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.received = Counter(
            "eguidance_messages_received_total",
            "Inbound messages stored",
            ["channel"],
            registry=self.registry,
        )
        self.duplicates = Counter(
            "eguidance_messages_duplicate_total",
            "Inbound deliveries already stored",
            ["channel"],
            registry=self.registry,
        )
        self.sent = Counter(
            "eguidance_messages_sent_total",
            "Outbound messages sent",
            ["channel"],
            registry=self.registry,
        )
        self.send_failures = Counter(
            "eguidance_send_failures_total",
            "Outbound attempts that failed",
            ["channel"],
            registry=self.registry,
        )
        self.queue_waiting = Gauge(
            "eguidance_queue_waiting", "Conversations waiting", registry=self.registry
        )
        self.queue_urgent = Gauge(
            "eguidance_queue_urgent_waiting", "Urgent conversations waiting", registry=self.registry
        )
        self.http_latency = Histogram(
            "eguidance_http_request_seconds",
            "HTTP request latency",
            ["route"],
            registry=self.registry,
        )
        self.sockets = Gauge(
            "eguidance_sockets",
            "Connected sockets on this node",
            ["namespace"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
