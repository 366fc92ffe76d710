"""Writing: new entries, edits that never overwrite newer words, autosaved drafts, the trash."""

from __future__ import annotations

import contextlib
import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from dreams import drafts, entries, imaging, markup, pictures, vocabulary
from dreams.forms import DreamForm
from dreams.models import Draft, Dream, Motif, Tag, normalise_tag
from dreams.titles import derive_title
from dreams.views import versions as merge_views
from dreams.views.sessions import logged_out, login_required_fragment, login_required_to_save

# Form fields kept in a draft besides the title and the narrative.
DRAFT_FIELDS = [
    "dreamt_on", "undated", "lucid", "nightmare", "recurring", "vividness", "mood", "tags",
    "visibility", "show_tags",
]  # fmt: skip
CHECKBOXES = drafts.CHECKBOXES


def _draft_fields(post) -> dict:
    fields = {
        name: (name in post) if name in CHECKBOXES else post.get(name, "")[:2000]
        for name in DRAFT_FIELDS
    }
    # Kept too, so a merge of these words (views/versions.py) knows what they said of motifs.
    return fields | {"motif_choices": vocabulary.choices_from(post)}


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


def _changed_at(request: HttpRequest):
    return drafts.device_time(request.POST.get("changed_at"), now=timezone.now())


def _keep_draft(request: HttpRequest, dream: Dream | None, *, base_version: int | None = None):
    """Whatever was posted is kept as a draft before anything else can go wrong (unless it is
    longer than a draft may be: the page that answers holds every word, and so does the
    device). base_version: the version the words started from, when not the posted one."""
    key = _draft_key(request) or uuid.uuid4()
    with contextlib.suppress(entries.DraftTooLarge):
        entries.save_draft(
            owner=request.user,
            key=key,
            dream=dream,
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
            fields=_draft_fields(request.POST),
            # Unknown: 0, so restoring these words can only ever meet a merge that asks.
            base_version=base_version or _posted_version(request) or 0,
            changed_at=_changed_at(request),
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


def _take_pictures(request: HttpRequest, dream: Dream | None) -> list[str]:
    """Keep the pictures posted with the form (without JavaScript) under its draft key before
    anything else is checked; returns why any file was refused."""
    uploads = request.FILES.getlist("picture")
    if not uploads:
        return []
    key = _draft_key(request)
    if key is None:
        return ["The pictures were not saved: the form is missing its draft key."]
    _, errors = pictures.attach_uploads(
        owner=request.user,
        uploads=uploads,
        alt=request.POST.get("picture_alt", ""),
        dream=dream,
        draft_key=key,
    )
    return errors


def _millis(when) -> int:
    return int(when.timestamp() * 1000)


def _drafts_context(request: HttpRequest, *, dream: Dream | None, form_key) -> dict:
    """Every unsaved draft of the writer for the list (the form's own words left out), and
    the full words of this form's drafts, which the browser compares with its own copies."""
    if request.headers.get("X-Somnia-Shell"):
        # The copy the service worker keeps for offline use holds nobody's drafts.
        return {
            "unsaved": [],
            "here_drafts": [],
            "here_drafts_json": "[]",
            "saved_words_json": "[]",
        }
    here_id = dream.pk if dream else None
    listed = []
    for draft in entries.unsaved_drafts(owner=request.user):
        draft.here = draft.dream_id == here_id
        form_url = (
            reverse("dreams:edit", args=[draft.dream_id])
            if draft.dream_id
            else reverse("dreams:new")
        )
        draft.restore_url = f"{form_url}?draft={draft.key}"
        if draft.dream_id and _older(draft, draft.dream):
            draft.restore_url = merge_views.merge_url(draft.dream, draft.key)
        draft.changed_ms = _millis(draft.changed_at)
        draft.opening_line = drafts.openings([f"{draft.title} {draft.opening}".strip()])[0]
        if str(draft.key) != str(form_key or ""):
            listed.append(draft)
    here = Draft.objects.filter(owner=request.user, dream=dream).exclude(body="", title="")
    words = [
        {
            "key": str(d.key),
            "title": d.title,
            "body": d.body,
            "fields": d.fields,
            "version": d.base_version or "",
            "changedAt": _millis(d.changed_at),
            "hash": d.words_hash or drafts.words_hash(title=d.title, body=d.body),
        }
        for d in here.order_by("-changed_at")[: settings.DRAFTS_PER_DREAM + 1]
    ]
    # As an attribute (escaped like any text), not a script element: the page runs no data.
    return {
        "unsaved": listed,
        "here_drafts": words,
        "here_drafts_json": json.dumps(words),
        # Words already in the journal: the browser forgets its copies of them.
        "saved_words_json": json.dumps(entries.saved_words(owner=request.user)),
    }


def _render_form(
    request, form, *, dream=None, status=200, picture_errors=(), date_follows_today=False
):
    autosave_url = (
        reverse("dreams:autosave", args=[dream.pk]) if dream else reverse("dreams:autosave_new")
    )
    body = form["body"].value() or ""
    draft_key = form["draft_key"].value() or form.initial.get("draft_key")
    attached = pictures.for_form(owner=request.user, dream=dream, draft_key=draft_key)
    return render(
        request,
        "dreams/dream_form.html",
        {
            "pictures": [
                {
                    "picture": p,
                    "alt": request.POST.get(f"picture-{p.key}-alt", p.alt),
                    "remove": f"picture-{p.key}-remove" in request.POST,
                }
                for p in attached
            ],
            "picture_errors": picture_errors,
            "picture_alt": request.POST.get("picture_alt", dream.title if dream else ""),
            "picture_max_mb": settings.PICTURE_MAX_MB,
            "heic": imaging.HEIC,
            "cover": request.POST.get("cover")
            or next((p.key for p in attached if p.is_cover), "art"),
            "pictures_per_dream": settings.PICTURES_PER_DREAM,
            "form": form,
            "dream": dream,
            "autosave_url": autosave_url,
            "draft_key": draft_key,
            # A fresh form's date is "today" until the writer picks one: the page moves it
            # on when it is used on a later day (left open overnight, or kept offline).
            "date_follows_today": date_follows_today,
            **_drafts_context(request, dream=dream, form_key=draft_key),
            "suggestions": vocabulary.suggest(body, owner=request.user, dream=dream),
            "posted_choices": vocabulary.choices_from(request.POST),
            "choice_labels": vocabulary.Choice.LABELS.items(),
            "categories": Motif.Category.choices,
        },
        status=status,
    )


def _saved(request: HttpRequest, saved: entries.FormSaved, key) -> HttpResponse:
    if not saved.again:
        messages.success(request, "Saved.")
    elif saved.changed:
        messages.success(request, "Saved. This form had been saved before; its new words are in.")
    else:
        messages.info(request, "This dream was already saved; here it is, saved once.")
    if key:
        # Tells the browser it may forget its own copy of these words.
        request.session["saved_draft"] = str(key)
    return redirect(saved.dream)


def _queued(request: HttpRequest) -> bool:
    """A post replayed from the device's offline queue (static/js/queue.js): it is answered
    in JSON, as a script reads it."""
    return request.headers.get("X-Somnia-Queue") == "1"


def _wrong_writer(
    request: HttpRequest, form: DreamForm, *, dream: Dream | None
) -> HttpResponse | None:
    """A form opened by another account on this browser (a kept offline copy, a queue) is
    never saved into this one, nor kept as its draft."""
    writer = request.POST.get("writer", "")
    if not writer or writer == str(request.user.pk):
        return None
    if _queued(request):
        return JsonResponse({"ok": False, "wrongWriter": True}, status=409)
    form.is_valid()
    form.add_error(
        None,
        "This form was opened by another account on this browser, so it is not saved here. "
        "Log in as that account to save it; the words are kept on this device for it.",
    )
    return _render_form(request, form, dream=dream, status=409)


def _refused(request: HttpRequest, form: DreamForm, *, dream: Dream | None, **extra):
    """A form Somnia refuses: its words kept as a draft, each reason beside its field."""
    _keep_draft(request, dream)
    if _queued(request):
        errors = {
            name: [e["message"] for e in errs] for name, errs in form.errors.get_json_data().items()
        }
        url = reverse("dreams:edit", args=[dream.pk]) if dream else reverse("dreams:new")
        return JsonResponse({"ok": False, "errors": errors, "url": url}, status=422)
    return _render_form(request, form, dream=dream, status=422, **extra)


def _save(request: HttpRequest, form: DreamForm, *, dream: Dream | None) -> HttpResponse:
    """Save a valid form once (its draft key is the idempotency key), merged with what was
    saved since it opened."""
    key = form.cleaned_data["draft_key"]
    try:
        saved = entries.save_form(
            owner=request.user,
            key=key,
            dream=dream,
            changes=form.changes(),
            tags=form.cleaned_data["tags"],
            # A form without its version cannot prove it saw the latest words: a conflict.
            base_version=form.cleaned_data["version"] or 0,
            motif_choices=_motif_choices(request),
            picture_choices=pictures.choices_from(request.POST),
            changed_at=_changed_at(request) if request.POST.get("changed_at") else None,
        )
    except entries.StaleEdit as stale:
        # Saved elsewhere since this form opened: merged, asking only where both sides differ.
        base_version = stale.base_version
        key = _keep_draft(request, stale.current, base_version=base_version)
        mine = entries.mine_from_form(
            stale.current,
            base_version=base_version,
            changes=form.changes(),
            tags=form.cleaned_data["tags"],
            motif_choices=_motif_choices(request),
        )
        return merge_views.merge_or_ask(
            request, stale.current, mine=mine, base_version=base_version, key=key,
            queued=_queued(request),
        )  # fmt: skip
    if _queued(request):
        url = saved.dream.get_absolute_url()
        return JsonResponse({"ok": True, "url": url, "again": saved.again})
    return _saved(request, saved, key)


@login_required_to_save
@require_http_methods(["GET", "POST"])
def new_dream(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    if request.method == "POST":
        form = DreamForm(request.POST, today=today)
        if wrong := _wrong_writer(request, form, dream=None):
            return wrong
        picture_errors = _take_pictures(request, None)
        if form.is_valid() and not picture_errors:
            return _save(request, form, dream=None)
        return _refused(request, form, dream=None, picture_errors=picture_errors)
    draft = _requested_draft(request, dream=None)
    if draft:
        return _render_form(request, _form_from_draft(draft, instance=None, today=today))
    form = DreamForm(initial={"dreamt_on": today, "draft_key": uuid.uuid4()}, today=today)
    return _render_form(request, form, date_follows_today=True)


def _requested_draft(request: HttpRequest, *, dream: Dream | None) -> Draft | None:
    try:
        key = uuid.UUID(request.GET.get("draft", ""))
    except ValueError:
        return None
    return Draft.objects.filter(owner=request.user, key=key, dream=dream).first()


def _older(draft: Draft, dream: Dream) -> bool:
    """Whether the dream was saved since the draft's form opened (0: not known)."""
    return draft.base_version is not None and draft.base_version < dream.version


def _own_dream(request: HttpRequest, pk: int) -> Dream:
    return get_object_or_404(Dream.objects.owned_by(request.user), pk=pk)


@login_required_to_save
@require_http_methods(["GET", "POST"])
def edit_dream(request: HttpRequest, pk: int) -> HttpResponse:
    dream = _own_dream(request, pk)
    today = timezone.localdate()
    if request.method == "POST":
        form = DreamForm(request.POST, instance=Dream.objects.get(pk=dream.pk), today=today)
        if wrong := _wrong_writer(request, form, dream=dream):
            return wrong
        picture_errors = _take_pictures(request, dream)
        if not form.is_valid() or picture_errors:
            return _refused(request, form, dream=dream, picture_errors=picture_errors)
        return _save(request, form, dream=dream)
    draft = _requested_draft(request, dream=dream)
    if draft and _older(draft, dream):
        # Saved since these words were typed: offered merged onto the newest version.
        return redirect(merge_views.merge_url(dream, draft.key))
    if draft:
        return _render_form(
            request, _form_from_draft(draft, instance=dream, today=today), dream=dream
        )
    form = DreamForm(instance=dream, initial={"draft_key": uuid.uuid4()}, today=today)
    return _render_form(request, form, dream=dream)


@require_POST
def autosave(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Keep the form's words as a draft while the author writes. Answers a status line that
    names the hash of the words the server now holds (the device may then forget its copy)."""
    if not request.user.is_authenticated:
        return logged_out(request)  # the browser keeps its own copy meanwhile
    dream = _own_dream(request, pk) if pk else None
    key = _draft_key(request)
    if key is None:
        return HttpResponse("Not saved: the form is missing its draft key.", status=400)
    body, title = request.POST.get("body", ""), request.POST.get("title", "")
    context = {
        "saved_at": timezone.localtime(),
        "key": key,
        "drafts_per_account": settings.DRAFTS_PER_ACCOUNT,
        "drafts_per_dream": settings.DRAFTS_PER_DREAM,
    }
    if not (body.strip() or title.strip()):
        return render(request, "dreams/_autosave_status.html", context)
    if entries.already_saved(
        owner=request.user, key=key, title=title, body=body, changed_at=_changed_at(request)
    ):
        # A late autosave of words a save already holds: no draft comes back to life.
        context["hash"] = drafts.words_hash(title=title, body=body)
        return render(request, "dreams/_autosave_status.html", context)
    try:
        kept = entries.keep_draft(
            owner=request.user,
            key=key,
            dream=dream,
            title=title,
            body=body,
            fields=_draft_fields(request.POST),
            base_version=(_posted_version(request) or 0) if dream else None,
            changed_at=_changed_at(request),
        )
    except entries.DraftTooLarge as error:
        return HttpResponse(str(error), status=413)
    context.update(hash=kept.draft.words_hash, stored=kept.stored, dropped=kept.dropped)
    return render(request, "dreams/_autosave_status.html", context)


@login_required
@require_POST
def discard_draft(request: HttpRequest, key: uuid.UUID) -> HttpResponse:
    """Discard a draft: the server's copy now, the device's on the next page (see
    context_processors.forget_drafts); with JavaScript the device's goes at once."""
    draft = get_object_or_404(Draft, owner=request.user, key=key)
    target = reverse("dreams:edit", args=[draft.dream_id]) if draft.dream_id else None
    draft.delete()
    request.session["discarded_draft"] = str(key)
    messages.info(request, "Draft discarded, here and on this device.")
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        # Not back to the very draft that was just discarded.
        target = back.split("?draft=")[0]
    return redirect(target or reverse("dreams:new"))


@login_required_fragment
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    body = request.POST.get("body", "")[: DreamForm.MAX_BODY]
    # The title an empty Title field will get, for its placeholder (static/js/writing.js).
    derived = derive_title(body) if body.strip() else ""
    return render(
        request,
        "dreams/_preview.html",
        {"preview_html": markup.render(body), "derived_title": derived},
    )


@login_required_fragment
@require_safe
def tag_suggestions(request: HttpRequest) -> HttpResponse:
    *chosen, fragment = request.GET.get("tags", "").split(",")
    suggestions = (
        Tag.objects.owned_by(request.user)
        .matching(fragment)
        .exclude(normalised__in=[normalise_tag(name) for name in chosen])
        .order_by("normalised")[:8]
    )
    return render(request, "dreams/_tag_suggestions.html", {"suggestions": suggestions})


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
    dreams = Dream.objects.in_trash().filter(owner=request.user).order_by("-deleted_at")
    return render(
        request, "dreams/trash.html", {"dreams": dreams, "trash_days": entries.TRASH_DAYS}
    )
