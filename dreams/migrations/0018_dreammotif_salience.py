from django.db import migrations, models
from django.db.models import F


def rough_salience(apps, schema_editor):
    # Until a dream is saved again (and ranked properly), its motifs rank by how often they
    # occur, body parts and hues at half weight, as the chips did before.
    DreamMotif = apps.get_model("dreams", "DreamMotif")
    DreamMotif.objects.update(salience=F("count"))
    DreamMotif.objects.filter(motif__category__in=["body", "colour"]).update(
        salience=F("count") * 0.5
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dreams", "0017_pictures"),
    ]

    operations = [
        migrations.AddField(
            model_name="dreammotif",
            name="salience",
            field=models.FloatField(default=0.0),
        ),
        migrations.RunPython(rough_salience, migrations.RunPython.noop),
    ]
