import datetime

import pytest

from dreams import vocabulary
from dreams.models import Dream


@pytest.fixture
def journal(user, other_user, make_dream):
    shared = Dream.Visibility.SHARED
    return [
        make_dream(
            user,
            title="First",
            body="A mirror and a moth.",
            visibility=shared,
            dreamt_on=datetime.date(2025, 1, 10),
        ),
        make_dream(
            user,
            title="Second",
            body="Mirrors and a moth again.",
            visibility=shared,
            dreamt_on=datetime.date(2025, 3, 1),
        ),
        make_dream(
            user, title="Private", body="A mirror, alone.", dreamt_on=datetime.date(2025, 6, 1)
        ),
        make_dream(other_user, title="Theirs secret", body="A mirror in a lake."),
    ]


def test_the_motif_list_counts_only_what_the_viewer_may_see(client, journal, user):
    response = client.get("/motifs/")
    counts = {m.slug: m.dream_count for m in response.context["motifs"]}
    assert counts["mirror"] == 2 and counts["moth"] == 2
    assert "<svg" in response.content.decode() and 'class="sparkline"' in response.content.decode()
    client.force_login(user)
    counts = {m.slug: m.dream_count for m in client.get("/motifs/").context["motifs"]}
    assert counts["mirror"] == 3


def test_a_motif_page_has_its_dreams_timeline_companions_and_first_and_last_seen(client, journal):
    response = client.get("/motifs/mirror/")
    assert response.status_code == 200
    ctx = response.context
    assert {d.title for d in ctx["dreams"]} == {"First", "Second"}
    assert ctx["first_seen"] == datetime.date(2025, 1, 10)
    assert ctx["last_seen"] == datetime.date(2025, 3, 1)
    assert next(row["motif__slug"] for row in ctx["co_occurring"]) == "moth"
    assert ("mirror", 1) in ctx["words"] and ("mirrors", 1) in ctx["words"]
    html = response.content.decode()
    assert 'class="timeline"' in html and "secret" not in html and "Private" not in html


def test_unknown_motifs_are_404(client, db):
    assert client.get("/motifs/no-such-thing/").status_code == 404


def test_motif_pages_query_count_is_fixed(client, journal, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        client.get("/motifs/")
    with django_assert_max_num_queries(12):
        client.get("/motifs/mirror/")


def test_suggestions_fragment_for_the_writing_form(client, user):
    client.force_login(user)
    response = client.post(
        "/motifs/suggest/", {"body": "Mirrors, a mirrored hall.", "motif-mirror": "drop"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    html = response.content.decode()
    assert "<html" not in html and "<s><strong>Mirror</strong></s>" in html
    assert '<input type="hidden" name="motif-mirror" value="drop">' in html
    assert "Undo" in html and "Keep" not in html.split("Undo")[0].split("motif-mirror")[-1]


def test_a_panel_with_words_but_no_motif_says_none_were_found(client, user):
    # "Motifs appear here as you write" under a whole dream read as if it had not looked.
    client.force_login(user)

    def panel(body):
        response = client.post("/motifs/suggest/", {"body": body}, headers={"HX-Request": "true"})
        return response.content.decode()

    assert "No motifs found in these words yet" in panel("Ich weiß nicht mehr, wo ich war.")
    assert "Motifs appear here as you write" in panel("   ")
    german = panel("Die Tür war offen. Die Katze lief durch den Garten. Die Nacht war lang.")
    assert "Dying" not in german and "No motifs found in these words yet" in german


def test_one_tap_choices_in_the_motif_panel(client, user):
    client.force_login(user)
    body = "Mirrors, a mirrored hall, and a feather."
    post = {"body": body, "motif_choice": "feather:keep"}
    html = client.post("/motifs/suggest/", post, headers={"HX-Request": "true"}).content.decode()
    assert "mirrors, mirrored" in html and "Kept" in html
    assert '<input type="hidden" name="motif-feather" value="keep">' in html
    assert '<input type="hidden" name="motif-mirror" value="">' in html
    # "Not this", then Undo: the row comes back as found.
    post = {"body": body, "motif-feather": "keep", "motif_choice": "mirror:drop"}
    html = client.post("/motifs/suggest/", post, headers={"HX-Request": "true"}).content.decode()
    assert "<s><strong>Mirror</strong></s>" in html and "Undo" in html
    post = {"body": body, "motif-mirror": "drop", "motif_choice": "mirror:"}
    html = client.post("/motifs/suggest/", post, headers={"HX-Request": "true"}).content.decode()
    assert "<s>" not in html and '<input type="hidden" name="motif-mirror" value="">' in html
    assert "Never suggest Mirror" in html


def test_without_javascript_a_choice_button_saves_the_dream_with_it(client, user):
    client.force_login(user)
    form = client.get("/dreams/new/").content.decode()
    assert 'name="motif_choice"' not in form  # nothing written yet, nothing to choose
    response = client.post(
        "/dreams/new/",
        {"body": "A feather on the sill.", "motif-feather": "", "motif_choice": "feather:drop",
         "visibility": "private", "dreamt_on": "2025-01-02"},
    )  # fmt: skip
    assert response.status_code == 302
    dream = Dream.objects.get(owner=user)
    assert not dream.motifs.filter(slug="feather", dream_links__status="detected").exists()
    assert dream.motif_links.get(motif__slug="feather").status == "removed"


def test_making_a_motif_from_selected_words(client, user):
    client.force_login(user)
    response = client.post(
        "/motifs/new/",
        {"motif_words": "paper swans", "motif_name": "Paper swan", "motif_category": "object",
         "body": "Paper swans flew."},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    html = response.content.decode()
    assert "New motif: Paper swan" in html and "Paper swan</strong>" in html
    response = client.post(
        "/motifs/new/",
        {"motif_words": "looking glass", "motif_target": "mirror", "body": "a looking glass"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert "now counts as Mirror" in response.content.decode()


def test_someones_own_motif_on_a_shared_dream_has_a_page(client, user, make_dream):
    from dreams import vocabulary

    vocabulary.make_motif(owner=user, name="Glass owl", category="animal")
    make_dream(user, title="Owl night", body="A glass owl watched.",
               visibility=Dream.Visibility.SHARED)  # fmt: skip
    make_dream(user, title="Secret owl", body="Another glass owl.")
    response = client.get("/motifs/glass-owl/")
    assert response.status_code == 200
    assert [d.title for d in response.context["dreams"]] == ["Owl night"]


def test_first_and_last_seen_use_known_dates_only(client, user, make_dream):
    shared = Dream.Visibility.SHARED
    make_dream(user, title="Undated", body="An orb of light.", visibility=shared)
    response = client.get("/motifs/orb/")
    assert response.context["first_seen"] is None and response.context["last_seen"] is None
    html = response.content.decode()
    assert "Undated" in html and "First seen" in html
    make_dream(user, body="The orb again.", visibility=shared, dreamt_on=datetime.date(2024, 5, 2))
    response = client.get("/motifs/orb/")
    assert response.context["first_seen"] == datetime.date(2024, 5, 2)
    assert response.context["undated"] == 1


def test_a_dream_page_marks_its_chief_motifs_and_lists_the_others(client, user, make_dream):
    body = (
        "An orb floated above the orchard. The orb sang, and the orb split into seeds. "
        "I looked at my hand, my foot, my eye; a red door, a blue wall, a white floor."
    )
    dream = make_dream(user, body=body, visibility=Dream.Visibility.SHARED)
    html = client.get(dream.get_absolute_url()).content.decode()
    marked = html.count('class="motif-mark"')
    assert 'href="/motifs/orb/"' in html and "Also in this dream" in html
    assert 'class="motif-mark" href="/motifs/hand/"' not in html
    every = client.get(dream.get_absolute_url() + "?words=all").content.decode()
    assert every.count('class="motif-mark"') > marked
    assert 'class="motif-mark" href="/motifs/hand/"' in every
    assert "Mark only the chief motifs" in every


def test_a_card_shows_the_dreams_most_salient_motifs(user, make_dream):
    dream = make_dream(
        user, body="My hand, my hand, my eye and my hand again; then a lighthouse in the fog."
    )
    assert dream.card_motifs[0].slug == "tower"


GERMAN = "Ich stand vor dem Spiegel, und die Treppe war lang. Die Tür war offen."
NOT_ENGLISH = "Somnia’s motif words are English"


def test_the_motif_panel_says_why_text_in_another_language_shows_no_motifs(client, user):
    client.force_login(user)
    suggest = {"headers": {"HX-Request": "true"}}
    html = client.post("/motifs/suggest/", {"body": GERMAN}, **suggest).content.decode()
    assert "No motifs found in these words yet" in html and NOT_ENGLISH in html
    assert "select words in your dream to make motifs of your own" in html
    english = client.post("/motifs/suggest/", {"body": "A mirror."}, **suggest).content.decode()
    assert NOT_ENGLISH not in english
    empty = client.post("/motifs/suggest/", {"body": "Hm."}, **suggest).content.decode()
    assert NOT_ENGLISH not in empty and "No motifs found" in empty
    # The writer's own words are found in any language: the line stays beside them.
    vocabulary.make_motif(owner=user, name="Spiegel", category="object")
    html = client.post("/motifs/suggest/", {"body": GERMAN}, **suggest).content.decode()
    assert "<strong>Spiegel</strong>" in html and NOT_ENGLISH in html


def test_the_writing_form_says_so_for_a_dream_in_another_language(client, user, make_dream):
    dream = make_dream(user, body=GERMAN)
    client.force_login(user)
    html = client.get(f"/dreams/{dream.pk}/edit/").content.decode()
    assert NOT_ENGLISH in html
