"""Storage: the Store API of contract.md. The app, the command line and integrations use nothing else."""

from risk.storage.accounts import ClaimMapping, UserInfo
from risk.storage.store import (
    AuthError,
    CasePage,
    CaseSummary,
    ConflictError,
    NotFound,
    PermissionDenied,
    Store,
    database_url,
)

__all__ = [
    "AuthError",
    "CasePage",
    "CaseSummary",
    "ClaimMapping",
    "ConflictError",
    "NotFound",
    "PermissionDenied",
    "Store",
    "UserInfo",
    "database_url",
]
