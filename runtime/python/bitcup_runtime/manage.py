"""Operator commands shared by generated apps: create users and seed rows.

Models are described by the generated `app/manage.py` as specs mapping the
model's JSON names to attributes, so values are converted by column type.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from .security import hash_password
from .types import to_utc


@dataclass
class ModelSpec:
    """How JSON names map onto one model."""

    model: Any
    #: JSON name -> attribute (scalars and to-one ids)
    fields: dict[str, str]
    #: JSON name of a many-to-many id list -> (relationship attribute, target model)
    links: dict[str, tuple[str, Any]] = field(default_factory=dict)
    #: attributes holding password hashes (their plain value may be sent as `password`)
    passwords: list[str] = field(default_factory=list)
    #: attributes stored lower-case (email fields)
    lowercase: list[str] = field(default_factory=list)
    #: fills what the API computes on create (expression defaults) when not given
    fill: Callable[[AsyncSession, Any], Awaitable[None]] | None = None


def convert(model: Any, attribute: str, value: Any) -> Any:
    """Coerce a JSON or command-line value to the column's Python type."""
    if value is None:
        return None
    column = inspect(model).columns[attribute]
    try:
        python_type = column.type.python_type
    except NotImplementedError:
        return value
    if isinstance(value, python_type) and not isinstance(value, bool):
        return value
    text = str(value)
    if python_type is bool:
        if isinstance(value, bool):
            return value
        return text.strip().lower() in ("1", "true", "yes", "on")
    if python_type is int:
        return int(text)
    if python_type is float:
        return float(text)
    if python_type is Decimal:
        return Decimal(text)
    if python_type is datetime:
        return to_utc(datetime.fromisoformat(text))
    if python_type is date:
        return date.fromisoformat(text)
    if python_type is time:
        return time.fromisoformat(text)
    if python_type is uuid.UUID:
        return uuid.UUID(text)
    if issubclass(python_type, Enum):
        return python_type(text)
    if python_type in (dict, list):
        return json.loads(text) if isinstance(value, str) else value
    return text


async def build_row(session: AsyncSession, spec: ModelSpec, data: dict[str, Any]) -> Any:
    """A new row from JSON-named values (ids may be given; passwords are hashed)."""
    row = spec.model()
    row.id = uuid.UUID(str(data["id"])) if "id" in data else uuid.uuid4()
    for key, value in data.items():
        if key == "id":
            continue
        if key == "password" and spec.passwords:
            setattr(row, spec.passwords[0], hash_password(str(value)))
        elif key in spec.links:
            attribute, target = spec.links[key]
            ids = [uuid.UUID(str(v)) for v in value]
            found = list(
                (await session.execute(select(target).where(target.id.in_(ids)))).scalars()
            )
            setattr(row, attribute, found)
        elif key in spec.fields:
            attribute = spec.fields[key]
            converted = convert(spec.model, attribute, value)
            if attribute in spec.passwords and converted is not None:
                converted = hash_password(str(converted))
            elif attribute in spec.lowercase and isinstance(converted, str):
                converted = converted.lower()
            setattr(row, attribute, converted)
        else:
            raise ValueError(f"{spec.model.__name__} has no field {key!r}")
    if spec.fill is not None:
        await spec.fill(session, row)
    return row


async def seed(session: AsyncSession, specs: dict[str, ModelSpec], data: dict[str, Any]) -> int:
    """Insert rows given as {"Entity": [{...}, ...], ...}, in file order; returns the count."""
    count = 0
    for name, rows in data.items():
        spec = specs.get(name)
        if spec is None:
            raise ValueError(f"unknown entity {name!r}; expected one of {', '.join(sorted(specs))}")
        for item in rows:
            session.add(await build_row(session, spec, item))
            count += 1
        await session.flush()
    await session.commit()
    return count


def parse_assignments(pairs: list[str]) -> dict[str, str]:
    """`field=value` command-line pairs."""
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"expected field=value, got {pair!r}")
        values[key.strip()] = value
    return values
