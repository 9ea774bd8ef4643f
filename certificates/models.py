from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from calibration.models import Calibration


class Kind(models.TextChoices):
    CALIBRATION = "calibration", _("Calibration")
    VERIFICATION = "verification", _("Verification")


class Certificate(models.Model):
    """An issued certificate: its number, its rendered PDF and the PDF's SHA-256, never changed."""

    number = models.CharField(_("number"), max_length=40, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.CALIBRATION
    )
    calibration = models.OneToOneField(
        Calibration,
        verbose_name=_("calibration"),
        on_delete=models.PROTECT,
        related_name="certificate",
    )
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        related_name="certificates_issued",
    )
    token = models.CharField(
        _("verification token"),
        max_length=64,
        unique=True,
        help_text=_("The unguessable key of the public verification page, printed as a QR code."),
    )
    pdf = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    dcc = models.BinaryField(
        _("DCC XML"),
        null=True,
        editable=False,
        help_text=_(
            "The Digital Calibration Certificate written at issue and embedded in the PDF; empty "
            "for certificates issued before the DCC was embedded."
        ),
    )
    history = HistoricalRecords(excluded_fields=["pdf", "dcc"])

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number

    @property
    def verify_url(self) -> str:
        return f"{settings.PUBLIC_URL}/verify/{self.token}/"


class Counter(models.Model):
    """The last number used for a kind of certificate in a year: numbers never repeat or skip."""

    kind = models.CharField(max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="counter_kind_year")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"
