"""axe finds nothing on the pages a newcomer meets first, in both themes, at desktop and phone
sizes (with the phone's menu open)."""

import datetime

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from dreams import entries
from dreams.models import Dream

PUBLIC = ["/", "/search/?q=light", "/motifs/", "/accounts/login/", "/accounts/signup/"]
PRIVATE = ["/dreams/new/", "/?scope=mine", "/insights/", "/tags/", "/trash/", "/accounts/logout/"]


def _check(page, urls: list[str], where: str, *, open_menu: bool = False) -> None:
    axe = Axe()
    for url in urls:
        page.goto(url)
        if open_menu:
            page.get_by_text("Menu").click()
        results = axe.run(page)
        assert results.violations_count == 0, f"{url} ({where}):\n{results.generate_report()}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_public_pages_have_no_violations(new_page, seeds, scheme, size):
    page = new_page(width=size[0], height=size[1], scheme=scheme)
    dream = seeds[0]
    motif = dream.card_motifs[0].slug
    urls = [*PUBLIC, dream.get_absolute_url(), f"/motifs/{motif}/"]
    _check(page, urls, f"{scheme} {size}", open_menu=size[0] < 600)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", [(1280, 900), (390, 844)], ids=["desktop", "phone"])
def test_a_writers_pages_have_no_violations(new_page, writer, log_in, scheme, size):
    for days, body in enumerate(["A mirror and a moth.", "A moth, a mirror and a wolf."]):
        day = timezone.localdate() - datetime.timedelta(days=days * 31)
        entries.save_dream(
            Dream(owner=writer, title="Glass", body=body, lucid=True, dreamt_on=day),
            tags=["work"],
        )
    page = log_in(new_page(width=size[0], height=size[1], scheme=scheme), writer)
    _check(page, PRIVATE, f"{scheme} {size}", open_menu=size[0] < 600)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_empty_pages_have_no_violations(new_page, writer, log_in, scheme):
    page = log_in(new_page(scheme=scheme), writer)
    _check(page, ["/?scope=mine", "/insights/", "/motifs/", "/tags/", "/trash/"], scheme)
