"""Account rules that Django's auth leaves to us: throttling repeated failed logins."""

from __future__ import annotations

import hashlib

from django.core.cache import cache

# Per account name, and per address (someone trying many names).
MAX_FAILURES_PER_USERNAME = 5
MAX_FAILURES_PER_ADDRESS = 20
WINDOW_SECONDS = 15 * 60


def _keys(username: str, address: str) -> list[tuple[str, int]]:
    name = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return [
        (f"login-failures:user:{name}", MAX_FAILURES_PER_USERNAME),
        (f"login-failures:addr:{address}", MAX_FAILURES_PER_ADDRESS),
    ]


def login_blocked(*, username: str, address: str) -> bool:
    return any(cache.get(key, 0) >= limit for key, limit in _keys(username, address))


def record_failed_login(*, username: str, address: str) -> None:
    for key, _ in _keys(username, address):
        # add() starts the window; incr() keeps its expiry.
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, WINDOW_SECONDS)


def clear_failed_logins(*, username: str, address: str) -> None:
    cache.delete(_keys(username, address)[0][0])
