from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from tests.support.clients import Counsellor, Visitor
from tests.support.server import ServerProcess

PASSWORD = "correct-horse-battery"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """One node on the embedded default (SQLite, in-process fan-out)."""
    node = ServerProcess(tmp_path / "node")
    node.add_user("anna@example.org", PASSWORD, "counsellor")
    node.add_user("bo@example.org", PASSWORD, "counsellor")
    node.add_user("sara@example.org", PASSWORD, "supervisor")
    node.start()
    yield node
    node.stop()


@pytest.fixture
async def counsellors(server: ServerProcess) -> AsyncIterator[Callable[[str], Counsellor]]:
    made: list[Counsellor] = []

    def make(email: str) -> Counsellor:
        made.append(Counsellor(server.url, email, PASSWORD))
        return made[-1]

    yield make
    for counsellor in made:
        await counsellor.close()


@pytest.fixture
async def visitors(server: ServerProcess) -> AsyncIterator[Callable[..., Visitor]]:
    made: list[Visitor] = []

    def make(language: str = "da", base_url: str | None = None) -> Visitor:
        made.append(Visitor(base_url or server.url, language))
        return made[-1]

    yield make
    for visitor in made:
        await visitor.disconnect()
