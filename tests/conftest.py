from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import services


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    url = services.create_pg_database()
    yield url
    services.drop_pg_database(url)


@pytest.fixture
def redis_url() -> str:
    return services.check_redis()
