"""Building blocks of generated services: lists, relation ids, partial updates."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from . import rules
from .errors import conflict, field_error, forbidden, unauthorized
from .pagination import MAX_PAGE


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def search_clause(columns: Sequence[Any], text: str | None) -> ColumnElement[bool] | None:
    """Case-insensitive substring match over `columns` (None when no text)."""
    if text is None or text.strip() == "":
        return None
    if "\x00" in text or not _encodable(text):
        raise field_error("q", "must be valid text without NUL characters", where="query")
    pattern = f"%{escape_like(text.strip().lower())}%"
    return or_(*[func.lower(column).like(pattern, escape="\\") for column in columns])


def sort_order(sort: str | None, columns: dict[str, Any], default: list[Any]) -> list[Any]:
    """`field` or `-field` over the allowed sort columns (422 otherwise)."""
    if sort is None or sort == "":
        return default
    descending = sort.startswith("-")
    name = sort[1:] if descending else sort
    column = columns.get(name)
    if column is None:
        allowed = ", ".join(sorted(columns))
        raise field_error("sort", f"cannot sort by {name!r}; use one of: {allowed}", where="query")
    return [column.desc() if descending else column.asc()]


def check_page(page: int) -> int:
    if page < 1 or page > MAX_PAGE:
        raise field_error("page", f"page must be between 1 and {MAX_PAGE}", where="query")
    return page


async def count_of(session: AsyncSession, query: Select[Any]) -> int:
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return int(total or 0)


async def load_ref(
    session: AsyncSession,
    model: Any,
    ref_id: uuid.UUID | None,
    field: str,
    readable: ColumnElement[bool] | None = None,
) -> Any:
    """The row a to-one id names; 422 naming the field when unknown or unreadable."""
    if ref_id is None:
        return None
    query = select(model).where(model.id == ref_id)
    if readable is not None:
        query = query.where(readable)
    row = (await session.execute(query)).scalars().first()
    if row is None:
        raise field_error(field, f"unknown id {ref_id}")
    return row


async def load_refs(
    session: AsyncSession,
    model: Any,
    ref_ids: Sequence[uuid.UUID],
    field: str,
    readable: ColumnElement[bool] | None = None,
) -> list[Any]:
    """The rows a many-to-many id list names, in order; 422 on any unknown id."""
    wanted = list(dict.fromkeys(ref_ids))
    if not wanted:
        return []
    query = select(model).where(model.id.in_(wanted))
    if readable is not None:
        query = query.where(readable)
    found = {row.id: row for row in (await session.execute(query)).scalars()}
    missing = [str(i) for i in wanted if i not in found]
    if missing:
        raise field_error(field, f"unknown id(s): {', '.join(missing)}")
    return [found[i] for i in wanted]


def reject_nulls(changes: dict[str, Any], required: dict[str, str]) -> None:
    """A PATCH may omit a required field but never set it to null."""
    for attribute, api_name in required.items():
        if attribute in changes and changes[attribute] is None:
            raise field_error(api_name, "may not be null")


def wrong_state(field: str, current: str, allowed: Sequence[str]) -> Exception:
    states = ", ".join(allowed)
    return conflict(f"{field} is {current}; this transition is allowed from: {states}")


async def require(
    session: AsyncSession, model: Any, row_id: uuid.UUID, clause: Any, message: str = "Not allowed"
) -> None:
    """403 unless the access clause holds for the stored row."""
    if not await rules.holds(session, model, row_id, clause):
        raise forbidden(message)


Check = tuple[str, str, Any]


async def enforce_checks(
    session: AsyncSession, model: Any, row_id: uuid.UUID, checks: Sequence[Check]
) -> None:
    """422 naming the field of the first `check` rule the stored row breaks."""
    failing = await rules.first_failing(session, model, row_id, [clause for _, _, clause in checks])
    if failing is not None:
        field, message, _ = checks[failing]
        raise field_error(field, message)


def signed_in(uid: uuid.UUID | None) -> uuid.UUID:
    """The caller's id where the operation needs one (401 otherwise)."""
    if uid is None:
        raise unauthorized()
    return uid
