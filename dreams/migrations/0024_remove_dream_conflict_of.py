from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("dreams", "0023_conflict_copies_into_history")]

    operations = [migrations.RemoveField(model_name="dream", name="conflict_of")]
