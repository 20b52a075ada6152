"""Random keys for answers, counters, free texts and receipts (an increasing key told the
order of submission), shuffled when copied so that row order tells nothing either; the
release tables; the free-text pool; device keys; single-use slips.

Existing responses count as released (reports showed them already), so that no figure
changes when this runs."""

import random
import uuid

import django.db.models.deletion
from django.db import migrations, models

import scans.models


def _copy_shuffled(apps, old_name, new_name, fields):
    old = apps.get_model("scans", old_name)
    new = apps.get_model("scans", new_name)
    rows = list(old.objects.values_list(*fields))
    random.SystemRandom().shuffle(rows)
    for start in range(0, len(rows), 2000):
        new.objects.bulk_create(
            new(id=uuid.uuid4(), **dict(zip(fields, row, strict=True)))
            for row in rows[start : start + 2000]
        )


def copy_answers(apps, schema_editor):
    _copy_shuffled(apps, "Answer", "AnswerNew", ["response_id", "question", "option"])


def copy_counters(apps, schema_editor):
    _copy_shuffled(
        apps, "Counter", "CounterNew", ["campaign_id", "node_id", "question", "option", "n"]
    )


def copy_texts(apps, schema_editor):
    _copy_shuffled(
        apps, "FreeText", "FreeTextNew", ["campaign_id", "node_id", "question", "text", "pick"]
    )


def release_existing(apps, schema_editor):
    Response = apps.get_model("scans", "Response")
    Counter = apps.get_model("scans", "Counter")
    ReleasedCounter = apps.get_model("scans", "ReleasedCounter")
    NodeRelease = apps.get_model("scans", "NodeRelease")
    Response.objects.update(released=True)
    ReleasedCounter.objects.bulk_create(
        ReleasedCounter(id=uuid.uuid4(), campaign_id=c, node_id=n, question=q, option=o, n=v)
        for c, n, q, o, v in Counter.objects.values_list(
            "campaign_id", "node_id", "question", "option", "n"
        )
    )
    days = {}
    for campaign_id, node_id, day in Response.objects.values_list(
        "campaign_id", "node_id", "submitted_on"
    ):
        if (campaign_id, node_id) not in days or days[(campaign_id, node_id)] < day:
            days[(campaign_id, node_id)] = day
    NodeRelease.objects.bulk_create(
        NodeRelease(campaign_id=c, node_id=n, released_on=day) for (c, n), day in days.items()
    )


def mark_links_used(apps, schema_editor):
    """Earlier answers may all have come through the open links: mark every answered team."""
    CampaignNode = apps.get_model("scans", "CampaignNode")
    Response = apps.get_model("scans", "Response")
    answered = Response.objects.values_list("node_id", flat=True).distinct()
    CampaignNode.objects.filter(pk__in=answered, is_target=True).update(link_used=True)


class Migration(migrations.Migration):
    dependencies = [
        ("scans", "0003_freetext_random_pick"),
    ]

    operations = [
        # Answers
        migrations.CreateModel(
            name="AnswerNew",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("question", models.CharField(max_length=40)),
                ("option", models.CharField(max_length=40)),
                (
                    "response",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="scans.response",
                    ),
                ),
            ],
        ),
        migrations.RunPython(copy_answers, migrations.RunPython.noop),
        migrations.DeleteModel(name="Answer"),
        migrations.RenameModel(old_name="AnswerNew", new_name="Answer"),
        migrations.AlterField(
            model_name="answer",
            name="response",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="answers",
                to="scans.response",
            ),
        ),
        migrations.AddIndex(
            model_name="answer",
            index=models.Index(fields=["question", "option"], name="scan_answer_q_option"),
        ),
        # Counters
        migrations.CreateModel(
            name="CounterNew",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("question", models.CharField(blank=True, max_length=40)),
                ("option", models.CharField(blank=True, max_length=40)),
                ("n", models.PositiveIntegerField(default=0)),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="scans.campaign",
                    ),
                ),
                (
                    "node",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="scans.campaignnode",
                    ),
                ),
            ],
        ),
        migrations.RunPython(copy_counters, migrations.RunPython.noop),
        migrations.DeleteModel(name="Counter"),
        migrations.RenameModel(old_name="CounterNew", new_name="Counter"),
        migrations.AddConstraint(
            model_name="counter",
            constraint=models.UniqueConstraint(
                fields=("campaign", "node", "question", "option"), name="scan_counter_key"
            ),
        ),
        # Free texts
        migrations.CreateModel(
            name="FreeTextNew",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("question", models.CharField(max_length=40)),
                ("text", models.TextField(max_length=1000)),
                ("pick", models.PositiveIntegerField(default=scans.models.random_pick)),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="scans.campaign",
                    ),
                ),
                (
                    "node",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="scans.campaignnode",
                    ),
                ),
            ],
        ),
        migrations.RunPython(copy_texts, migrations.RunPython.noop),
        migrations.DeleteModel(name="FreeText"),
        migrations.RenameModel(old_name="FreeTextNew", new_name="FreeText"),
        migrations.AddIndex(
            model_name="freetext",
            index=models.Index(fields=["campaign", "question", "pick"], name="scan_text_pick"),
        ),
        migrations.AddIndex(
            model_name="freetext",
            index=models.Index(fields=["node", "question", "pick"], name="scan_text_node_pick"),
        ),
        # Receipts: only needed for minutes (replays); the old ones are dropped.
        migrations.DeleteModel(name="SubmissionReceipt"),
        migrations.CreateModel(
            name="SubmissionReceipt",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("key_hash", models.CharField(max_length=64)),
                ("submitted_on", models.DateField()),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="scans.campaign",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("campaign", "key_hash"), name="scan_receipt_key"
                    )
                ]
            },
        ),
        # Responses: release state and device key
        migrations.AddField(
            model_name="response",
            name="released",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="response",
            name="superseded",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="response",
            name="device_hash",
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddConstraint(
            model_name="response",
            constraint=models.UniqueConstraint(
                condition=models.Q(("device_hash__isnull", False)),
                fields=("campaign", "device_hash"),
                name="scan_response_one_per_device",
            ),
        ),
        migrations.AddIndex(
            model_name="response",
            index=models.Index(
                fields=["campaign", "released", "node"], name="scan_response_release"
            ),
        ),
        migrations.CreateModel(
            name="ReleasedCounter",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("question", models.CharField(blank=True, max_length=40)),
                ("option", models.CharField(blank=True, max_length=40)),
                ("n", models.PositiveIntegerField(default=0)),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="scans.campaign",
                    ),
                ),
                (
                    "node",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="scans.campaignnode",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("campaign", "node", "question", "option"),
                        name="scan_released_key",
                    )
                ]
            },
        ),
        migrations.CreateModel(
            name="NodeRelease",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("released_on", models.DateField()),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="scans.campaign",
                    ),
                ),
                (
                    "node",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="release",
                        to="scans.campaignnode",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="FreeTextPool",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("question", models.CharField(max_length=40)),
                ("text", models.TextField(max_length=1000)),
                ("ready", models.BooleanField(default=False)),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="scans.campaign",
                    ),
                ),
                (
                    "node",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="scans.campaignnode",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["campaign", "ready"], name="scan_pool_ready")]
            },
        ),
        migrations.CreateModel(
            name="ScanSlip",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("token_hash", models.CharField(max_length=64, unique=True)),
                ("used", models.BooleanField(default=False)),
                (
                    "campaign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slips",
                        to="scans.campaign",
                    ),
                ),
                (
                    "node",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slips",
                        to="scans.campaignnode",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="campaignnode",
            name="link_enabled",
            field=models.BooleanField(default=True),
        ),
        migrations.AddField(
            model_name="campaignnode",
            name="link_used",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_links_used, migrations.RunPython.noop),
        migrations.RunPython(release_existing, migrations.RunPython.noop),
    ]
