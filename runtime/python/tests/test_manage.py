"""Operator helpers: values converted by column type, passwords hashed, emails lower-cased."""

from __future__ import annotations

import enum
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import Boolean, DateTime, Enum, Numeric, String, Uuid, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bitcup_runtime.manage import ModelSpec, convert, parse_assignments, seed
from bitcup_runtime.security import verify_password


class Base(DeclarativeBase):
    pass


class Level(enum.StrEnum):
    low = "low"
    high = "high"


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    balance: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(0))
    level: Mapped[Level] = mapped_column(Enum(Level, native_enum=False), default=Level.low)
    joined: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


SPEC = ModelSpec(
    Account,
    {
        "email": "email",
        "isStaff": "is_staff",
        "balance": "balance",
        "level": "level",
        "joined": "joined",
        "passwordHash": "password_hash",
    },
    passwords=["password_hash"],
    lowercase=["email"],
)


@pytest.fixture
async def session() -> AsyncIterator[AsyncSession]:
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with async_sessionmaker(engine, expire_on_commit=False)() as db:
        yield db
    await engine.dispose()


def test_convert_by_column_type() -> None:
    assert convert(Account, "is_staff", "true") is True
    assert convert(Account, "is_staff", "0") is False
    assert convert(Account, "balance", "12.50") == Decimal("12.50")
    assert convert(Account, "level", "high") is Level.high
    joined = convert(Account, "joined", "2024-01-01T10:00:00+02:00")
    assert joined.isoformat() == "2024-01-01T08:00:00+00:00"
    assert parse_assignments(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(ValueError):
        parse_assignments(["nope"])


async def test_fill_hook(session: AsyncSession) -> None:
    async def fill(_session: AsyncSession, row: Account) -> None:
        if row.balance is None:
            row.balance = Decimal("9.99")

    spec = ModelSpec(Account, SPEC.fields, passwords=SPEC.passwords, fill=fill)
    await seed(
        session, {"Account": spec}, {"Account": [{"email": "b@example.com", "password": "x"}]}
    )
    account = (await session.execute(select(Account))).scalars().one()
    assert account.balance == Decimal("9.99")


async def test_seed(session: AsyncSession) -> None:
    rows = {
        "Account": [{"email": "Ann@Example.com", "password": "pw", "isStaff": True, "balance": 5}]
    }
    assert await seed(session, {"Account": SPEC}, rows) == 1
    account = (await session.execute(select(Account))).scalars().one()
    assert account.email == "ann@example.com"
    assert account.is_staff is True
    assert verify_password("pw", account.password_hash)
    with pytest.raises(ValueError):
        await seed(session, {"Account": SPEC}, {"Nope": []})
    with pytest.raises(ValueError):
        await seed(session, {"Account": SPEC}, {"Account": [{"unknown": 1}]})
