"""Writing: new entries, edits that never overwrite newer words, autosaved drafts, the trash."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dreams import entries, markup, vocabulary
from dreams.forms import DreamForm
from dreams.models import Draft, Dream, Motif, Tag

# Form fields kept in a draft besides the title and the narrative.
DRAFT_FIELDS = [
    "dreamt_on", "undated", "lucid", "nightmare", "recurring", "vividness", "mood", "tags",
    "visibility",
]  # fmt: skip
CHECKBOXES = {"undated", "lucid", "nightmare", "recurring"}


def _draft_fields(post) -> dict:
    return {
        name: (name in post) if name in CHECKBOXES else post.get(name, "")[:2000]
        for name in DRAFT_FIELDS
    }


def _draft_key(request: HttpRequest):
    try:
        return uuid.UUID(request.POST.get("draft_key", ""))
    except ValueError:
        return None


def _posted_version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _keep_draft(request: HttpRequest, dream: Dream | None):
    """Whatever was posted is kept as a draft before anything else can go wrong."""
    key = _draft_key(request) or uuid.uuid4()
    entries.save_draft(
        owner=request.user,
        key=key,
        dream=dream,
        title=request.POST.get("title", "")[:10_000],
        body=request.POST.get("body", ""),
        fields=_draft_fields(request.POST),
        # Unknown: 0, so restoring these words can only ever meet a conflict page.
        base_version=_posted_version(request) or 0,
    )
    return key


def _form_from_draft(draft: Draft, *, instance: Dream | None, today) -> DreamForm:
    initial = {"title": draft.title, "body": draft.body, "draft_key": draft.key, **draft.fields}
    form = DreamForm(instance=instance, initial=initial, today=today)
    if instance is not None and draft.base_version is not None:
        # Restored words started from this version; saving them over a newer one is a conflict.
        form.fields["version"].initial = draft.base_version
    return form


def _motif_choices(request: HttpRequest) -> dict:
    return vocabulary.choices_from(request.POST)


def _render_form(request, form, *, dream=None, draft_offer=None, status=200):
    autosave_url = (
        reverse("dreams:autosave", args=[dream.pk]) if dream else reverse("dreams:autosave_new")
    )
    body = form["body"].value() or ""
    return render(
        request,
        "dreams/dream_form.html",
        {
            "form": form,
            "dream": dream,
            "draft_offer": draft_offer,
            "autosave_url": autosave_url,
            "draft_key": form["draft_key"].value() or form.initial.get("draft_key"),
            "suggestions": vocabulary.suggest(body, owner=request.user, dream=dream),
            "posted_choices": vocabulary.choices_from(request.POST),
            "choice_labels": vocabulary.Choice.LABELS.items(),
            "categories": Motif.Category.choices,
        },
        status=status,
    )


def _saved(request: HttpRequest, dream: Dream, key) -> HttpResponse:
    messages.success(request, "Saved.")
    if key:
        # Tells the browser it may forget its own copy of these words.
        request.session["saved_draft"] = str(key)
    return redirect(dream)


@login_required
@require_http_methods(["GET", "POST"])
def new_dream(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    if request.method == "POST":
        form = DreamForm(request.POST, today=today)
        if form.is_valid():
            dream = entries.create_entry(
                owner=request.user,
                changes=form.changes(),
                tags=form.cleaned_data["tags"],
                draft_key=form.cleaned_data["draft_key"],
                motif_choices=_motif_choices(request),
            )
            return _saved(request, dream, form.cleaned_data["draft_key"])
        _keep_draft(request, None)
        return _render_form(request, form, status=422)
    draft = _requested_draft(request, dream=None)
    if draft:
        return _render_form(request, _form_from_draft(draft, instance=None, today=today))
    form = DreamForm(initial={"dreamt_on": today, "draft_key": uuid.uuid4()}, today=today)
    offer = entries.pending_draft(owner=request.user, dream=None)
    return _render_form(request, form, draft_offer=offer)


def _requested_draft(request: HttpRequest, *, dream: Dream | None) -> Draft | None:
    try:
        key = uuid.UUID(request.GET.get("draft", ""))
    except ValueError:
        return None
    return Draft.objects.filter(owner=request.user, key=key, dream=dream).first()


def _own_dream(request: HttpRequest, pk: int) -> Dream:
    return get_object_or_404(Dream.objects.owned_by(request.user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def edit_dream(request: HttpRequest, pk: int) -> HttpResponse:
    dream = _own_dream(request, pk)
    today = timezone.localdate()
    if request.method == "POST":
        form = DreamForm(request.POST, instance=Dream.objects.get(pk=dream.pk), today=today)
        if not form.is_valid():
            _keep_draft(request, dream)
            return _render_form(request, form, dream=dream, status=422)
        # A form without its version cannot prove it saw the latest words: a conflict.
        base_version = form.cleaned_data["version"] or 0
        try:
            saved = entries.save_edit(
                dream,
                changes=form.changes(),
                tags=form.cleaned_data["tags"],
                base_version=base_version,
                draft_key=form.cleaned_data["draft_key"],
                motif_choices=_motif_choices(request),
            )
        except entries.StaleEdit as stale:
            key = _keep_draft(request, dream)
            return render(
                request,
                "dreams/conflict.html",
                {
                    "dream": stale.current,
                    "mine": form.cleaned_data,
                    "mine_mood": dict(Dream.Mood.choices).get(form.cleaned_data.get("mood"), ""),
                    "draft_key": key,
                },
                status=409,
            )
        return _saved(request, saved, form.cleaned_data["draft_key"])
    draft = _requested_draft(request, dream=dream)
    if draft:
        return _render_form(
            request, _form_from_draft(draft, instance=dream, today=today), dream=dream
        )
    form = DreamForm(instance=dream, initial={"draft_key": uuid.uuid4()}, today=today)
    offer = entries.pending_draft(owner=request.user, dream=dream)
    return _render_form(request, form, dream=dream, draft_offer=offer)


@login_required
@require_POST
def resolve_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep one version as the dream and the other as a conflict copy: no words are lost."""
    dream = _own_dream(request, pk)
    draft = get_object_or_404(
        Draft, owner=request.user, dream=dream, key=_draft_key(request) or uuid.uuid4()
    )
    form = DreamForm(
        {"title": draft.title, "body": draft.body, **_as_post(draft.fields)},
        instance=Dream.objects.get(pk=dream.pk),
        today=timezone.localdate(),
    )
    mine_valid = form.is_valid()
    if mine_valid:
        mine, mine_tags = form.changes(), form.cleaned_data["tags"]
    else:  # words kept whatever else was wrong with the form
        mine, mine_tags = {"title": draft.title, "body": draft.body}, []
    with transaction.atomic():
        current = Dream.objects.select_for_update().get(pk=dream.pk)
        if request.POST.get("keep") == "mine" and mine_valid:
            copy = entries.keep_conflict_copy(
                of=current, changes=entries.version_fields(current), tags=current.tag_names
            )
            entries.save_edit(current, changes=mine, tags=mine_tags, base_version=current.version)
        else:
            copy = entries.keep_conflict_copy(of=current, changes=mine, tags=mine_tags)
        draft.delete()
    request.session["saved_draft"] = str(draft.key)  # the browser's copy is safe to forget
    messages.success(
        request, f"Saved. The other version is kept as a private dream: “{copy.title}”."
    )
    return redirect(dream)


def _as_post(fields: dict) -> dict:
    """Draft fields back into the shape a form posts (checkboxes present only when ticked)."""
    return {
        name: value
        for name, value in fields.items()
        if not (name in CHECKBOXES and not value) and value is not None
    }


@require_POST
def autosave(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Keep the form's words as a draft while the author writes. Answers a status line."""
    if not request.user.is_authenticated:
        # htmx leaves the page alone on 401; the browser keeps its own copy meanwhile.
        return HttpResponse(
            "Not saved to the server: log in again. Kept on this device.", status=401
        )
    dream = _own_dream(request, pk) if pk else None
    key = _draft_key(request)
    if key is None:
        return HttpResponse("Not saved: the form is missing its draft key.", status=400)
    body, title = request.POST.get("body", ""), request.POST.get("title", "")
    if body.strip() or title.strip():
        entries.save_draft(
            owner=request.user,
            key=key,
            dream=dream,
            title=title[:10_000],
            body=body,
            fields=_draft_fields(request.POST),
            base_version=(_posted_version(request) or 0) if dream else None,
        )
    now = timezone.localtime()
    return render(request, "dreams/_autosave_status.html", {"saved_at": now})


@login_required
@require_POST
def discard_draft(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    draft = get_object_or_404(Draft, owner=request.user, key=key)
    target = reverse("dreams:edit", args=[draft.dream_id]) if draft.dream_id else None
    draft.delete()
    messages.info(request, "Draft discarded.")
    return redirect(target or reverse("dreams:new"))


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    html = markup.render(request.POST.get("body", "")[: DreamForm.MAX_BODY])
    return render(request, "dreams/_preview.html", {"preview_html": html})


@login_required
@require_safe
def tag_suggestions(request: HttpRequest) -> HttpResponse:
    typed = request.GET.get("tags", "")
    fragment = typed.rsplit(",", 1)[-1].strip().casefold()
    chosen = {part.strip().casefold() for part in typed.split(",")[:-1]}
    tags = Tag.objects.filter(owner=request.user)
    if fragment:
        tags = tags.filter(normalised__contains=fragment)
    suggestions = [t for t in tags.order_by("normalised")[:12] if t.normalised not in chosen]
    return render(request, "dreams/_tag_suggestions.html", {"suggestions": suggestions[:8]})


@login_required
@require_http_methods(["GET", "POST"])
def delete_dream(request: HttpRequest, pk: int) -> HttpResponse:
    dream = _own_dream(request, pk)
    if request.method == "POST":
        entries.trash(dream)
        messages.success(request, f"“{dream.title}” is in the trash for {entries.TRASH_DAYS} days.")
        return redirect(reverse("dreams:trash"))
    return render(request, "dreams/dream_confirm_delete.html", {"dream": dream})


@login_required
@require_POST
def restore_dream(request: HttpRequest, pk: int) -> HttpResponse:
    dream = get_object_or_404(Dream.objects.in_trash().filter(owner=request.user), pk=pk)
    entries.restore(dream)
    messages.success(request, f"“{dream.title}” is back in your journal.")
    return redirect(dream)


@login_required
@require_safe
def trash(request: HttpRequest) -> HttpResponse:
    entries.purge_trash(owner=request.user)
    dreams = Dream.objects.in_trash().filter(owner=request.user).order_by("-deleted_at")
    return render(
        request, "dreams/trash.html", {"dreams": dreams, "trash_days": entries.TRASH_DAYS}
    )
