"""Null semantics of the SQL rule helpers, checked on a real SQLite database."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import ForeignKey, String, Uuid, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bitcup_runtime import rules as rt


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "people"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str | None] = mapped_column(String(50))
    boss_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("people.id"))


@pytest.fixture
async def session() -> AsyncIterator[AsyncSession]:
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with async_sessionmaker(engine, expire_on_commit=False)() as db:
        yield db
    await engine.dispose()


async def names(session: AsyncSession, clause: Any) -> list[str | None]:
    rows = await session.execute(select(Person.name).where(rt.truthy(clause)).order_by(Person.name))
    return [row[0] for row in rows]


async def seed(session: AsyncSession) -> tuple[Person, Person, Person]:
    top = Person(name="top")
    mid = Person(name="mid")
    anon = Person(name=None)
    session.add_all([top, mid, anon])
    await session.flush()
    mid.boss_id = top.id
    anon.boss_id = mid.id
    await session.flush()
    return top, mid, anon


async def test_comparison_with_null_is_false(session: AsyncSession) -> None:
    await seed(session)
    assert await names(session, rt.ne(Person.name, "top")) == ["mid"]
    assert await names(session, rt.negate(rt.eq(Person.name, "top"))) == [None, "mid"]
    assert await names(session, rt.is_null(Person.name)) == [None]


async def test_bound_null_never_matches(session: AsyncSession) -> None:
    await seed(session)
    nobody = rt.param(None, "uuid")
    assert await names(session, rt.eq(Person.boss_id, nobody)) == []
    assert await names(session, rt.ne(Person.boss_id, nobody)) == []


async def test_multi_hop_paths(session: AsyncSession) -> None:
    top, _mid, _anon = await seed(session)
    boss_of_boss = rt.hop(Person, "boss_id", Person.boss_id)
    assert await names(session, rt.eq(boss_of_boss, rt.param(top.id, "uuid"))) == [None]
    assert await names(session, rt.eq(rt.hop(Person, "name", Person.boss_id), "top")) == ["mid"]


async def test_counts_and_division(session: AsyncSession) -> None:
    await seed(session)
    reports = rt.count_children(Person, "boss_id", Person.id)
    assert await names(session, rt.gt(reports, 0)) == ["mid", "top"]
    assert await names(session, rt.gt(rt.div(1, rt.param(0, "int")), 0)) == []


async def test_holds_and_first_failing(session: AsyncSession) -> None:
    top, _mid, anon = await seed(session)
    assert await rt.holds(session, Person, top.id, rt.eq(Person.name, "top"))
    assert not await rt.holds(session, Person, anon.id, rt.eq(Person.name, "top"))
    checks = [rt.not_null(Person.boss_id), rt.not_null(Person.name)]
    assert await rt.first_failing(session, Person, top.id, checks) == 0
    assert await rt.first_failing(session, Person, anon.id, checks) == 1
    assert await rt.first_failing(session, Person, uuid.uuid4(), checks) == 0


async def test_in_and_matches(session: AsyncSession) -> None:
    await seed(session)
    assert await names(session, rt.in_(Person.name, ["top", "x"])) == ["top"]
    assert await names(session, rt.matches(Person.name, "^m")) == ["mid"]


async def test_deep_paths_correlate_to_the_outer_row(session: AsyncSession) -> None:
    """Each row sees its own grand-boss, with several rows (not the first row's)."""
    people = {name: Person(name=name) for name in "abcdef"}
    session.add_all(people.values())
    await session.flush()
    for child, boss in [("a", "b"), ("b", "c"), ("d", "e"), ("e", "f")]:
        people[child].boss_id = people[boss].id
    await session.flush()
    grand_boss = rt.hop(Person, "name", rt.hop(Person, "boss_id", Person.boss_id))
    rows = await session.execute(select(Person.name, grand_boss).order_by(Person.name))
    assert [tuple(row) for row in rows] == [
        ("a", "c"),
        ("b", None),
        ("c", None),
        ("d", "f"),
        ("e", None),
        ("f", None),
    ]
    assert await names(session, rt.eq(grand_boss, "f")) == ["d"]
    # a count two levels deep: how many share my boss (so: I have a boss)
    siblings = rt.count_children(Person, "boss_id", rt.hop(Person, "boss_id", Person.id))
    assert await names(session, rt.gt(siblings, 0)) == ["a", "b", "d", "e"]
    assert await names(session, rt.gt(siblings, 1)) == []
