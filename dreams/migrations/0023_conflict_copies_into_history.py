"""Conflict copies become versions in their dream's history; the copies go.

Before versions were kept, a save over a newer version kept the words not chosen as a
separate private dream (conflict_of set, "(conflict copy)" in its title). Each copy becomes a
version of the dream it copies (its words, fields, tags and motif choices, saved when the copy
was made), after which the dream's words as they are become its newest version again: nothing
is lost and nothing a writer sees on the dream changes. The copy's drafts, pictures (unless
the dream has the same one) and the dreams that recur it move to that dream.
"""

from django.db import migrations
from django.db.models import Max

SUFFIX = " (conflict copy)"
FIELDS = [
    "dreamt_on", "dreamt_on_precision", "dreamt_on_text", "lucid", "nightmare", "recurring",
    "vividness", "mood", "visibility", "show_tags", "title_derived",
]  # fmt: skip
HAND_SET = {"added": "keep", "removed": "drop"}


def snapshot(apps, dream) -> dict:
    DreamMotif = apps.get_model("dreams", "DreamMotif")
    DreamTag = apps.get_model("dreams", "DreamTag")
    fields = {name: getattr(dream, name) for name in FIELDS}
    if fields["dreamt_on"] is not None:
        fields["dreamt_on"] = fields["dreamt_on"].isoformat()
    links = DreamMotif.objects.filter(dream=dream, status__in=list(HAND_SET))
    return {
        "title": dream.title,
        "body": dream.body,
        "fields": fields,
        "tags": list(
            DreamTag.objects.filter(dream=dream).order_by("pk").values_list("tag__name", flat=True)
        ),
        "motif_choices": {
            slug: HAND_SET[status] for slug, status in links.values_list("motif__slug", "status")
        },
    }


def keep(apps, dream, snap, *, number, source, saved_at, based_on=None):
    DreamVersion = apps.get_model("dreams", "DreamVersion")
    DreamVersion.objects.create(
        dream=dream, number=number, source=source, saved_at=saved_at, based_on=based_on,
        title=snap["title"][:200], body=snap["body"], fields=snap["fields"], tags=snap["tags"],
        motif_choices=snap["motif_choices"],
    )  # fmt: skip


def root_of(copy, Dream):
    """The dream a copy (or a copy of a copy) was made of."""
    dream, seen = copy, {copy.pk}
    while dream.conflict_of_id is not None and dream.conflict_of_id not in seen:
        seen.add(dream.conflict_of_id)
        dream = Dream.objects.get(pk=dream.conflict_of_id)
    return dream


def copies_into_history(apps, schema_editor):
    Dream = apps.get_model("dreams", "Dream")
    copies = list(Dream.objects.filter(conflict_of__isnull=False).order_by("created_at", "pk"))
    roots, folded = {}, []
    for copy in copies:
        root = root_of(copy, Dream)
        if root.conflict_of_id is not None:
            continue  # copies of each other, in a ring: left as the dreams they are
        roots.setdefault(root.pk, []).append(copy)
        folded.append(copy.pk)
    for root_pk, its_copies in roots.items():
        fold(apps, Dream.objects.get(pk=root_pk), its_copies)
    Dream.objects.filter(pk__in=folded).delete()


def fold(apps, root, copies):
    """Keep each copy as a version of root, then root as it is on top of them."""
    Dream = apps.get_model("dreams", "Dream")
    Draft = apps.get_model("dreams", "Draft")
    DreamVersion = apps.get_model("dreams", "DreamVersion")
    top = DreamVersion.objects.filter(dream=root).aggregate(top=Max("number"))["top"] or 0
    number = max(root.version, top)
    now_snap = snapshot(apps, root)
    if not DreamVersion.objects.filter(dream=root, number=root.version).exists():
        keep(apps, root, now_snap, number=root.version, source="earlier", saved_at=root.updated_at)
    for copy in copies:
        number += 1
        snap = snapshot(apps, copy)
        snap["title"] = snap["title"].removesuffix(SUFFIX) or root.title
        snap["fields"]["visibility"] = root.visibility  # the copy was made private, as a copy
        keep(apps, root, snap, number=number, source="copy", saved_at=copy.created_at)
        Draft.objects.filter(dream=copy).update(dream=root, base_version=number)
        move_pictures(apps, copy, root)
        Dream.objects.filter(recurs=copy).exclude(pk=root.pk).update(recurs=root)
    number += 1
    keep(apps, root, now_snap, number=number, source="earlier", saved_at=root.updated_at)
    Dream.objects.filter(pk=root.pk).update(version=number)


def move_pictures(apps, copy, root):
    Dream = apps.get_model("dreams", "Dream")
    Picture = apps.get_model("dreams", "Picture")
    have = set(Picture.objects.filter(dream=root).values_list("sha256", flat=True))
    start = (Picture.objects.filter(dream=root).aggregate(top=Max("position"))["top"] or 0) + 1
    moved = False
    for offset, picture in enumerate(Picture.objects.filter(dream=copy).order_by("position", "id")):
        if picture.sha256 in have:
            continue  # the same picture is on the dream already
        have.add(picture.sha256)
        picture.dream, picture.is_cover, picture.position = root, False, start + offset
        picture.save(update_fields=["dream", "is_cover", "position"])
        moved = True
    if moved:
        root = Dream.objects.get(pk=root.pk)
        pictures = Picture.objects.filter(dream=root).order_by("position", "id")
        card = dict(root.card)
        card["pictures"] = [[p.key, p.alt, p.width, p.height] for p in pictures]
        Dream.objects.filter(pk=root.pk).update(card=card)


class Migration(migrations.Migration):
    dependencies = [("dreams", "0022_dream_versions")]

    operations = [migrations.RunPython(copies_into_history, migrations.RunPython.noop)]
