"""SQL forms of BITCUP expressions, with the language's null semantics.

A comparison in which either side is NULL is false (COALESCE(..., false)),
except against the literal `null`; a NULL boolean counts as false, also
under `not`. Paths through to-one relations become correlated scalar
subqueries over an alias per hop, so a path through NULL is NULL and
self-references stay correct. Every rule (read filters, permissions, checks,
guards) is evaluated by the database with these helpers, so the API and the
list queries can never disagree.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, TypeAlias

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    String,
    Table,
    Time,
    Uuid,
    and_,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.types import TypeEngine

Expr: TypeAlias = ColumnElement[Any]

_TYPES: dict[str, TypeEngine[Any]] = {
    "string": String(),
    "int": Integer(),
    "bigint": BigInteger(),
    "float": Float(),
    "decimal": Numeric(),
    "bool": Boolean(),
    "date": Date(),
    "datetime": DateTime(timezone=True),
    "time": Time(),
    "uuid": Uuid(),
    "json": JSON(),
}


def param(value: Any, kind: str) -> Expr:
    """A Python value bound as a typed SQL parameter.

    None stays a bound NULL (never `IS NULL`), so comparing with it is false.
    """
    if isinstance(value, bool):
        return true() if value else false()
    return literal(value, _TYPES.get(kind, String()))


def utcnow() -> datetime:
    return datetime.now(UTC)


def now() -> Expr:
    return literal(utcnow(), DateTime(timezone=True))


def truthy(value: Any) -> Expr:
    """A boolean where NULL counts as false."""
    return func.coalesce(value, false())


def eq(left: Any, right: Any) -> Expr:
    return func.coalesce(left == right, false())


def ne(left: Any, right: Any) -> Expr:
    return func.coalesce(left != right, false())


def lt(left: Any, right: Any) -> Expr:
    return func.coalesce(left < right, false())


def le(left: Any, right: Any) -> Expr:
    return func.coalesce(left <= right, false())


def gt(left: Any, right: Any) -> Expr:
    return func.coalesce(left > right, false())


def ge(left: Any, right: Any) -> Expr:
    return func.coalesce(left >= right, false())


def is_null(value: Any) -> Expr:
    return value.is_(None)


def not_null(value: Any) -> Expr:
    return value.is_not(None)


def all_of(*items: Any) -> Expr:
    return and_(*[truthy(item) for item in items])


def any_of(*items: Any) -> Expr:
    return or_(*[truthy(item) for item in items])


def negate(value: Any) -> Expr:
    return not_(truthy(value))


def in_(value: Any, options: list[Any]) -> Expr:
    return func.coalesce(value.in_(options), false())


def add(left: Any, right: Any) -> Expr:
    return left + right


def sub(left: Any, right: Any) -> Expr:
    return left - right


def mul(left: Any, right: Any) -> Expr:
    return left * right


def neg(value: Any) -> Expr:
    return -value


def div(left: Any, right: Any) -> Expr:
    """Division by zero is NULL (and so false in a comparison), never an error."""
    return left / func.nullif(right, 0)


def matches(value: Any, pattern: str) -> Expr:
    return func.coalesce(value.regexp_match(pattern), false())


def hop(model: Any, attribute: str, key: Any) -> Expr:
    """The `attribute` of the `model` row whose id is `key` (NULL when none).

    Every table but the hop's own alias is correlated to the enclosing
    queries at any depth: auto-correlation only looks one level up, which
    would make a deep path's root table a FROM of its own (a cross join).
    """
    alias = aliased(model)
    column = getattr(alias, attribute)
    return select(column).where(alias.id == key).correlate_except(alias).scalar_subquery()


def hop_back(model: Any, foreign_key: str, key: Any) -> Expr:
    """The id of the `model` row whose `foreign_key` is `key` (one-to-one inverse)."""
    alias = aliased(model)
    column = getattr(alias, foreign_key)
    return select(alias.id).where(column == key).limit(1).correlate_except(alias).scalar_subquery()


def count_children(model: Any, foreign_key: str, key: Any) -> Expr:
    """How many `model` rows point at `key` through `foreign_key`."""
    alias = aliased(model)
    column = getattr(alias, foreign_key)
    query = select(func.count()).select_from(alias).where(column == key)
    return query.correlate_except(alias).scalar_subquery()


def count_links(table: Table, column: str, key: Any) -> Expr:
    """How many rows of a many-to-many join table hold `key` in `column`."""
    query = select(func.count()).select_from(table).where(table.c[column] == key)
    return query.correlate_except(table).scalar_subquery()


async def holds(session: AsyncSession, model: Any, row_id: uuid.UUID, clause: Any) -> bool:
    """Whether `clause` is true for the stored row `row_id`."""
    query = select(literal(1)).select_from(model).where(model.id == row_id, truthy(clause))
    return (await session.execute(query)).first() is not None


async def first_failing(
    session: AsyncSession, model: Any, row_id: uuid.UUID, clauses: list[Any]
) -> int | None:
    """Index of the first clause that is false for the stored row, or None."""
    if not clauses:
        return None
    query = select(*[truthy(c) for c in clauses]).select_from(model).where(model.id == row_id)
    row = (await session.execute(query)).first()
    if row is None:
        return 0
    for index, value in enumerate(row):
        if not value:
            return index
    return None


async def evaluate(
    session: AsyncSession, value: Any, model: Any = None, row_id: uuid.UUID | None = None
) -> Any:
    """The value of an expression, over the stored row `row_id` when given."""
    query = select(value)
    if model is not None:
        query = query.select_from(model).where(model.id == row_id)
    return (await session.execute(query)).scalar()


async def evaluate_bool(
    session: AsyncSession, value: Any, model: Any = None, row_id: uuid.UUID | None = None
) -> bool:
    return bool(await evaluate(session, truthy(value), model, row_id))


def rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE matched (CursorResult.rowcount)."""
    return int(getattr(result, "rowcount", 0) or 0)
