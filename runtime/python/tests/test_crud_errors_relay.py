"""Lists, relation ids, permissions and checks (crud), HTTP error shapes and
handlers (errors), and the outbox relay core (relay), on SQLite."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import JSON, DateTime, ForeignKey, String, Uuid, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bitcup_runtime import crud, errors, relay
from bitcup_runtime import rules as rt
from bitcup_runtime.pagination import Page, clamp_page_size, offset_of
from bitcup_runtime.schemas import InputModel, OutputModel


class Base(DeclarativeBase):
    pass


class Item(Base):
    __tablename__ = "items"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(50))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("items.id"))


class Outbox(Base):
    __tablename__ = "outbox"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    event: Mapped[str] = mapped_column(String(50))
    stream: Mapped[str] = mapped_column(String(50))
    payload: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


@pytest.fixture
async def factory() -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_async_engine("sqlite+aiosqlite:///:memory:")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield async_sessionmaker(engine, expire_on_commit=False)
    await engine.dispose()


def status_of(error: BaseException) -> int:
    assert isinstance(error, HTTPException)
    return error.status_code


async def test_lists_and_refs(factory: async_sessionmaker[AsyncSession]) -> None:
    async with factory() as session:
        items = [Item(name=name) for name in ["alpha", "beta", "100%_x"]]
        session.add_all(items)
        await session.flush()
        found = crud.search_clause([Item.name], "%_")
        assert found is not None
        rows = (await session.execute(select(Item.name).where(found))).scalars().all()
        assert rows == ["100%_x"]
        assert crud.search_clause([Item.name], "  ") is None
        with pytest.raises(HTTPException) as raised:
            crud.search_clause([Item.name], "a\x00")
        assert status_of(raised.value) == 422
        order = crud.sort_order("-name", {"name": Item.name}, [])
        assert len(order) == 1
        assert crud.sort_order(None, {}, ["d"]) == ["d"]
        assert crud.check_page(3) == 3
        with pytest.raises(HTTPException):
            crud.check_page(0)
        assert await crud.count_of(session, select(Item)) == 3
        assert await crud.load_ref(session, Item, None, "parentId") is None
        assert (await crud.load_ref(session, Item, items[0].id, "parentId")).name == "alpha"
        with pytest.raises(HTTPException) as raised:
            await crud.load_ref(session, Item, items[0].id, "parentId", rt.eq(Item.name, "beta"))
        assert "parentId" in str(getattr(raised.value, "detail", ""))
        got = await crud.load_refs(session, Item, [items[1].id, items[0].id, items[1].id], "ids")
        assert [i.name for i in got] == ["beta", "alpha"]
        assert await crud.load_refs(session, Item, [], "ids") == []
        with pytest.raises(HTTPException):
            await crud.load_refs(session, Item, [uuid.uuid4()], "ids")
        crud.reject_nulls({"name": "x"}, {"name": "name"})
        with pytest.raises(HTTPException):
            crud.reject_nulls({"name": None}, {"name": "name"})
        assert status_of(crud.wrong_state("status", "draft", ["placed"])) == 409
        await crud.require(session, Item, items[0].id, rt.eq(Item.name, "alpha"))
        with pytest.raises(HTTPException) as raised:
            await crud.require(session, Item, items[0].id, rt.eq(Item.name, "beta"))
        assert status_of(raised.value) == 403
        checks = [("name", "must be alpha", rt.eq(Item.name, "alpha"))]
        await crud.enforce_checks(session, Item, items[0].id, checks)
        with pytest.raises(HTTPException) as raised:
            await crud.enforce_checks(session, Item, items[1].id, checks)
        assert "must be alpha" in str(getattr(raised.value, "detail", ""))
        assert crud.signed_in(items[0].id) == items[0].id
        with pytest.raises(HTTPException) as raised:
            crud.signed_in(None)
        assert status_of(raised.value) == 401
        assert await rt.evaluate(session, rt.add(1, 2)) == 3
        assert await rt.evaluate(session, rt.sub(rt.mul(2, 3), rt.neg(1))) == 7
        parent = rt.hop_back(Item, "parent_id", Item.id)
        assert await rt.evaluate(session, parent, Item, items[0].id) is None
        assert await rt.evaluate_bool(session, rt.param(True, "bool"))


async def test_pagination_and_schemas() -> None:
    page = Page[int](items=[1], total=1, page=1, pageSize=20)
    assert page.model_dump() == {"items": [1], "total": 1, "page": 1, "pageSize": 20}
    assert clamp_page_size(0, 20) == 1
    assert offset_of(3, 10) == 20

    class In(InputModel):
        long_name: str

    class Out(OutputModel):
        long_name: str

    assert In.model_validate({"long_name": "x"}).long_name == "x"
    assert Out.model_validate({"long_name": "y"}).long_name == "y"


def test_error_shapes() -> None:
    assert status_of(errors.field_error("x", "m")) == 422
    assert status_of(errors.not_found("Item")) == 404
    assert status_of(errors.forbidden()) == 403
    assert status_of(errors.conflict("c")) == 409
    assert status_of(errors.unauthorized()) == 401
    assert status_of(errors.not_implemented("n")) == 501
    with pytest.raises(HTTPException):
        errors.raise_field_error("x", "m")

    class Orig(Exception):
        def __init__(self, text: str, sqlstate: str = "") -> None:
            super().__init__(text)
            self.sqlstate = sqlstate

    def integrity(text: str, code: str = "") -> IntegrityError:
        return IntegrityError("stmt", {}, Orig(text, code))

    assert status_of(errors.integrity_conflict(integrity("x", "23505"))) == 409
    assert status_of(errors.integrity_conflict(integrity("FOREIGN KEY constraint failed"))) == 409
    assert status_of(errors.integrity_conflict(integrity("NOT NULL constraint failed"))) == 422


async def test_handlers_never_answer_500() -> None:
    app = FastAPI()
    errors.install_error_handlers(app)

    @app.post("/validate")
    async def validate(body: Body) -> int:
        return body.n

    @app.get("/integrity")
    async def integrity() -> None:
        raise IntegrityError("stmt", {}, Exception("UNIQUE constraint failed"))

    @app.get("/dbapi")
    async def dbapi() -> None:
        raise DBAPIError("stmt", {}, Exception("numeric field overflow"))

    @app.get("/unicode")
    async def unicode() -> None:
        "\ud800".encode()

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        response = await client.post("/validate", content=b'{"n": "\xff"}')
        assert response.status_code == 422
        response = await client.post("/validate", json={"n": "x"})
        assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "n"]
        assert (await client.get("/integrity")).status_code == 409
        assert (await client.get("/dbapi")).status_code == 422
        assert (await client.get("/unicode")).status_code == 422
    assert (await errors.integrity_error_handler(None, ValueError())).status_code == 422  # type: ignore[arg-type]
    assert (await errors.validation_error_handler(None, ValueError())).status_code == 422  # type: ignore[arg-type]
    assert errors._clean({"a": (1, b"\xff", None, object)})["a"][1] == "\ufffd"  # pyright: ignore[reportPrivateUsage]


class Body(BaseModel):
    n: int


class FakeStreams:
    def __init__(self, stop: asyncio.Event | None = None) -> None:
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.stop = stop

    async def xadd(self, name: str, fields: dict[str, Any]) -> str:
        self.sent.append((name, fields))
        if self.stop is not None:
            self.stop.set()
        return "1-0"


async def test_relay(factory: async_sessionmaker[AsyncSession]) -> None:
    async with factory() as session:
        session.add(
            Outbox(event="Done", stream="done", payload={"id": "1"}, created_at=datetime.now(UTC))
        )
        await session.commit()
    streams = FakeStreams()
    async with factory() as session:
        assert await relay.relay_once(session, Outbox, streams) == 1
    assert streams.sent[0][0] == "done"
    assert json.loads(streams.sent[0][1]["payload"]) == {"id": "1"}
    async with factory() as session:
        assert await relay.relay_once(session, Outbox, streams) == 0
        session.add(Outbox(event="Done", stream="done", payload={}, created_at=datetime.now(UTC)))
        await session.commit()
    stop = asyncio.Event()
    await asyncio.wait_for(relay.run_forever(factory, Outbox, FakeStreams(stop), 0.01, stop), 5)
    stop.clear()
    idle = asyncio.Event()
    task = asyncio.create_task(relay.run_forever(factory, Outbox, FakeStreams(), 0.01, idle))
    await asyncio.sleep(0.05)
    idle.set()
    await asyncio.wait_for(task, 5)
