"""Chief motifs: the few a dream's card shows and its page marks, one rule for both, and a
motif the author keeps is always among them without pushing the others out."""

import json

import pytest

from dreams import entries, exporting, motifs, vocabulary
from dreams.importing import files, saving
from dreams.models import Dream, DreamMotif

# Eleven motifs: Mirror, Feather, Being watched and Staircase stand out; the rest do not.
BODY = (
    "I stood before a tall mirror at the top of a staircase, and someone watching me from "
    "below. A white feather drifted down the stairs into black water. A stranger held out "
    "money and a bundle of old clothes. In the mirror my face was not my own."
)


def test_a_kept_motif_is_chief_and_the_others_are_chosen_as_without_it():
    found = [
        motifs.Salient("mirror", 10.9),
        motifs.Salient("feather", 7.7),
        motifs.Salient("staircase", 6.9),
        motifs.Salient("money", 3.2),
        motifs.Salient("water", 1.6),
        motifs.Salient("face", 1.5),
    ]
    assert motifs.chief(found) == ["mirror", "feather", "staircase"]
    # Keeping a motif that stands out changes nothing but the order; keeping one that does
    # not adds it first and pushes none of the others out.
    kept_mirror = [found[0]._replace(kept=True), *found[1:]]
    assert motifs.chief(kept_mirror) == ["mirror", "feather", "staircase"]
    kept_staircase = [*found[:2], found[2]._replace(kept=True), *found[3:]]
    assert motifs.chief(kept_staircase) == ["staircase", "mirror", "feather"]
    kept_face = [*found[:5], found[5]._replace(kept=True)]
    assert motifs.chief(kept_face) == ["face", "mirror", "feather", "staircase"]
    only_kept = [motifs.Salient("moth", 0.0, kept=True), motifs.Salient("hand", 1.0)]
    assert motifs.chief(only_kept) == ["moth", "hand"]
    assert motifs.chief([]) == []


def test_kept_motifs_all_stay_chief_first_and_push_none_of_the_others_out():
    ranked = [motifs.Salient(s, 9.0 - n, kept=n % 2 == 0) for n, s in enumerate("abcdefgh")]
    # Kept: a, c, e, g. Standing out with no choice made: a, b, c, d (the four most salient).
    assert motifs.chief(ranked) == ["a", "c", "e", "g", "b", "d"]


def page_motifs(client, dream) -> tuple[list[str], list[str]]:
    context = client.get(dream.get_absolute_url()).context
    return [slug for slug, _ in context["motifs"]], [slug for slug, _ in context["other_motifs"]]


def card_motifs(dream) -> list[str]:
    return [m.slug for m in Dream.objects.get(pk=dream.pk).card_motifs]


def saliences(dream) -> dict[str, float]:
    return dict(dream.motif_links.values_list("motif__slug", "salience"))


def post_new(client, **fields):
    client.post(
        "/dreams/new/",
        {"body": BODY, "dreamt_on": "2026-01-01", "visibility": "private", **fields},
    )
    return Dream.objects.filter(owner=client.user).latest("pk")


@pytest.fixture
def writer(client, user):
    client.force_login(user)
    client.user = user
    return client


def test_keeping_a_motif_on_the_form_keeps_the_others_chief_and_card_and_page_agree(writer):
    plain = post_new(writer)
    chief, others = page_motifs(writer, plain)
    assert chief == ["mirror", "feather", "being-watched", "staircase"]
    assert card_motifs(plain) == chief
    kept = post_new(writer, **{"motif-mirror": "keep"})
    assert kept.motif_links.get(motif__slug="mirror").status == DreamMotif.Status.ADDED
    assert page_motifs(writer, kept) == (chief, others)
    assert card_motifs(kept) == chief
    # Its salience is what the text gives it, as an export shows (no 1000).
    assert saliences(kept)["mirror"] == pytest.approx(saliences(plain)["mirror"], rel=0.2)
    assert saliences(kept)["mirror"] < 100


def test_keeping_a_motif_that_does_not_stand_out_puts_it_first_on_card_and_page(writer, user):
    dream = post_new(writer, motif_choice="water:keep")
    chief, others = page_motifs(writer, dream)
    # Water comes first; the four that stand out with no choice made stay (none pushed out).
    assert chief == ["water", "mirror", "feather", "being-watched", "staircase"]
    assert card_motifs(dream) == chief and "water" not in others
    before = saliences(dream)
    # An edit that keeps the words keeps the choice and the real saliences.
    entries.save_dream(dream)
    assert page_motifs(writer, dream)[0] == chief and card_motifs(dream) == chief
    assert saliences(dream) == pytest.approx(before)
    # Back to "as found": it goes back among the others.
    vocabulary.apply_motif_choices(dream, {"water": ""})
    assert page_motifs(writer, dream)[0] == ["mirror", "feather", "being-watched", "staircase"]
    assert card_motifs(dream) == page_motifs(writer, dream)[0]


def test_a_kept_motif_whose_words_are_gone_stays_chief_with_no_salience(writer):
    dream = post_new(writer, motif_choice="water:keep")
    dream.body = BODY.replace(" into black water", "")
    entries.save_dream(dream)
    chief = page_motifs(writer, dream)[0]
    assert chief[0] == "water" and card_motifs(dream) == chief
    assert saliences(dream)["water"] == 0


def test_keep_after_not_this_gives_the_motif_its_salience_back(user, make_dream):
    dream = make_dream(user, body=BODY)
    found = saliences(dream)["staircase"]
    vocabulary.apply_motif_choices(dream, {"staircase": "drop"})
    vocabulary.apply_motif_choices(dream, {"staircase": "keep"})
    assert saliences(dream)["staircase"] == pytest.approx(found)
    assert "staircase" in card_motifs(dream)


def test_an_export_keeps_real_saliences_and_imports_to_the_same_card_and_page(
    client, user, other_user, make_dream
):
    dream = make_dream(user, body=BODY, visibility=Dream.Visibility.SHARED)
    vocabulary.apply_motif_choices(dream, {"water": "keep"})
    raw = b"".join(exporting.export_json(user))
    record = json.loads(raw)["dreams"][0]
    exported = {m["slug"]: m["salience"] for m in record["motifs"]}
    assert exported["water"] == pytest.approx(saliences(dream)["water"]) and exported["water"] < 100
    expected = page_motifs(client, dream)
    assert expected[0][0] == "water" and card_motifs(dream) == expected[0]
    plan = files.read_file(name="export.json", opener=lambda: __import__("io").BytesIO(raw))
    list(plan.read())
    saving.apply(owner=other_user, plan=plan, keep_shared=True)
    copy = Dream.objects.get(owner=other_user)
    assert saliences(copy) == pytest.approx(saliences(dream))
    assert page_motifs(client, copy) == expected
    assert card_motifs(copy) == expected[0]


def test_an_older_export_that_kept_a_motif_at_1000_sets_no_bar(client, user, other_user):
    dream = entries.save_dream(
        Dream(owner=user, title="a", body=BODY, visibility=Dream.Visibility.SHARED)
    )
    vocabulary.apply_motif_choices(dream, {"mirror": "keep"})
    record = json.loads(b"".join(exporting.export_json(user)))
    for link in record["dreams"][0]["motifs"]:
        if link["slug"] == "mirror":
            link["salience"] = 1000.0  # as Somnia wrote a kept motif before
    raw = json.dumps(record).encode()
    plan = files.read_file(name="export.json", opener=lambda: __import__("io").BytesIO(raw))
    list(plan.read())
    saving.apply(owner=other_user, plan=plan, keep_shared=True)
    copy = Dream.objects.get(owner=other_user)
    chief = ["mirror", "feather", "being-watched", "staircase"]
    assert page_motifs(client, copy)[0] == chief and card_motifs(copy) == chief
