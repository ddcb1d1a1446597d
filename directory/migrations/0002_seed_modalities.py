from django.db import migrations

MODALITIES = [
    ("craniosacral-therapy", "Craniosacral therapy"),
    ("biodynamic-craniosacral-therapy", "Biodynamic craniosacral therapy"),
    ("visceral-manipulation", "Visceral manipulation"),
    ("myofascial-release", "Myofascial release"),
    ("lymphatic-drainage", "Lymphatic drainage"),
    ("somatoemotional-release", "Somatoemotional release"),
    ("cranial-osteopathy", "Cranial osteopathy"),
    ("massage-therapy", "Massage therapy"),
    ("reiki", "Reiki"),
    ("shiatsu", "Shiatsu"),
    ("reflexology", "Reflexology"),
    ("feldenkrais-method", "Feldenkrais method"),
    ("polarity-therapy", "Polarity therapy"),
    ("acupressure", "Acupressure"),
]


def add_modalities(apps, schema_editor):
    Modality = apps.get_model("directory", "Modality")
    for slug, name in MODALITIES:
        Modality.objects.update_or_create(slug=slug, defaults={"name": name})


def remove_modalities(apps, schema_editor):
    Modality = apps.get_model("directory", "Modality")
    Modality.objects.filter(
        slug__in=[slug for slug, _ in MODALITIES], practitioners__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [migrations.RunPython(add_modalities, remove_modalities)]
