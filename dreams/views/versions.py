"""A dream's history (its versions with what changed in each, restoring one) and merging an
edit begun from an older version into the newest."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dreams import drafts, entries, merging, versions, vocabulary
from dreams.forms import DreamForm
from dreams.models import Draft, Dream, DreamVersion, SavedForm

PER_PAGE = 20


def _own_dream(request: HttpRequest, pk: int) -> Dream:
    return get_object_or_404(Dream.objects.owned_by(request.user), pk=pk)


@login_required
@require_safe
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """The dream's versions, newest first, each with its differences to the one before; the
    author's only (anyone else: 404)."""
    dream = _own_dream(request, pk)
    kept = DreamVersion.objects.filter(dream=dream).order_by("-number")
    page = Paginator(kept, PER_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    before = kept.filter(number__lt=shown[-1].number).first() if shown else None
    return render(
        request,
        "dreams/history.html",
        {
            "dream": dream,
            "page": page,
            "entries": versions.history(dream, versions=shown, before=before),
        },
    )


@login_required
@require_POST
def restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """Make an earlier version the newest one (as a new version)."""
    dream = _own_dream(request, pk)
    try:
        entries.restore_version(dream, number=number)
    except DreamVersion.DoesNotExist:
        raise Http404("No such version of this dream.") from None
    messages.success(request, f"Version {number} is back: it is now the newest version.")
    return redirect(dream)


def merge_url(dream: Dream, key) -> str:
    return f"{reverse('dreams:merge', args=[dream.pk])}?draft={key}"


def merge_or_ask(
    request: HttpRequest, dream: Dream, *, mine: dict, base_version: int | None, key, queued: bool
) -> HttpResponse:
    """An edit made from base_version over a newer saved version: merged and saved when the
    two sides changed different things, else the writer is sent to the merge page, which
    asks about what both changed (the form's words wait in its draft, under `key`).
    `queued`: answer the offline queue in JSON (409 with the merge page's URL when there is
    something to choose)."""
    try:
        merged = entries.save_merge(
            dream, owner=request.user, key=key, mine=mine, base_version=base_version, choices={}
        )
    except merging.MissingChoices:
        if queued:
            return JsonResponse(
                {"ok": False, "conflict": True, "url": merge_url(dream, key)}, status=409
            )
        if Draft.objects.filter(owner=request.user, dream=dream, key=key).exists():
            # Post/Redirect/Get: Back from the saved merge then finds the merge page's
            # address (which says it was saved), not a post the browser would send again.
            return redirect(merge_url(dream, key))
        dream.refresh_from_db()  # words too long for a draft: this answer holds them
        return _render_merge(
            request, dream, mine=mine, base_version=base_version, key=key, status=409
        )
    return _merged(request, merged, key=key, queued=queued)


def _merged(request: HttpRequest, merged: entries.Merged, *, key, queued: bool) -> HttpResponse:
    if key:
        request.session["saved_draft"] = str(key)  # the browser may forget its copy
    if queued:
        url = merged.dream.get_absolute_url()
        return JsonResponse({"ok": True, "url": url, "again": not merged.changed, "merged": True})
    if merged.changed:
        messages.success(
            request,
            "Saved. This dream had been changed elsewhere since you opened it: both changes "
            "are in, and both versions are in its history.",
        )
    else:
        messages.info(request, "Nothing to save: the newest version already holds these words.")
    return redirect(merged.dream)


@login_required
@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    """The merge of a draft (an edit begun from an older version) into the newest version:
    shown with both sides' changes marked, each conflict with its choice; a POST saves it."""
    dream = _own_dream(request, pk)
    source = request.POST if request.method == "POST" else request.GET
    try:
        key = uuid.UUID(source.get("draft_key") or source.get("draft", ""))
    except ValueError:
        raise Http404("No such draft.") from None
    draft = Draft.objects.filter(owner=request.user, dream=dream, key=key).first()
    if draft is None:
        if SavedForm.objects.filter(owner=request.user, dream=dream, key=key).exists():
            # Sent twice (Back, a resent request): the first one saved the merge. A device
            # that still queues these words may forget them.
            request.session["saved_draft"] = str(key)
            messages.info(request, "This merge was already saved; here is the dream.")
            return redirect(dream)
        raise Http404("No such draft.")
    mine = _mine_from_draft(draft, dream)
    if request.method == "GET":
        return _render_merge(request, dream, mine=mine, base_version=draft.base_version, key=key)
    choices = {k: v for k, v in request.POST.items() if k.startswith(("field-", "passage-"))}
    try:
        merged = entries.save_merge(
            dream, owner=request.user, key=key, mine=mine, base_version=draft.base_version,
            choices=choices, saved_version=_int(request.POST.get("saved_version")),
        )  # fmt: skip
    except merging.MissingChoices as missing:
        return _render_merge(
            request, dream, mine=mine, base_version=draft.base_version, key=key, status=422,
            missing=missing.names, chosen=choices,
        )  # fmt: skip
    except entries.StaleEdit as stale:
        return _render_merge(
            request, stale.current, mine=mine, base_version=draft.base_version, key=key,
            status=409, changed_again=True,
        )  # fmt: skip
    return _merged(request, merged, key=key, queued=False)


def _int(raw) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _mine_from_draft(draft: Draft, dream: Dream) -> dict:
    """The draft as the snapshot its form would have saved (its words are kept even when
    another field of it would be refused)."""
    post = drafts.as_post(title=draft.title, body=draft.body, fields=draft.fields)
    form = DreamForm(post, instance=Dream.objects.get(pk=dream.pk), today=timezone.localdate())
    if form.is_valid():
        changes, tags = form.changes(), form.cleaned_data["tags"]
    else:
        changes = {"body": draft.body.replace("\r\n", "\n")} if draft.body.strip() else {}
        if draft.title.strip():
            changes |= {"title": draft.title.strip()[:200], "title_derived": False}
        kept = versions.version_of(dream, draft.base_version) or versions.snapshot(dream)
        tags = kept["tags"]
    return entries.mine_from_form(
        dream,
        base_version=draft.base_version,
        changes=changes,
        tags=tags,
        motif_choices=draft.fields.get("motif_choices") or {},
    )


SIDES = {merging.MINE: "yours", merging.SAVED: "saved elsewhere", merging.BOTH: "both"}


def _shown(name: str, value) -> str:
    labels = {"mood": dict(Dream.Mood.choices), "visibility": dict(Dream.Visibility.choices)}
    if name in labels and value:
        return labels[name].get(value, value)
    return versions.shown(value)


def _render_merge(
    request: HttpRequest, dream: Dream, *, mine: dict, base_version, key, status: int = 200,
    missing=(), chosen=None, changed_again: bool = False,
) -> HttpResponse:  # fmt: skip
    base = versions.version_of(dream, base_version)
    result = merging.merge(base, mine, versions.snapshot(dream))
    chosen = chosen or {}
    passages = [
        {
            "name": f"passage-{index}",
            "chosen": chosen.get(f"passage-{index}"),
            "missing": f"passage-{index}" in missing,
            "kind": passage.kind,
            "text": passage.text,
            "marked": passage.marked(),
            "mine": merging.word_diff(passage.base, passage.mine),
            "saved": merging.word_diff(passage.base, passage.saved),
        }
        for index, passage in enumerate(result.passages)
    ]
    return render(
        request,
        "dreams/merge.html",
        {
            "dream": dream,
            "merge": result,
            "base_known": base is not None,
            "base_version": base_version,
            "draft_key": key,
            "taken": [
                (merging.FIELD_LABELS[name], _shown(name, result.fields.get(name)), SIDES[side])
                for name, side in result.taken.items()
            ],
            "field_conflicts": [
                {
                    "name": f"field-{c.name}",
                    "label": c.label,
                    "mine": _shown(c.name, c.mine),
                    "saved": _shown(c.name, c.saved),
                    "chosen": chosen.get(f"field-{c.name}"),
                    "missing": f"field-{c.name}" in missing,
                }
                for c in result.field_conflicts
            ],
            "passages": passages,
            "motif_choices": [
                (slug, vocabulary.Choice.LABELS.get(choice, choice))
                for slug, choice in sorted(result.motif_choices.items())
                if result.saved["motif_choices"].get(slug) != choice
            ],
            "missing": list(missing),
            "changed_again": changed_again,
        },
        status=status,
    )
