"""``/api/v1`` endpoints for admins (accounts, tokens, the audit log) and ``/me``."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from crawler.api import accounts, audit
from crawler.api import roles as r
from crawler.api.db import Database
from crawler.api.deps import RowId, RowIdQuery, caller, database, reading, require
from crawler.api.scope import Principal

router = APIRouter(prefix="/api/v1")

Role = Literal["viewer", "analyst", "coordinator", "admin", "ops"]


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    role: Role
    scopes: list[str] = Field(default_factory=list, max_length=50)
    password: str | None = Field(None, min_length=10, max_length=1024)


class NewToken(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    name: str = Field("api", min_length=1, max_length=64)


def _accounts(db: Database, work: Any) -> Any:
    try:
        with db.writing() as session:
            return work(session)
    except accounts.ScopeError as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except accounts.AccountError as exc:
        status = 404 if str(exc).startswith("no ") else 409
        raise HTTPException(status_code=status, detail=str(exc)) from None


@router.get("/me", tags=["accounts"])
def me(principal: Annotated[Principal, Depends(caller)]) -> dict[str, Any]:
    return {"username": principal.username, "role": principal.role,
            "scopes": list(principal.scopes), "via": principal.via,
            "permissions": sorted(r.PERMISSIONS[principal.role])}  # fmt: skip


@router.get("/users", tags=["accounts"])
def list_users(
    principal: Annotated[Principal, Depends(require(r.ACCOUNTS))],
    session: Annotated[Session, Depends(reading)],
) -> dict[str, Any]:
    return {"items": accounts.list_users(session, principal)}


@router.post("/users", status_code=201, tags=["accounts"])
def add_user(
    body: NewUser,
    principal: Annotated[Principal, Depends(require(r.ACCOUNTS))],
    db: Annotated[Database, Depends(database)],
) -> dict[str, Any]:
    user = _accounts(db, lambda s: accounts.add_user(s, principal, body.username, body.role,
                                                     body.scopes, body.password))  # fmt: skip
    return {"id": user.id, "username": user.username, "role": user.role, "scopes": user.scopes}


@router.post("/users/{username}/disable", tags=["accounts"])
def disable_user(
    username: str,
    principal: Annotated[Principal, Depends(require(r.ACCOUNTS))],
    db: Annotated[Database, Depends(database)],
) -> dict[str, bool]:
    _accounts(db, lambda s: accounts.disable_user(s, principal, username))
    return {"disabled": True}


@router.post("/tokens", status_code=201, tags=["accounts"])
def create_token(
    body: NewToken,
    principal: Annotated[Principal, Depends(require(r.ACCOUNTS))],
    db: Annotated[Database, Depends(database)],
) -> dict[str, Any]:
    token_id, token = _accounts(
        db, lambda s: accounts.create_token(s, principal, body.username, body.name)
    )
    return {"id": token_id, "token": token, "note": "shown once: it is stored only hashed"}


@router.delete("/tokens/{token_id}", tags=["accounts"])
def revoke_token(
    token_id: RowId,
    principal: Annotated[Principal, Depends(require(r.ACCOUNTS))],
    db: Annotated[Database, Depends(database)],
) -> dict[str, bool]:
    _accounts(db, lambda s: accounts.revoke_token(s, principal, token_id))
    return {"revoked": True}


@router.get("/audit", tags=["accounts"])
def audit_log(
    principal: Annotated[Principal, Depends(require(r.AUDIT_READ))],
    session: Annotated[Session, Depends(reading)],
    limit: int = Query(100, ge=1, le=1000),
    before_id: RowIdQuery = None,
    site_id: RowIdQuery = None,
    action: str | None = Query(None, max_length=64),
) -> dict[str, Any]:
    return {"items": audit.entries(session, principal, limit=limit, before_id=before_id,
                                   site_id=site_id, action=action)}  # fmt: skip
