"""Search: one page, a real GET form, live through htmx."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from dreams import query, search
from dreams.views.fragments import HtmxHttpRequest, is_fragment

PER_PAGE = 20
MAX_PAGE = 500


def _page_number(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


@require_safe
@vary_on_headers("HX-Request", "HX-History-Restore-Request")
def search_page(request: HtmxHttpRequest) -> HttpResponse:
    # Control characters (a pasted NUL) never reach the page or the query.
    text = query.without_control(request.GET.get("q", ""))[: query.MAX_QUERY * 2]
    page = _page_number(request.GET.get("page"))
    results = search.search(
        user=request.user, text=text, offset=(page - 1) * PER_PAGE, limit=PER_PAGE
    )
    pages = max((results.count + PER_PAGE - 1) // PER_PAGE, 1)
    template = "dreams/search.html"
    if is_fragment(request):
        template += "#results"
    return render(
        request,
        template,
        {
            "q": text,
            "results": results,
            "page": page,
            "pages": pages,
            "previous_url": "?" + urlencode({"q": text, "page": page - 1}) if page > 1 else "",
            "next_url": "?" + urlencode({"q": text, "page": page + 1}) if page < pages else "",
            "corrected_url": "?" + urlencode({"q": results.corrected}) if results.corrected else "",
        },
    )
