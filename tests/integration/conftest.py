from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from server import db
from server.settings import Settings, load_settings
from tests.support import services


def settings_for(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    url = ""
    if backend == "postgresql":
        url = services.create_pg_database()
        request.addfinalizer(lambda: services.drop_pg_database(url))
    return load_settings(
        environ={},
        overrides={
            "server": {"data_dir": str(tmp_path / "data"), "secret_key": "test-secret-key"},
            "database": {"url": url},
        },
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return settings_for(request.param, tmp_path, request)


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = db.create_engine(settings)
    await db.migrate(engine)
    yield engine
    await engine.dispose()
