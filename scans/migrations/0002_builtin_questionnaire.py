from django.db import migrations


def load_builtin(apps, schema_editor):
    from scans.builtin import sync_builtin_questionnaires

    sync_builtin_questionnaires(
        apps.get_model("scans", "Questionnaire"), apps.get_model("scans", "QuestionnaireVersion")
    )


class Migration(migrations.Migration):
    dependencies = [("scans", "0001_scan_models")]

    operations = [migrations.RunPython(load_builtin, migrations.RunPython.noop)]
