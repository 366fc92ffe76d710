"""Every dream saved exactly once: the form's key is the idempotency key of its save."""

import threading
import uuid

import pytest
from django.urls import reverse

from dreams import entries
from dreams.models import Draft, Dream, SavedForm


def entry(**overrides) -> dict:
    data = {
        "title": "",
        "body": "A lighthouse walked into the sea and I followed it.",
        "dreamt_on": "2026-11-20",
        "tags": "sea, light",
        "visibility": "private",
        "draft_key": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_the_same_post_twice_makes_one_dream_and_says_so(client, user):
    client.force_login(user)
    data = entry()
    first = client.post(reverse("dreams:new"), data)
    again = client.post(reverse("dreams:new"), data, follow=True)
    dream = Dream.objects.get()
    assert first.url == dream.get_absolute_url()
    assert again.redirect_chain[-1][0] == dream.get_absolute_url()
    assert "already saved" in again.content.decode()
    assert dream.version == 1 and SavedForm.objects.get().dream == dream


def test_back_then_more_words_then_save_edits_the_dream_it_made(client, user):
    client.force_login(user)
    data = entry()
    client.post(reverse("dreams:new"), data)
    data["body"] += " The keeper waved."
    response = client.post(reverse("dreams:new"), data, follow=True)
    dream = Dream.objects.get()
    assert dream.body.endswith("The keeper waved.") and dream.version == 2
    assert "new words are in" in response.content.decode()


def test_a_replay_after_an_edit_elsewhere_is_merged_never_a_copy_or_overwrite(client, user):
    client.force_login(user)
    data = entry()
    client.post(reverse("dreams:new"), data)
    dream = Dream.objects.get()
    edit = client.get(reverse("dreams:edit", args=[dream.pk])).context["form"]
    client.post(
        reverse("dreams:edit", args=[dream.pk]),
        entry(body="Edited on the laptop.", version=edit["version"].value()),
    )
    data["body"] += " Typed on the phone after Back."
    response = client.post(reverse("dreams:new"), data)
    # Both changed the one sentence: the merge page asks which words to keep.
    assert response.status_code == 302
    assert client.get(response["Location"]).templates[0].name == "dreams/merge.html"
    dream.refresh_from_db()
    assert dream.body == "Edited on the laptop." and Dream.objects.count() == 1
    # The phone's words are kept as a draft, started from the version that form saved.
    draft = Draft.objects.get(key=data["draft_key"])
    assert draft.body.endswith("after Back.") and draft.base_version == 1


def test_an_edit_posted_twice_is_saved_once(client, user, make_dream):
    client.force_login(user)
    dream = make_dream(user, body="Before.")
    data = entry(body="After.", version=str(dream.version))
    client.post(reverse("dreams:edit", args=[dream.pk]), data)
    again = client.post(reverse("dreams:edit", args=[dream.pk]), data, follow=True)
    dream.refresh_from_db()
    assert dream.body == "After." and dream.version == 2
    assert again.status_code == 200 and "already saved" in again.content.decode()
    assert Dream.objects.count() == 1 and dream.versions.count() == 2


def test_a_form_whose_dream_went_to_the_trash_saves_its_words_anew(client, user):
    client.force_login(user)
    data = entry()
    client.post(reverse("dreams:new"), data)
    entries.trash(Dream.objects.get())
    client.post(reverse("dreams:new"), data)
    assert Dream.objects.count() == 2 and Dream.objects.filter(deleted_at=None).count() == 1


def test_keys_are_per_owner(client, user, other_user):
    data = entry()
    client.force_login(user)
    client.post(reverse("dreams:new"), data)
    client.force_login(other_user)
    client.post(reverse("dreams:new"), data)
    assert sorted(Dream.objects.values_list("owner__username", flat=True)) == ["alice", "bob"]


def test_save_form_retries_when_the_other_post_won_the_race(user):
    key = uuid.uuid4()
    changes = {"title": "T", "body": "Words.", "visibility": "private"}
    first = entries.save_form(owner=user, key=key, dream=None, changes=changes, tags=[])
    second = entries.save_form(owner=user, key=key, dream=None, changes=changes, tags=[])
    assert (first.again, second.again, second.changed) == (False, True, False)
    assert second.dream.pk == first.dream.pk


def test_a_late_autosave_does_not_bring_back_a_saved_draft(client, user):
    client.force_login(user)
    data = entry()
    client.post(reverse("dreams:new"), data)
    late = client.post(
        reverse("dreams:autosave_new"), {"draft_key": data["draft_key"], "body": data["body"]}
    )
    assert late.status_code == 200 and not Draft.objects.exists()
    # Words the dream does not hold yet (typed after Back) are kept.
    client.post(
        reverse("dreams:autosave_new"),
        {"draft_key": data["draft_key"], "body": data["body"] + " More."},
    )
    assert Draft.objects.get().body.endswith("More.")


def test_an_autosave_of_fewer_words_that_raced_the_save_brings_no_draft_back(client, user):
    # The autosave left before Save was pressed and arrived after: older words, by the
    # device's own stamps, which the saved dream already holds with the last ones typed.
    client.force_login(user)
    data = entry(changed_at="1764500000500")
    client.post(reverse("dreams:new"), data)
    older = {"draft_key": data["draft_key"], "body": data["body"][:20]}
    late = client.post(reverse("dreams:autosave_new"), {**older, "changed_at": "1764500000200"})
    assert late.status_code == 200 and not Draft.objects.exists()
    # Typed after the save (Back, then more words): kept.
    later = {**older, "body": data["body"] + " More.", "changed_at": "1764500009000"}
    client.post(reverse("dreams:autosave_new"), later)
    assert Draft.objects.get().body.endswith("More.")


@pytest.mark.django_db(transaction=True)
def test_two_devices_posting_one_form_at_once_make_one_dream(django_user_model):
    from django.db import connection

    user = django_user_model.objects.create_user(username="twin", password="x" * 20)
    key = uuid.uuid4()
    changes = {"title": "T", "body": "The same words from two devices.", "visibility": "private"}
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def post():
        try:
            barrier.wait()
            outcomes.append(
                entries.save_form(owner=user, key=key, dream=None, changes=changes, tags=[])
            )
        except Exception as error:  # pragma: no cover - the assertion below shows it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Dream.objects.filter(owner=user).count() == 1
    assert sorted(o.again for o in outcomes) == [False, True]


def _save(user, body, *, tags=()):
    return entries.save_form(
        owner=user, key=uuid.uuid4(), dream=None, changes={"body": body}, tags=list(tags)
    )


def test_the_same_words_from_a_fresh_form_minutes_later_are_the_dream_already_saved(user):
    # Without JavaScript, Back shows a fresh form (a new key) with the words the browser put
    # back: saving them again leads to the dream they made.
    first = _save(user, "A heron in the kitchen sink.", tags=["birds"])
    again = _save(user, "A heron in the kitchen sink.", tags=["birds"])
    assert again.dream.pk == first.dream.pk and again.again and not again.changed
    assert Dream.objects.filter(owner=user).count() == 1


def test_other_words_or_an_hour_later_make_a_dream_of_their_own(user):
    from datetime import timedelta

    from django.utils import timezone

    first = _save(user, "A heron in the kitchen sink.")
    assert _save(user, "A heron in the bath.").dream.pk != first.dream.pk
    assert _save(user, "A heron in the kitchen sink.", tags=["birds"]).dream.pk != first.dream.pk
    SavedForm.objects.update(saved_at=timezone.now() - timedelta(hours=1))
    assert _save(user, "A heron in the kitchen sink.").dream.pk != first.dream.pk
    assert Dream.objects.filter(owner=user).count() == 4
