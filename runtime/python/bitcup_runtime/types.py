"""Annotated field types for generated schemas: what the database can store.

Every value that reaches SQL is checked here first, so bad input answers 422
instead of a database error: NUL characters (PostgreSQL refuses them),
datetimes normalised to UTC with an offset, non-finite numbers in JSON.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, time
from typing import Annotated, Any

from pydantic import AfterValidator, AnyHttpUrl, EmailStr, PlainSerializer, TypeAdapter

INT32_MIN = -(2**31)
INT32_MAX = 2**31 - 1
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
JSON_MAX_DEPTH = 64


def no_nul(value: str) -> str:
    """Text both databases can store: no NUL, no lone surrogate (not UTF-8)."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if not storable(value):
        raise ValueError("must be valid Unicode text")
    return value


def storable(value: str) -> bool:
    """Whether a string can be stored as is (no NUL, encodable as UTF-8)."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def to_utc(value: datetime) -> datetime:
    """Naive datetimes are UTC; aware ones are converted to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError) as error:
        raise ValueError("datetime out of range") from error


def wall_time(value: time) -> time:
    """`time` columns hold a wall-clock time: an offset, if sent, is dropped."""
    return value.replace(tzinfo=None)


def iso_utc(value: datetime) -> str:
    return to_utc(value).isoformat()


def check_json(value: Any) -> Any:
    """JSON both databases can store: no NUL, no NaN/Infinity, bounded depth."""
    _check_json(value, 0)
    return value


def _check_json(value: Any, depth: int) -> None:
    if depth > JSON_MAX_DEPTH:
        raise ValueError("JSON nested too deeply")
    if isinstance(value, str):
        no_nul(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("numbers must be finite")
    elif isinstance(value, int) and not isinstance(value, bool):
        if not INT64_MIN <= value <= INT64_MAX:
            raise ValueError("number out of range")
    elif isinstance(value, dict):
        for key, item in value.items():  # pyright: ignore[reportUnknownVariableType]
            no_nul(str(key))  # pyright: ignore[reportUnknownArgumentType]
            _check_json(item, depth + 1)
    elif isinstance(value, list):
        for item in value:  # pyright: ignore[reportUnknownVariableType]
            _check_json(item, depth + 1)


_url_adapter: TypeAdapter[AnyHttpUrl] = TypeAdapter(AnyHttpUrl)


def check_url(value: str) -> str:
    no_nul(value)
    _url_adapter.validate_python(value)
    return value


def lower_email(value: str) -> str:
    return no_nul(value).lower()


Text = Annotated[str, AfterValidator(no_nul)]
UtcDatetime = Annotated[datetime, AfterValidator(to_utc), PlainSerializer(iso_utc, return_type=str)]
JsonValue = Annotated[Any, AfterValidator(check_json)]
WallTime = Annotated[time, AfterValidator(wall_time)]
Url = Annotated[str, AfterValidator(check_url)]
Email = Annotated[EmailStr, AfterValidator(lower_email)]
