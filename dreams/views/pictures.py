"""Pictures: served only to those who may read their dream, and added from the writing form."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST, require_safe

from dreams import imaging, pictures
from dreams.models import Dream, Picture


@require_safe
def picture(request: HttpRequest, key: str, variant: str) -> HttpResponse:
    """One variant of a picture; 404 to anyone who cannot read its dream."""
    if variant not in imaging.VARIANTS:
        raise Http404("No such size.")
    found = get_object_or_404(
        Picture.objects.visible_to(request.user).select_related("dream"), key=key
    )
    return pictures.response(request, found, variant=variant)


@login_required
@require_POST
def picture_add(request: HttpRequest) -> HttpResponse:
    """A picture (or a drawing) from the writing form's script, waiting under the form's draft
    key until the dream is saved. Answers the picture's item in the form (201) or why not (422).
    """
    try:
        draft_key = uuid.UUID(request.POST.get("draft_key", ""))
    except ValueError:
        return HttpResponse("Not saved: the form is missing its draft key.", status=400)
    dream = None
    if request.POST.get("dream"):
        dream = get_object_or_404(Dream.objects.owned_by(request.user), pk=request.POST["dream"])
    upload = request.FILES.get("picture")
    if upload is None:
        return render(
            request, "dreams/_picture_errors.html", {"errors": ["Choose a picture first."]},
            status=422,
        )  # fmt: skip
    added, errors = pictures.attach_uploads(
        owner=request.user,
        uploads=[upload],
        alt=request.POST.get("picture_alt", ""),
        dream=dream,
        draft_key=draft_key,
    )
    if errors:
        return render(request, "dreams/_picture_errors.html", {"errors": errors}, status=422)
    return render(
        request, "dreams/_picture_item.html", {"picture": added[0], "dream": dream}, status=201
    )
