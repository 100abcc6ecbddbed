"""The referral directory (config/services.toml) and choosing a service."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


@dataclass(frozen=True)
class Service:
    id: str
    kind: str  # a refer_to value
    name: str
    address: str
    phone: str
    slots: tuple[str, ...]
    municipality: str = ""
    region: str = ""
    postcodes: tuple[tuple[int, int], ...] = ()
    age_min: int = 0
    age_max: int = 200
    default: bool = False

    def serves_postcode(self, postcode: int) -> bool:
        return any(low <= postcode <= high for low, high in self.postcodes)

    def serves_age(self, age: int | None) -> bool:
        return age is None or self.age_min <= age <= self.age_max


def _ranges(values: list[str]) -> tuple[tuple[int, int], ...]:
    ranges: list[tuple[int, int]] = []
    for value in values:
        low, _, high = str(value).partition("-")
        ranges.append((int(low), int(high or low)))
    return tuple(ranges)


def _service(data: dict[str, Any]) -> Service:
    return Service(
        id=data["id"],
        kind=data["kind"],
        name=data["name"],
        address=data["address"],
        phone=data["phone"],
        slots=tuple(data.get("slots", [])),
        municipality=data.get("municipality", ""),
        region=data.get("region", ""),
        postcodes=_ranges(data.get("postcodes", [])),
        age_min=int(data.get("age_min", 0)),
        age_max=int(data.get("age_max", 200)),
        default=bool(data.get("default", False)),
    )


def load_services(path: Path) -> list[Service]:
    if not path.is_file():
        return []
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return [_service(item) for item in data.get("service", [])]


class HasServices(Protocol):
    services: list[Service]


def _postcode_number(postcode: str | int | None) -> int | None:
    if postcode is None:
        return None
    digits = "".join(ch for ch in str(postcode) if ch.isdigit())
    return int(digits) if len(digits) == 4 else None


def choose_service(
    config: HasServices, refer_to: str | None, age: int | None, postcode: str | int | None
) -> Service | None:
    """The service for a referral: right kind and age, the person's area first, else the default."""
    if refer_to is None:
        return None
    candidates = [s for s in config.services if s.kind == refer_to and s.serves_age(age)]
    if not candidates:
        candidates = [s for s in config.services if s.kind == refer_to]
    number = _postcode_number(postcode)
    if number is not None:
        local = [s for s in candidates if s.serves_postcode(number)]
        if local:
            return local[0]
    defaults = [s for s in candidates if s.default]
    pool = defaults or candidates
    return pool[0] if pool else None
