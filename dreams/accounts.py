"""Account rules that Django's auth leaves to us: one throttle for every password check.

django-axes watches every `authenticate()` (our login, /admin/login/, and the password checks
of password change and account deletion, which go through `check_password` below) and keeps
the failures in its AccessAttempt table, with its admin pages and `axes_reset*` commands.
`PasswordThrottle` is its database handler with two changes:

- atomic: an attempt is counted *before* its password is checked, in one short serialised
  transaction, and uncounted when the password was right; so 30 concurrent wrong passwords
  get exactly `AXES_FAILURE_LIMIT` checks, not one per request that looked before any failed.
- not aimable: failures are counted per name *and address*, so a stranger elsewhere cannot
  lock a writer out. An address is also stopped after THROTTLE_FAILURES_PER_ADDRESS failures
  over all names; and a name that failed THROTTLE_FAILURES_PER_NAME times from anywhere
  (many addresses guessing one password) is refused to every address that has failed for it,
  while an address that never failed for it (the writer at home) still gets in.
"""

from __future__ import annotations

import ipaddress
import unicodedata
from collections.abc import Collection
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connections, router, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# One key for the PostgreSQL advisory lock that serialises counting (SQLite's IMMEDIATE
# transactions already take the database's write lock at BEGIN).
ADVISORY_LOCK = 0x53_6F_6D_6E  # "Somn" in ASCII
LOCKED_MESSAGE = "Too many failed attempts. Wait {minutes} minutes, then try again."


def name_key(name: str | None) -> str | None:
    """The form of a user name that failures are counted under: NFKC and casefolded, so that
    "Alice", "ALICE" and full-width "Ａｌｉｃｅ" are one name (150 characters at most)."""
    if name is None:
        return None
    return unicodedata.normalize("NFKC", str(name)).strip().casefold()[:150]


def name_tried(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the name a request tried, as `name_key` gives it."""
    if credentials is not None:
        return name_key(credentials.get("username"))
    return name_key(request.POST.get("username"))


def name_taken(*, username: str, reserved: Collection[str] = ()) -> bool:
    """Whether `username` is one of `reserved` (lower case) or some account's name, in any
    case or width (by `name_key`: "Alice", "ALICE" and "Ａｌｉｃｅ" are one name, "STRASSE" is
    "straße"). The few names beyond ASCII are compared in Python: SQLite folds ASCII only."""
    key = name_key(username)
    if key in reserved:
        return True
    users = get_user_model().objects
    if users.filter(username__iexact=username).exists():
        return True
    return any(
        name_key(name) == key
        for name in users.exclude(username__regex=r"^[ -~]*$")
        .values_list("username", flat=True)
        .iterator()
    )


def client_address(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address of whoever sent the request. Behind
    DJANGO_FORWARDED_HOPS trusted proxies, the one the nearest of them saw in X-Forwarded-For
    (entries further left are whatever the client wrote). An IPv6 address stands for its /64.
    None if it is not an IP address."""
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.THROTTLE_FORWARDED_HOPS
    if hops:
        header = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= hops:
            address = forwarded[-hops]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        # One IPv6 client commonly holds a whole /64: count it as one address.
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def locked_message(request: HttpRequest | None = None) -> str:
    """The words a locked-out writer reads, with the wait in minutes."""
    cool_off = get_cool_off(request)
    minutes = round(cool_off.total_seconds() / 60) if cool_off else 15
    return LOCKED_MESSAGE.format(minutes=minutes)


def locked_out(request: HttpRequest) -> bool:
    """Whether the throttle refused this request's last password check."""
    return bool(getattr(request, "axes_locked_out", False))


def lockout_response(
    request: HttpRequest, original: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a page that already says so in its own form (status 429) is
    kept; anywhere else (the admin's login) a friendly page of our own, status 429."""
    if original is not None and original.status_code == 429:
        return original
    response = render(
        request,
        "registration/locked_out.html",
        {"message": locked_message(request)},
        status=429,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def check_password(request: HttpRequest, *, user: AbstractBaseUser, password: str) -> bool:
    """Whether `password` is `user`'s, checked under the same throttle as logging in.

    False for a wrong password and for a throttled one (`locked_out(request)` says which)."""
    checked = authenticate(request, username=user.get_username(), password=password)
    if checked is None or checked.pk != user.pk:
        return False
    PasswordThrottle.forget_failures(request, name=user.get_username())
    return True


class PasswordThrottle(AxesDatabaseHandler):
    """AXES_HANDLER: axes' database handler, counting atomically and per name and address."""

    def is_allowed(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        if self.is_blacklisted(request, credentials):
            return False
        if self.is_whitelisted(request, credentials):
            return True
        using = router.db_for_write(AccessAttempt)
        with transaction.atomic(using=using):
            if connections[using].vendor == "postgresql":
                with connections[using].cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK])
            self.clean_expired_user_attempts(request, credentials)
            if self.is_locked(request, credentials):
                return False
            # Counted as failed until the password proves right (then forgotten).
            self._count_failure(request, credentials)
        request.somnia_failure_counted = True
        return True

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        name = get_client_username(request, credentials)
        address = request.axes_ip_address
        mine = Q(username=name, ip_address=address)

        def failures(where: Q) -> Coalesce:
            return Coalesce(Sum("failures_since_start", filter=where), 0)

        counts = AccessAttempt.objects.filter(
            Q(username=name) | Q(ip_address=address),
            attempt_time__gte=get_cool_off_threshold(request),
        ).aggregate(
            mine=failures(mine),
            address=failures(Q(ip_address=address)),
            name=failures(Q(username=name)),
        )
        request.axes_failures_since_start = counts["mine"]
        return (
            counts["mine"] >= settings.AXES_FAILURE_LIMIT
            or counts["address"] >= settings.THROTTLE_FAILURES_PER_ADDRESS
            or (counts["name"] >= settings.THROTTLE_FAILURES_PER_NAME and counts["mine"] > 0)
        )

    def _count_failure(self, request: HttpRequest, credentials: dict | None) -> None:
        # Nothing of the request is kept beyond name, address and browser: no form data.
        attempt, created = AccessAttempt.objects.select_for_update().get_or_create(
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
            user_agent=request.axes_user_agent,
            defaults={
                "get_data": "",
                "post_data": "",
                "http_accept": request.axes_http_accept,
                "path_info": request.axes_path_info,
                "failures_since_start": 1,
                "attempt_time": request.axes_attempt_time,
            },
        )
        if not created:
            AccessAttempt.objects.filter(pk=attempt.pk).update(
                failures_since_start=F("failures_since_start") + 1,
                attempt_time=request.axes_attempt_time,
                path_info=request.axes_path_info,
            )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        if request is None:
            return
        request.axes_credentials = credentials
        if locked_out(request):
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
            return
        if getattr(request, "somnia_failure_counted", False):
            request.somnia_failure_counted = False  # counted when it was let through
            return
        with transaction.atomic(using=router.db_for_write(AccessAttempt)):
            self._count_failure(request, credentials)

    def user_logged_in(self, sender, request, user, **kwargs) -> None:
        if request is not None:
            self.forget_failures(request, name=user.get_username())

    @staticmethod
    def forget_failures(request: HttpRequest, *, name: str) -> None:
        """The right password from this address: its failures for this name are forgotten
        (its failures for other names, and other addresses' for this one, are not)."""
        request.somnia_failure_counted = False
        AccessAttempt.objects.filter(
            username=name_key(name), ip_address=getattr(request, "axes_ip_address", None)
        ).delete()
