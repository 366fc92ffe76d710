import pytest
from django.core.management import call_command
from django.urls import reverse

from dreams.models import Dream


@pytest.fixture
def seeds(db):
    call_command("import_seeds", verbosity=0, stdout=__import__("io").StringIO())
    return list(Dream.objects.filter(source="seed"))


def test_healthz_touches_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_gallery_lists_the_seed_dreams_by_title(client, seeds):
    response = client.get(reverse("dreams:gallery"))
    assert response.status_code == 200
    html = response.content.decode()
    for dream in seeds:
        assert dream.title in html
        assert dream.get_absolute_url() in html
    assert "I am dreaming" not in html  # openings skip the preamble


def test_a_dream_page_shows_the_whole_narrative(client, seeds):
    dream = seeds[0]
    response = client.get(dream.get_absolute_url())
    assert response.status_code == 200
    assert response.context["dream"] == dream
    html = response.content.decode()
    assert dream.title in html
    assert "mezzanine" in html.lower() or "courtyard" in html.lower() or "<p>" in html


def test_private_dreams_are_404_to_everyone_but_their_owner(client, make_dream, user, other_user):
    dream = make_dream(user, title="Secret dream")
    assert client.get(dream.get_absolute_url()).status_code == 404
    assert "Secret dream" not in client.get("/").content.decode()
    client.force_login(other_user)
    assert client.get(dream.get_absolute_url()).status_code == 404
    assert "Secret dream" not in client.get("/").content.decode()
    client.force_login(user)
    assert client.get(dream.get_absolute_url()).status_code == 200
    assert "Secret dream" in client.get("/").content.decode()


def test_a_missing_dream_is_404(client, db):
    assert client.get("/dreams/999999/").status_code == 404


def test_narratives_are_sanitised(client, make_dream, user):
    dream = make_dream(
        user,
        body='<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="alert(1)">',
    )
    client.force_login(user)
    html = client.get(dream.get_absolute_url()).content.decode()
    body = html.split('class="dream__body', 1)[1]
    assert "<script>alert" not in body
    assert "javascript:" not in body
    assert "onerror" not in body


def test_the_gallery_query_count_does_not_grow_with_dreams(
    client, make_dream, user, django_assert_max_num_queries
):
    for i in range(3):
        make_dream(user, title=f"d{i}", visibility=Dream.Visibility.SHARED, tags=["x"])
    with django_assert_max_num_queries(6) as few:
        client.get("/")
    for i in range(10):
        make_dream(user, title=f"e{i}", visibility=Dream.Visibility.SHARED, tags=["y"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")
