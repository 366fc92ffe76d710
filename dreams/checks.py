"""System checks: what Somnia needs of its setting, said before the first request."""

from django.core.checks import Error, register
from django.db import connections

SUPPORTED = ("sqlite", "postgresql")


@register("database")
def supported_database(app_configs=None, databases=None, **kwargs) -> list[Error]:
    """Search, the journal clock and the migrations exist for SQLite and PostgreSQL only."""
    return [
        Error(
            f"Somnia runs on SQLite or PostgreSQL; DATABASE_URL names {connections[alias].vendor}.",
            hint="Use sqlite:///path or postgres://user@host/name.",
            id="somnia.E001",
        )
        for alias in databases or ()
        if connections[alias].vendor not in SUPPORTED
    ]
