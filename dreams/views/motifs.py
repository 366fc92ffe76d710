"""Motifs: the list, a motif's page, and the writing form's live motif panel."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from dreams import caching, charts, vocabulary
from dreams.models import (
    NEWEST_FIRST,
    Dream,
    DreamMotif,
    Motif,
    MotifRejection,
)
from dreams.views.sessions import login_required_fragment

SPARK_MONTHS = 24
CO_OCCURRING = 10
CO_SAMPLE = 1000
CARDS = 24
CACHE_SECONDS = 120


@require_safe
def motif_list(request: HttpRequest) -> HttpResponse:
    visible = Dream.objects.visible_to(request.user)
    found = list(Motif.objects.in_dreams(visible).order_by("-dream_count", "name"))
    per_motif: dict[int, dict[datetime.date, int]] = defaultdict(dict)
    for row in DreamMotif.objects.shown().in_dreams(visible).per_month():
        per_motif[row["motif_id"]][_as_date(row["month"])] = row["n"]
    all_months = sorted({m for counts in per_motif.values() for m in counts})
    axis = charts.month_range(all_months[0], all_months[-1])[-SPARK_MONTHS:] if all_months else []
    for motif in found:
        counts = [per_motif[motif.pk].get(month, 0) for month in axis]
        motif.spark = charts.sparkline(
            counts,
            label=f"{motif.name}: {motif.dream_count} dream{'s' if motif.dream_count != 1 else ''}"
            f" over {len(axis)} month{'s' if len(axis) != 1 else ''}",
        )
    return render(
        request,
        "dreams/motif_list.html",
        {"motifs": found, "months": axis, "categories": Motif.Category.choices},
    )


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


@require_safe
def motif_detail(request: HttpRequest, slug: str) -> HttpResponse:
    visible = Dream.objects.visible_to(request.user)
    motif = vocabulary.motif_for_user(request.user, slug)
    if motif is None:
        # Someone's own motif on a dream this viewer can read has a page too.
        motif = Motif.objects.linked_to(visible).filter(slug=slug).first()
    if motif is None:
        raise Http404("No such motif.")
    # What the page shows of the dreams changes only when a dream does: kept per process.
    key = caching.key("motif-page", motif.pk, request.user.pk, caching.journal_stamp())
    shown = caching.kept(
        key, lambda: _motif_in_dreams(motif, visible.with_motif(motif)), seconds=CACHE_SECONDS
    )
    own_words = []
    rejected = False
    if request.user.is_authenticated:
        own_words = list(motif.user_aliases.filter(owner=request.user))
        rejected = MotifRejection.objects.filter(owner=request.user, motif=motif).exists()
    return render(
        request,
        "dreams/motif_detail.html",
        {
            "motif": motif,
            **shown,
            "own_words": own_words,
            "rejected": rejected,
            "cards_key": key,  # the viewer's own, so their own cards may show all their tags
            "tags_viewer": request.user.pk,
        },
    )


def _motif_in_dreams(motif: Motif, dreams) -> dict:
    """The motif across these dreams: when it came, its companions, its words, its dreams."""
    links = DreamMotif.objects.shown().filter(motif=motif).in_dreams(dreams)
    seen = links.seen_dates()
    # Companions among the motif's latest dreams: a bounded question at any size.
    recent = links.order_by("-dream_id").values("dream_id")[:CO_SAMPLE]
    co = DreamMotif.objects.shown().filter(dream__in=recent).companions_of(motif)[:CO_OCCURRING]
    words = Counter()
    for evidence in links.values_list("evidence", flat=True)[:500]:
        words.update(span["text"].casefold() for span in evidence)
    cards = list(dreams.for_cards().order_by(*NEWEST_FIRST)[:CARDS])
    events = [(d.dreamt_on, d.title, d.get_absolute_url()) for d in cards if d.dreamt_on]
    return {
        "dreams": cards,
        "count": len(cards) if len(cards) < CARDS else dreams.count(),
        "first_seen": seen["first"],
        "last_seen": seen["last"],
        "undated": seen["undated"],
        "co_occurring": list(co),
        "words": words.most_common(12),
        "timeline": charts.timeline(events, label=f"When {motif.name} appeared"),
    }


@login_required_fragment
@require_POST
def motif_suggestions(request: HttpRequest) -> HttpResponse:
    """The writing form's live panel: the motifs its words show, with those words."""
    return _suggestions(request)


def _suggestions(request: HttpRequest, *, note: str = "", ok: bool = True) -> HttpResponse:
    dream = None
    if request.POST.get("dream"):
        dream = Dream.objects.owned_by(request.user).filter(pk=request.POST["dream"]).first()
    body = request.POST.get("body", "")[:100_000]
    suggestions = vocabulary.suggest(body, owner=request.user, dream=dream)
    return render(
        request,
        "dreams/_motif_suggestions.html",
        {
            "suggestions": suggestions,
            "written": bool(body.strip()),
            "posted_choices": vocabulary.choices_from(request.POST),
            "choice_labels": vocabulary.Choice.LABELS.items(),
            "categories": Motif.Category.choices,
            "note": note,
            "note_ok": ok,
        },
    )


@login_required_fragment
@require_POST
def motif_create(request: HttpRequest) -> HttpResponse:
    """A new motif, or another word for one, from words the author selected."""
    words = " ".join(request.POST.get("motif_words", "").split())[:80]
    target = request.POST.get("motif_target", "")
    try:
        if target:
            motif = vocabulary.motif_for_user(request.user, target)
            if motif is None:
                raise vocabulary.VocabularyError("Choose a motif.")
            vocabulary.add_word(owner=request.user, motif=motif, word=words)
            note = f"“{words}” now counts as {motif.name}."
        else:
            motif = vocabulary.make_motif(
                owner=request.user,
                name=request.POST.get("motif_name", "") or words,
                category=request.POST.get("motif_category", ""),
                words=[words],
            )
            note = f"New motif: {motif.name}."
    except vocabulary.VocabularyError as error:
        note, ok = str(error), False
    else:
        ok = True
    if request.htmx:
        return _suggestions(request, note=note, ok=ok)
    (messages.success if ok else messages.error)(request, note)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("dreams:motifs")
    return redirect(target)


def _own_vocabulary_motif(request: HttpRequest, slug: str) -> Motif:
    motif = vocabulary.motif_for_user(request.user, slug)
    if motif is None:
        raise Http404("No such motif.")
    return motif


@login_required
@require_POST
def motif_add_word(request: HttpRequest, slug: str) -> HttpResponse:
    motif = _own_vocabulary_motif(request, slug)
    try:
        alias = vocabulary.add_word(
            owner=request.user, motif=motif, word=request.POST.get("word", "")
        )
    except vocabulary.VocabularyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"“{alias.word}” now counts as {motif.name} in your dreams.")
    return redirect("dreams:motif", slug=motif.slug)


@login_required
@require_POST
def motif_allow(request: HttpRequest, slug: str) -> HttpResponse:
    motif = _own_vocabulary_motif(request, slug)
    vocabulary.allow_again(owner=request.user, motif=motif)
    messages.success(request, f"{motif.name} will be suggested again.")
    return redirect("dreams:motif", slug=motif.slug)
