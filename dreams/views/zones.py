"""The writer's own clock: choosing the account's time zone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dreams import zones
from dreams.models import Profile


def time_zone_context(user) -> dict:
    """What the account page shows of the clock: the zone, the menu, and a note when a
    browser once reported a zone Somnia does not know."""
    profile = Profile.objects.filter(user=user).first()
    zone = profile.time_zone if profile else zones.DEFAULT_ZONE
    return {
        "time_zone": zone,
        "unknown_zone": profile.unknown_zone if profile else "",
        "zone_choices": zones.zone_choices(zone),
    }


@login_required
@require_POST
def set_time_zone(request: HttpRequest) -> HttpResponse:
    """Take the zone chosen on the account page (or accepted from the device's prompt)."""
    reported = request.POST.get("time_zone", "")
    zone = request.session[zones.SESSION_KEY] = zones.set_zone(user=request.user, reported=reported)
    if zone == reported.strip():
        messages.success(request, f"Times are now shown on {zone} time.")
    else:
        messages.error(
            request, "That is not a time zone Somnia knows; times stay on UTC until you choose."
        )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    return redirect(back or "account")
