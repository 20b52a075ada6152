"""Load the built-in formats from formats/builtin/*.yaml (again idempotently at start-up)."""

from django.db import migrations


def load_builtin_formats(apps, schema_editor):
    from formats.loader import sync_builtin_formats

    sync_builtin_formats(
        apps.get_model("formats", "Format"), apps.get_model("formats", "FormatVersion")
    )


class Migration(migrations.Migration):
    dependencies = [("formats", "0001_formats_and_versions")]

    operations = [
        migrations.RunPython(load_builtin_formats, migrations.RunPython.noop, elidable=True),
    ]
