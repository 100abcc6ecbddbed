"""Settings of the optional IMAP source, and where it keeps its place in a mailbox.

Both are stopgaps the owner replaces (see the channel's report):
- ImapSettings reads `[email] imap_*` keys when EmailSettings has them, with these
  defaults otherwise (no host: no IMAP source).
- UidStore keeps the last delivered UID per mailbox and UIDVALIDITY in a JSON file
  under settings.data_path (STOPGAP: belongs in the database, table
  `email_imap_cursor (mailbox, uidvalidity, last_uid, updated_at)`).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
TLS_MODES = {"tls", "none"}
STATE_FILE = "email-imap-state.json"  # STOPGAP until the cursor table exists


@dataclass(frozen=True)
class ImapSettings:
    host: str = ""  # empty: no IMAP source
    port: int = 993
    username: str = ""
    password: str = ""
    tls: str = "tls"  # "tls" (IMAPS, certificate verified) | "none" (loopback tests only)
    mailbox: str = "INBOX"
    poll_interval_s: float = 60.0  # without IDLE: how often to look for new mail
    idle_renew_s: float = 25 * 60.0  # re-issue IDLE before servers drop it (RFC 2177: 29 min)
    reconnect_max_s: float = 300.0  # the longest wait between reconnection attempts
    timeout_s: float = 30.0

    @classmethod
    def from_email_settings(cls, email: Any) -> ImapSettings:
        """`imap_<name>` attributes of [email] where present, defaults elsewhere."""
        values = {
            f.name: getattr(email, f"imap_{f.name}")
            for f in fields(cls)
            if hasattr(email, f"imap_{f.name}")
        }
        return cls(**values)

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    @property
    def mailbox_key(self) -> str:
        return f"{self.username}@{self.host}:{self.port}/{self.mailbox}"

    def check(self) -> None:
        if self.tls not in TLS_MODES:
            raise ValueError(f"email.imap_tls must be one of {sorted(TLS_MODES)}, not {self.tls!r}")


class UidStore:
    """{mailbox_key: {"uidvalidity": n, "last_uid": n}} in one JSON file, written
    atomically after every delivered message."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, dict[str, int]]:
        try:
            data = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            log.exception("IMAP state %s unreadable; fetching the mailbox again", self.path)
            return {}
        return data if isinstance(data, dict) else {}

    def last_uid(self, mailbox_key: str, uidvalidity: int) -> int:
        entry = self._read().get(mailbox_key) or {}
        if entry.get("uidvalidity") != uidvalidity:
            # A new UIDVALIDITY renumbered the mailbox: start over (dedupe on
            # Message-ID makes the re-fetch harmless).
            return 0
        return int(entry.get("last_uid", 0))

    def save(self, mailbox_key: str, uidvalidity: int, last_uid: int) -> None:
        data = self._read()
        data[mailbox_key] = {"uidvalidity": uidvalidity, "last_uid": last_uid}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1, sort_keys=True))
        os.replace(temporary, self.path)
