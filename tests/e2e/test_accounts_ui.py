"""The throttle as a writer on a phone meets it: a plain message on the first screen."""

from __future__ import annotations

import pytest

PHONE = {"width": 390, "height": 844}


def _try(page, name: str, password: str):
    page.fill("#id_username", name)
    page.fill("#id_password", password)
    with page.expect_navigation() as navigation:
        page.click("[type=submit]")
    return navigation.value


def _on_first_screen(page, selector: str) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_lockout_message_on_a_phone(new_page, writer, settings, scheme):
    page = new_page(**PHONE, scheme=scheme)
    page.goto("/accounts/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        assert _try(page, "wren", "not my password").status == 200
        assert "correct username and password" in page.locator("[role=alert]").inner_text()
    response = _try(page, "wren", "a sleepy dream 77")
    assert response.status == 429
    alert = page.locator("[role=alert]")
    assert alert.inner_text().strip() == (
        "Too many failed attempts. Wait 15 minutes, then try again."
    )
    _on_first_screen(page, "[role=alert]")
    _on_first_screen(page, "button[type=submit]")  # the form stays, for later
    assert page.input_value("#id_username") == "wren"
    assert "/accounts/login/" in page.url


def test_the_admins_lockout_page_on_a_phone(new_page, django_user_model, settings):
    django_user_model.objects.create_superuser(username="keeper", password="a keeper's key 12")
    page = new_page(**PHONE)
    page.goto("/admin/login/")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(page, "keeper", "wrong")
    response = _try(page, "keeper", "a keeper's key 12")
    assert response.status == 429
    assert page.locator("h1").inner_text() == "Too many attempts"
    _on_first_screen(page, "[role=alert]")
    assert "Wait 15 minutes" in page.locator("[role=alert]").inner_text()
