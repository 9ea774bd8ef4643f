import secrets

from django.db import migrations


def forward(apps, schema_editor):
    Certificate = apps.get_model("certificates", "Certificate")
    HistoricalCertificate = apps.get_model("certificates", "HistoricalCertificate")
    for certificate in Certificate.objects.filter(token=None):
        certificate.token = secrets.token_urlsafe(32)
        certificate.save(update_fields=["token"])
        HistoricalCertificate.objects.filter(id=certificate.pk).update(token=certificate.token)
    HistoricalCertificate.objects.filter(token=None).update(token="")  # of deleted rows


class Migration(migrations.Migration):
    dependencies = [("certificates", "0006_verification_token")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
