"""The list envelope every collection endpoint answers."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")

MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(
        validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    items: list[T]
    total: int
    page: int
    page_size: int = Field(alias="pageSize")


def clamp_page_size(size: int | None, default: int) -> int:
    """The view's page size by default, never more than MAX_PAGE_SIZE."""
    if size is None:
        return default
    return max(1, min(size, MAX_PAGE_SIZE))


def offset_of(page: int, size: int) -> int:
    return (page - 1) * size
