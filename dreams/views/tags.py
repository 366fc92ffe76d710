"""Tags: the list of one's own tags, renaming (or merging) and deleting them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dreams import vocabulary
from dreams.models import Tag


@login_required
@require_safe
def tag_list(request: HttpRequest) -> HttpResponse:
    tags = Tag.objects.owned_by(request.user).with_dream_counts().order_by("normalised")
    return render(request, "dreams/tag_list.html", {"tags": tags})


@login_required
@require_POST
def tag_rename(request: HttpRequest, pk: int) -> HttpResponse:
    tag = get_object_or_404(Tag.objects.owned_by(request.user), pk=pk)
    old = tag.name
    try:
        kept = vocabulary.rename_tag(tag, request.POST.get("name", ""))
    except vocabulary.VocabularyError as error:
        messages.error(request, f"Kept the tag “{old}”: {str(error)[:1].lower()}{str(error)[1:]}")
    else:
        merged = kept.pk != pk
        messages.success(
            request,
            f"Merged “{old}” into “{kept.name}”." if merged else f"Renamed to “{kept.name}”.",
        )
    return redirect("dreams:tags")


@login_required
@require_http_methods(["GET", "POST"])
def tag_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks first, naming how many dreams carry the tag; POST deletes it."""
    tag = get_object_or_404(Tag.objects.owned_by(request.user).with_dream_counts(), pk=pk)
    if request.method == "GET":
        return render(
            request, "dreams/tag_confirm_delete.html", {"tag": tag, "dreams": tag.dream_count}
        )
    vocabulary.delete_tag(tag)
    messages.success(request, f"Deleted the tag “{tag.name}”; the dreams are untouched.")
    return redirect("dreams:tags")
