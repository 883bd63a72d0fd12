"""Schema field types refuse what the database could not store."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from bitcup_runtime import security
from bitcup_runtime.crud import escape_like, sort_order
from bitcup_runtime.pagination import clamp_page_size
from bitcup_runtime.types import Email, JsonValue, Text, Url, UtcDatetime, WallTime


class Sample(BaseModel):
    text: Text | None = None
    at: UtcDatetime | None = None
    data: JsonValue = None
    url: Url | None = None
    email: Email | None = None
    at_time: WallTime | None = None


@pytest.mark.parametrize(
    "payload",
    [
        {"text": "a\x00b"},
        {"text": "lone \ud800 surrogate"},
        {"data": {"k": "a\x00"}},
        {"data": [float("nan")]},
        {"data": 2**70},
        {"url": "not a url"},
        {"email": "nope"},
        {"at": "9999-12-31T23:00:00-05:00"},
    ],
)
def test_rejects(payload: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Sample.model_validate(payload)


def test_datetimes_are_utc_with_offset() -> None:
    eastern = timezone(timedelta(hours=-5))
    sample = Sample.model_validate({"at": datetime(2024, 1, 1, 10, tzinfo=eastern)})
    assert sample.model_dump(mode="json")["at"] == "2024-01-01T15:00:00+00:00"
    naive = Sample.model_validate({"at": "2024-01-01T10:00:00"})
    assert naive.model_dump(mode="json")["at"] == "2024-01-01T10:00:00+00:00"


def test_times_drop_their_offset() -> None:
    sample = Sample.model_validate({"at_time": "12:30:00+05:00"})
    assert sample.at_time is not None and sample.at_time.tzinfo is None


def test_email_is_lower_case() -> None:
    assert Sample.model_validate({"email": "Ann@Example.COM"}).email == "ann@example.com"


def test_passwords_and_tokens() -> None:
    hashed = security.hash_password("s3cret")
    assert hashed != "s3cret"
    assert security.verify_password("s3cret", hashed)
    assert not security.verify_password("wrong", hashed)
    assert not security.verify_password("s3cret", "garbage")
    token = security.encode_token("00000000-0000-0000-0000-000000000001", "k" * 32, 60)
    assert str(security.decode_token(token, "k" * 32)) == "00000000-0000-0000-0000-000000000001"
    assert security.decode_token(token, "o" * 32) is None
    assert security.decode_token(security.encode_token("x", "k" * 32, -10), "k" * 32) is None


def test_lists() -> None:
    assert escape_like("50%_\\") == "50\\%\\_\\\\"
    assert clamp_page_size(None, 20) == 20
    assert clamp_page_size(1000, 20) == 100
    with pytest.raises(Exception) as raised:
        sort_order("nope", {"name": object()}, [])
    assert getattr(raised.value, "status_code", None) == 422
