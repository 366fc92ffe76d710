"""Drafts: the reconciliation rules (drafts.py) and how the server keeps them (entries)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dreams import drafts, entries
from dreams.models import Draft

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def test_the_words_hash_ignores_line_endings_and_nul_and_matches_the_browsers():
    assert drafts.words_hash(title="", body="a\r\nb") == drafts.words_hash(title="", body="a\nb")
    assert drafts.words_hash(title="T", body="b") != drafts.words_hash(title="", body="Tb")
    # CRC-32 of "\x1f" + "Hi ☾" in UTF-8; static/js/writing.js gives the same (tests/e2e).
    assert drafts.words_hash(title="", body="Hi ☾") == "e4c69b0d"


def test_a_device_time_is_read_from_milliseconds_and_never_far_in_the_future():
    millis = str(int((NOW - timedelta(minutes=5)).timestamp() * 1000))
    assert drafts.device_time(millis, now=NOW) == NOW - timedelta(minutes=5)
    assert drafts.device_time("", now=NOW) == NOW
    assert drafts.device_time("soon", now=NOW) == NOW
    assert drafts.device_time("9" * 30, now=NOW) == NOW
    far = str(int((NOW + timedelta(days=400)).timestamp() * 1000))
    assert drafts.device_time(far, now=NOW) == NOW + drafts.CLOCK_SLACK


def kept(pk, dream, minutes_ago):
    return drafts.Kept(pk, dream, NOW - timedelta(minutes=minutes_ago))


def test_the_quota_drops_the_expired_then_the_oldest_past_each_cap_never_the_one_kept():
    rows = [kept(1, None, 1), kept(2, None, 2), kept(3, None, 3), kept(4, 7, 4), kept(5, 7, 5)]
    rows.append(drafts.Kept(6, 8, NOW - timedelta(days=31)))
    assert drafts.over_quota(
        rows, keep=1, per_account=10, per_dream=2, max_age=timedelta(days=30), now=NOW
    ) == [6, 3]
    assert sorted(
        drafts.over_quota(
            rows, keep=1, per_account=3, per_dream=5, max_age=timedelta(days=30), now=NOW
        )
    ) == [4, 5, 6]
    # The draft just kept survives even a cap of one, whatever its age.
    old_keep = [drafts.Kept(9, None, NOW - timedelta(days=90)), kept(1, None, 1)]
    assert drafts.over_quota(
        old_keep, keep=9, per_account=1, per_dream=1, max_age=timedelta(days=30), now=NOW
    ) == [1]


def save(user, key, body, *, at, dream=None):
    return entries.keep_draft(
        owner=user, key=key, dream=dream, title="", body=body, fields={}, changed_at=at
    )


def test_an_older_autosave_arriving_late_never_overwrites_newer_words(user):
    key = uuid.uuid4()
    assert save(user, key, "One two three.", at=NOW).stored
    late = save(user, key, "One two.", at=NOW - timedelta(seconds=3))
    assert not late.stored and late.draft.body == "One two three."
    assert Draft.objects.get().body == "One two three."
    assert save(user, key, "One two three four.", at=NOW + timedelta(seconds=2)).stored
    draft = Draft.objects.get()
    assert draft.body == "One two three four."
    assert draft.words_hash == drafts.words_hash(title="", body="One two three four.")


def test_the_autosave_view_says_which_words_it_holds_and_refuses_a_late_one(client, user):
    client.force_login(user)
    key = str(uuid.uuid4())
    url = reverse("dreams:autosave_new")
    stamp = int(timezone.now().timestamp() * 1000)
    ok = client.post(url, {"draft_key": key, "body": "Newer words", "changed_at": stamp})
    assert f'data-saved-hash="{drafts.words_hash(title="", body="Newer words")}"' in ok.text
    late = client.post(url, {"draft_key": key, "body": "Older", "changed_at": stamp - 5000})
    assert late.status_code == 200 and "Newer words of this form are already saved" in late.text
    assert Draft.objects.get().body == "Newer words"


@pytest.mark.parametrize("field", ["title", "body"])
def test_a_draft_too_long_is_refused_with_the_reason_and_nothing_stored(client, user, field):
    client.force_login(user)
    size = {"title": entries.DRAFT_MAX_TITLE, "body": entries.DRAFT_MAX_BODY}[field] + 1
    data = {"draft_key": str(uuid.uuid4()), "body": "words", field: "w" * size}
    response = client.post(reverse("dreams:autosave_new"), data)
    assert response.status_code == 413
    assert "kept on this device" in response.text
    assert not Draft.objects.exists()


def test_drafts_past_the_caps_let_the_oldest_go_and_say_so(client, user, settings):
    settings.DRAFTS_PER_DREAM = 2
    client.force_login(user)
    url = reverse("dreams:autosave_new")
    for words in ("first owl", "second owl"):
        client.post(url, {"draft_key": str(uuid.uuid4()), "body": words})
    response = client.post(url, {"draft_key": str(uuid.uuid4()), "body": "third owl"})
    assert "“first owl”) was let go" in response.text
    assert sorted(Draft.objects.values_list("body", flat=True)) == ["second owl", "third owl"]


def test_drafts_per_account_are_capped_across_dreams(user, make_dream, settings):
    settings.DRAFTS_PER_ACCOUNT = 3
    dreams = [make_dream(user) for _ in range(4)]
    for dream in dreams:
        save(user, uuid.uuid4(), f"edit of {dream.pk}", at=timezone.now(), dream=dream)
    assert Draft.objects.count() == 3
    assert not Draft.objects.filter(dream=dreams[0]).exists()


def test_drafts_expire_after_thirty_days(user):
    save(user, uuid.uuid4(), "old", at=timezone.now())
    Draft.objects.update(updated_at=timezone.now() - timedelta(days=31))
    save(user, uuid.uuid4(), "new", at=timezone.now())
    assert list(Draft.objects.values_list("body", flat=True)) == ["new"]
    Draft.objects.update(updated_at=timezone.now() - timedelta(days=31))
    assert entries.purge_drafts() == 1


def test_the_form_lists_every_draft_of_mine_newest_first_and_nobody_elses(
    client, user, other_user, make_dream
):
    dream = make_dream(user, title="The flooded house")
    now = timezone.now()
    save(user, uuid.uuid4(), "Oldest words about a moth.", at=now - timedelta(minutes=9))
    save(user, uuid.uuid4(), "Edit words.", at=now - timedelta(minutes=5), dream=dream)
    save(user, uuid.uuid4(), "Newest words about a heron.", at=now)
    save(other_user, uuid.uuid4(), "Bob's secret words.", at=now)
    client.force_login(user)
    page = client.get(reverse("dreams:new"))
    listed = page.context["unsaved"]
    assert [d.opening_line for d in listed] == [
        "Newest words about a heron.",
        "Edit words.",
        "Oldest words about a moth.",
    ]
    assert [d.here for d in listed] == [True, False, True]
    assert listed[1].restore_url == f"/dreams/{dream.pk}/edit/?draft={listed[1].key}"
    html = page.content.decode()
    assert "editing “The flooded house”" in html and "secret" not in html
    # The form's own drafts go to the browser whole, to compare with its copies.
    assert sorted(d["body"] for d in page.context["here_drafts"]) == [
        "Newest words about a heron.",
        "Oldest words about a moth.",
    ]


def test_discard_drops_the_server_copy_and_tells_the_browser_to_drop_its_own(
    client, user, other_user
):
    mine, theirs = uuid.uuid4(), uuid.uuid4()
    save(user, mine, "mine", at=timezone.now())
    save(other_user, theirs, "theirs", at=timezone.now())
    client.force_login(user)
    response = client.post(
        reverse("dreams:discard_draft", args=[mine]), {"next": f"/dreams/new/?draft={mine}"}
    )
    assert response.url == "/dreams/new/"
    page = client.get(response.url).content.decode()
    assert f'<meta name="somnia-saved-draft" content="{mine}">' in page
    assert client.post(reverse("dreams:discard_draft", args=[theirs])).status_code == 404
    assert list(Draft.objects.values_list("body", flat=True)) == ["theirs"]


def test_an_autosave_costs_a_handful_of_queries(client, user, django_assert_max_num_queries):
    client.force_login(user)
    key = str(uuid.uuid4())
    url = reverse("dreams:autosave_new")
    client.post(url, {"draft_key": key, "body": "first words"})
    # Session and user, the form's saved state, one UPDATE: no quota pass for a known draft.
    with django_assert_max_num_queries(4):
        client.post(url, {"draft_key": key, "body": "first words and more"})


def test_saved_words_name_the_forms_saved_lately_with_their_words_hash(user):
    from dreams.models import SavedForm

    key = uuid.uuid4()
    saved = entries.save_form(
        owner=user,
        key=key,
        dream=None,
        changes={"body": "A kite over the ward."},
        tags=[],
        base_version=0,
        motif_choices={},
    )
    old = entries.save_form(
        owner=user,
        key=uuid.uuid4(),
        dream=None,
        changes={"body": "An old one."},
        tags=[],
        base_version=0,
        motif_choices={},
    )
    SavedForm.objects.filter(dream=old.dream).update(saved_at=timezone.now() - timedelta(days=8))
    assert entries.saved_words(owner=user) == [
        {
            "key": str(key),
            "hash": drafts.words_hash(title=saved.dream.title, body="A kite over the ward."),
            "bodyHash": drafts.words_hash(title="", body="A kite over the ward."),
        }
    ]
