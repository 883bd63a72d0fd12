"""HTTP errors shaped the way FastAPI writes them: `{"detail": ...}`."""

from __future__ import annotations

from typing import Any, NoReturn

from fastapi import HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError


def field_error(
    field: str, message: str, kind: str = "value_error", where: str = "body"
) -> HTTPException:
    """A 422 naming one field (of the body, or `where="query"`), like FastAPI's own."""
    return HTTPException(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[{"loc": [where, field], "msg": message, "type": kind}],
    )


def raise_field_error(field: str, message: str, kind: str = "value_error") -> NoReturn:
    raise field_error(field, message, kind)


def not_found(entity: str) -> HTTPException:
    return HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail=f"{entity} not found")


def forbidden(message: str = "Not allowed") -> HTTPException:
    return HTTPException(status_code=status.HTTP_403_FORBIDDEN, detail=message)


def conflict(message: str) -> HTTPException:
    return HTTPException(status_code=status.HTTP_409_CONFLICT, detail=message)


def unauthorized(message: str = "Not authenticated") -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED,
        detail=message,
        headers={"WWW-Authenticate": "Bearer"},
    )


def not_implemented(message: str) -> HTTPException:
    return HTTPException(status_code=status.HTTP_501_NOT_IMPLEMENTED, detail=message)


def integrity_conflict(error: IntegrityError) -> HTTPException:
    """Map a constraint violation the checks before it could not see.

    Unique violations and deletes blocked by a foreign key are 409; anything
    else (a NOT NULL or CHECK the schema let through) is invalid input: 422.
    """
    text = str(error.orig).lower()
    code = str(getattr(error.orig, "sqlstate", "") or getattr(error.orig, "pgcode", "") or "")
    if code == "23505" or "unique" in text or "duplicate key" in text:
        return conflict("A row with the same unique value already exists")
    if code == "23503" or "foreign key" in text:
        return conflict("The row is still referenced by other rows")
    return HTTPException(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        detail=[
            {
                "loc": ["body"],
                "msg": "The row violates a database constraint",
                "type": "value_error",
            }
        ],
    )


def _clean(value: Any) -> Any:
    """JSON-safe copy of a validation error (inputs may hold undecodable bytes)."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}  # pyright: ignore[reportUnknownVariableType]
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]  # pyright: ignore[reportUnknownVariableType]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


async def validation_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    errors: list[dict[str, Any]] = []
    if isinstance(exc, RequestValidationError):
        for error in exc.errors():
            item = {k: v for k, v in error.items() if k in ("loc", "msg", "type", "ctx")}
            errors.append(_clean(item))
    return JSONResponse(status_code=422, content={"detail": errors})


async def integrity_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, IntegrityError):
        http = integrity_conflict(exc)
        return JSONResponse(status_code=http.status_code, content={"detail": http.detail})
    return JSONResponse(status_code=422, content={"detail": "Invalid input"})


async def database_error_handler(_request: Request, _exc: Exception) -> JSONResponse:
    """A value the database refused (out of range, malformed): the input's fault."""
    return JSONResponse(
        status_code=422,
        content={
            "detail": [
                {"loc": ["body"], "msg": "The database refused a value", "type": "value_error"}
            ]
        },
    )


async def unicode_error_handler(_request: Request, _exc: Exception) -> JSONResponse:
    """Text that is not valid Unicode (lone surrogates) cannot be stored."""
    return JSONResponse(
        status_code=422,
        content={
            "detail": [
                {"loc": ["body"], "msg": "Text must be valid Unicode", "type": "value_error"}
            ]
        },
    )


def install_error_handlers(app: Any) -> None:
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(UnicodeError, unicode_error_handler)
    app.add_exception_handler(IntegrityError, integrity_error_handler)
    app.add_exception_handler(DBAPIError, database_error_handler)
