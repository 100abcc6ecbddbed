"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis
from aiohttp import web

from server import db, keys

routes = web.RouteTableDef()


@routes.get("/favicon.ico")
async def favicon(request: web.Request) -> web.Response:
    # No icon yet; an empty answer keeps browsers from logging a 404 on every page.
    return web.Response(status=204, headers={"Cache-Control": "public, max-age=86400"})


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    checks: dict[str, str] = {}
    try:
        await db.ping(request.app[keys.engine])
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    redis_url = request.app[keys.settings].redis.url
    if redis_url:
        client = aioredis.from_url(redis_url, socket_connect_timeout=2)
        try:
            async with asyncio.timeout(2):
                await client.ping()
            checks["redis"] = "ok"
        except Exception as exc:
            checks["redis"] = f"unreachable: {type(exc).__name__}"
        finally:
            await client.aclose()
    ready = all(value == "ok" for value in checks.values())
    return web.json_response(
        {"status": "ready" if ready else "not_ready", "checks": checks},
        status=200 if ready else 503,
    )


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    items = await request.app[keys.centre].queue_items()
    registry = request.app[keys.metrics]
    registry.queue_waiting.set(len(items))
    registry.queue_urgent.set(sum(1 for item in items if item["urgent"]))
    return web.Response(
        body=registry.render(),
        content_type="text/plain",
        charset="utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )
