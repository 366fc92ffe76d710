"""A card's motif chips are its dream's chief motifs, chosen by the rule the dream's page uses
(models.split_chief): those its author kept, then the others that stand out. Cards written
before showed the four most salient, and a kept motif was stored with a salience of 1000,
which set the bar for the rest. Rewrite the chips of every card; a link's salience of 1000
(kept by hand) becomes its dream's highest other salience, or 0 where its words are gone, as
refresh_motifs() would give it. (The cover's text alternative names the old chips until the
dream is next saved.)

The rule is copied here as it stands (a migration must not follow later changes of it)."""

from django.db import migrations

BATCH = 500
CHIEF_MOST = 4  # motifs.CHIEF_MOST
OLD_KEPT_SALIENCE = 1000.0  # vocabulary.KEPT_SALIENCE, gone


def _chief(links: list[tuple]) -> list[tuple]:
    """links: (status, salience, count, slug, name, category), most salient first."""
    if not links:
        return []
    floor = links[0][1] / 3
    kept = [link for link in links if link[0] == "added"]
    return kept + [link for link in links[:CHIEF_MOST] if link[1] >= floor and link[0] != "added"]


def _links_of(DreamMotif, pks: list[int]) -> dict[int, list[tuple]]:
    rows = (
        DreamMotif.objects.filter(dream_id__in=pks, status__in=["detected", "added"])
        .order_by("dream_id", "-salience", "-count")
        .values_list(
            "dream_id", "status", "salience", "count", "motif__slug", "motif__name",
            "motif__category",
        )
    )  # fmt: skip
    found: dict[int, list[tuple]] = {pk: [] for pk in pks}
    for dream_id, *link in rows:
        found[dream_id].append(tuple(link))
    return found


def _settle_kept(DreamMotif) -> None:
    kept = DreamMotif.objects.filter(salience__gte=OLD_KEPT_SALIENCE)
    for pk, dream_id, count in list(kept.values_list("pk", "dream_id", "count")):
        others = DreamMotif.objects.filter(dream_id=dream_id, salience__lt=OLD_KEPT_SALIENCE)
        top = others.order_by("-salience").values_list("salience", flat=True).first()
        DreamMotif.objects.filter(pk=pk).update(salience=(top or 0.0) if count else 0.0)


def rewrite_chips(apps, schema_editor):
    Dream = apps.get_model("dreams", "Dream")
    DreamMotif = apps.get_model("dreams", "DreamMotif")
    _settle_kept(DreamMotif)
    pks = list(Dream.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        chunk = pks[start : start + BATCH]
        links = _links_of(DreamMotif, chunk)
        changed = []
        for dream in Dream.objects.filter(pk__in=chunk).only("pk", "card"):
            chips = [[slug, name, category] for *_, slug, name, category in _chief(links[dream.pk])]
            if (dream.card or {}).get("motifs") != chips:
                dream.card = {**(dream.card or {}), "motifs": chips}
                changed.append(dream)
        Dream.objects.bulk_update(changed, ["card"])


class Migration(migrations.Migration):
    dependencies = [("dreams", "0026_saved_form_changed_at")]

    operations = [migrations.RunPython(rewrite_chips, migrations.RunPython.noop)]
