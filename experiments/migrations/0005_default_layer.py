"""Experiments from before layers join the layer "main"; each keeps its first variant serving the
default mix as its control. The global holdout's row is created, holding no one."""

import secrets

from django.db import migrations, models
import django.db.models.deletion


def to_main_layer(apps, schema_editor):
    Layer = apps.get_model("experiments", "Layer")
    Holdout = apps.get_model("experiments", "Holdout")
    if not Holdout.objects.exists():
        Holdout.objects.create(share=0.0, salt=secrets.token_hex(8))
    Experiment = apps.get_model("experiments", "Experiment")
    Variant = apps.get_model("experiments", "Variant")
    main, _ = Layer.objects.get_or_create(name="main", defaults={"description": "The default layer."})
    Experiment.objects.filter(layer__isnull=True).update(layer=main)
    for experiment in Experiment.objects.all():
        variants = Variant.objects.filter(experiment=experiment).order_by("id")
        control = variants.filter(policy__isnull=True).first() or variants.first()
        if control is not None:
            Variant.objects.filter(pk=control.pk).update(is_control=True)
    # A running experiment from before layers owns the whole layer.
    Experiment.objects.filter(status="running").update(bucket_start=0, bucket_end=10_000)


class Migration(migrations.Migration):
    dependencies = [
        ("experiments", "0004_variant_overrides_and_metrics"),
    ]

    operations = [
        migrations.RunPython(to_main_layer, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="experiment",
            name="layer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="experiments", to="experiments.layer"
            ),
        ),
    ]
