"""Recurring threads: a dream's thread as a story, and linking a dream to an earlier one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from dreams import threads
from dreams.models import Dream


@require_safe
def thread_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visible = Dream.objects.visible_to(request.user)
    dream = get_object_or_404(visible, pk=pk)
    story = threads.story(threads.members(dream, among=visible))
    return render(request, "dreams/thread.html", {"dream": dream, "story": story})


@login_required
@require_POST
def thread_link(request: HttpRequest, pk: int) -> HttpResponse:
    dream = get_object_or_404(Dream.objects.owned_by(request.user), pk=pk)
    earlier_id = request.POST.get("earlier", "")
    earlier = None
    if earlier_id:
        earlier = Dream.objects.owned_by(request.user).filter(pk=earlier_id).first()
        if earlier is None:
            messages.error(request, "Choose one of your dreams.")
            return redirect(dream)
    try:
        threads.link(dream, earlier=earlier)
    except threads.ThreadError as error:
        messages.error(request, str(error))
        return redirect(dream)
    if earlier is None:
        messages.success(request, "No longer linked to an earlier dream.")
        return redirect(dream)
    messages.success(request, f"Linked: this is “{earlier.title}” again.")
    return redirect("dreams:thread", pk=dream.pk)
