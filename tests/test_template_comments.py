"""Notes for developers never reach the page: Django's `{# #}` ends on its own line, so a note
that runs on must be a `{% comment %}` block, or its words show on every card and form."""

import re
from pathlib import Path

from django.test import Client

from dreams.models import Dream

ROOT = Path(__file__).resolve().parent.parent
DIRECTORIES = [ROOT / "templates", *sorted(ROOT.glob("*/templates"))]
UNCLOSED = re.compile(r"\{#(?!.*#\})")


def test_no_template_comment_runs_past_its_line():
    unclosed = [
        f"{path.relative_to(ROOT)}:{number}"
        for directory in DIRECTORIES
        for path in sorted(directory.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if UNCLOSED.search(line)
    ]
    assert not unclosed, f"{{# #}} comments spanning lines show on the page: {unclosed}"


def test_the_gallery_and_the_writing_form_show_no_template_notes(client, user, make_dream):
    make_dream(user, title="Shared", body="A lighthouse.", visibility=Dream.Visibility.SHARED)
    gallery = Client().get("/").content.decode()
    assert "Shared" in gallery and "{#" not in gallery and "#}" not in gallery
    client.force_login(user)
    form = client.get("/dreams/new/").content.decode()
    assert "{#" not in form and "#}" not in form
