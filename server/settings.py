"""Settings: config/default.toml, an optional operator file, then EGUIDANCE_* variables.

Environment variables are named EGUIDANCE_<SECTION>__<KEY>; their text is read as
the type of the default it replaces (lists and tables as JSON).
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "EGUIDANCE_"
CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"


class SettingsError(ValueError):
    """A setting is missing, unknown or of the wrong type."""


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = "http://127.0.0.1:8080"
    data_dir: str = "./data"
    secret_key: str = ""
    secret_key_file: str = ""
    service_name: str = "eGuidance"
    crisis_phone: str = "70 201 201"


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = ""
    pool_size: int = 10


@dataclass(frozen=True)
class RedisSettings:
    url: str = ""
    channel: str = "eguidance"


@dataclass(frozen=True)
class ChatSettings:
    max_message_chars: int = 4000
    visitor_token_ttl_s: int = 7776000
    history_limit: int = 200


@dataclass(frozen=True)
class ConversationSettings:
    reopen_window_s: int = 86400


@dataclass(frozen=True)
class TriageSettings:
    enabled: bool = True


@dataclass(frozen=True)
class QueueSettings:
    default_handle_time_s: int = 480
    estimate_sample: int = 50


@dataclass(frozen=True)
class OutboxSettings:
    max_attempts: int = 8
    backoff_base_s: float = 2.0
    backoff_max_s: float = 300.0
    poll_interval_s: float = 2.0


@dataclass(frozen=True)
class AuthSettings:
    session_ttl_s: int = 43200
    login_attempts_per_minute: int = 10


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str = ""
    auth_token: str = ""
    from_number: str = ""
    api_base_url: str = ""
    # An API key signs the browser phone's access tokens (Twilio does not accept
    # the auth token for that); set the secret only from the environment.
    api_key_sid: str = ""
    api_key_secret: str = ""


@dataclass(frozen=True)
class EmailSettings:
    address: str = "vejledning@example.org"
    listen_host: str = "127.0.0.1"
    listen_port: int = 2525
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_tls: str = "starttls"
    max_message_bytes: int = 10 * 1024 * 1024  # larger mail is refused with 552
    max_attachment_bytes: int = 5 * 1024 * 1024  # larger attachments are noted, not kept
    # The optional IMAP source (empty imap_host: none).
    imap_host: str = ""
    imap_port: int = 993
    imap_username: str = ""
    imap_password: str = ""
    imap_tls: str = "tls"  # "tls" (IMAPS, certificate verified) | "none" (loopback only)
    imap_mailbox: str = "INBOX"
    imap_poll_interval_s: float = 60.0  # without IDLE: how often to look for new mail
    imap_idle_renew_s: float = 1500.0  # re-issue IDLE before servers drop it (RFC 2177)
    imap_reconnect_max_s: float = 300.0
    imap_timeout_s: float = 30.0


@dataclass(frozen=True)
class OpeningHoursSettings:
    mode: str = "schedule"
    timezone: str = "Europe/Copenhagen"
    schedule: Mapping[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    redis: RedisSettings = field(default_factory=RedisSettings)
    chat: ChatSettings = field(default_factory=ChatSettings)
    conversations: ConversationSettings = field(default_factory=ConversationSettings)
    queue: QueueSettings = field(default_factory=QueueSettings)
    triage: TriageSettings = field(default_factory=TriageSettings)
    outbox: OutboxSettings = field(default_factory=OutboxSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    twilio: TwilioSettings = field(default_factory=TwilioSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    opening_hours: OpeningHoursSettings = field(default_factory=OpeningHoursSettings)
    config_dir: Path = CONFIG_DIR

    @property
    def data_path(self) -> Path:
        return Path(self.server.data_dir).expanduser().resolve()


def load_settings(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
) -> Settings:
    """Build settings from the defaults, an optional file, the environment and overrides."""
    env = os.environ if environ is None else environ
    config_dir = Path(env.get(ENV_PREFIX + "CONFIG_DIR") or CONFIG_DIR)
    raw = _read_toml(config_dir / "default.toml")
    if config_file is not None:
        _merge(raw, _read_toml(config_file))
    # A variable or override replaces a whole value (a table too); files merge.
    for source in (_from_environment(env, raw), overrides or {}):
        for section, values in source.items():
            raw.setdefault(section, {}).update(values)
    sections = {
        f.name: _build_section(f.name, f.default_factory, raw.pop(f.name, {}))
        for f in dataclasses.fields(Settings)
        if f.name != "config_dir"
    }
    if raw:
        raise SettingsError(f"unknown settings section(s): {', '.join(sorted(raw))}")
    return Settings(config_dir=config_dir, **sections)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError as exc:
        raise SettingsError(f"settings file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: {exc}") from exc


def _merge(into: dict[str, Any], new: Mapping[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _from_environment(env: Mapping[str, str], raw: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, text in env.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        default = raw.get(section, {}).get(key)
        found.setdefault(section, {})[key] = _parse_env_value(name, text, default)
    return found


def _parse_env_value(name: str, text: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            if text.lower() not in {"1", "0", "true", "false", "yes", "no"}:
                raise ValueError(text)
            return text.lower() in {"1", "true", "yes"}
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
        if isinstance(default, list | dict):
            return json.loads(text)
    except ValueError as exc:
        raise SettingsError(f"{name}: cannot read {text!r} as {type(default).__name__}") from exc
    return text


def _build_section(name: str, factory: Any, values: Mapping[str, Any]) -> Any:
    section_type = type(factory())
    known = {f.name: f for f in dataclasses.fields(section_type)}
    unknown = set(values) - set(known)
    if unknown:
        raise SettingsError(f"unknown setting(s) in [{name}]: {', '.join(sorted(unknown))}")
    checked: dict[str, Any] = {}
    for key, value in values.items():
        default = getattr(section_type(), key)
        if isinstance(default, float) and isinstance(value, int):
            value = float(value)
        if not isinstance(default, Mapping) and type(value) is not type(default):
            raise SettingsError(
                f"[{name}] {key}: expected {type(default).__name__}, got {type(value).__name__}"
            )
        checked[key] = value
    return section_type(**checked)
