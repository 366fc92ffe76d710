"""Cards carry their dream's tag names, so a page of cards is one query: fill them in."""

from django.db import migrations

BATCH = 500


def add_tags(apps, schema_editor):
    Dream = apps.get_model("dreams", "Dream")
    DreamTag = apps.get_model("dreams", "DreamTag")
    pks = list(Dream.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        dreams = list(Dream.objects.filter(pk__in=pks[start : start + BATCH]))
        names = {dream.pk: [] for dream in dreams}
        links = DreamTag.objects.filter(dream__in=dreams).order_by("pk")
        for dream_id, name in links.values_list("dream_id", "tag__name"):
            names[dream_id].append(name)
        for dream in dreams:
            dream.card = {**(dream.card or {}), "tags": names[dream.pk]}
        Dream.objects.bulk_update(dreams, ["card"])


def drop_tags(apps, schema_editor):
    Dream = apps.get_model("dreams", "Dream")
    dreams = list(Dream.objects.all())
    for dream in dreams:
        (dream.card or {}).pop("tags", None)
    Dream.objects.bulk_update(dreams, ["card"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("dreams", "0008_postgres_search")]

    operations = [migrations.RunPython(add_tags, drop_tags)]
