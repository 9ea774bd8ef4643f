from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, OuterRef, Value, When
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from calibration.models import Calibration


class Kind(models.TextChoices):
    CALIBRATION = "calibration", _("Calibration")
    VERIFICATION = "verification", _("Verification")


class Status(models.TextChoices):
    """Where an issued certificate stands (ISO/IEC 17025 7.8.8): derived, never stored, since the
    certificate's own row never changes."""

    IN_FORCE = "in_force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CertificateQuerySet(models.QuerySet):
    def with_status(self):
        """Each certificate's `status`: withdrawn when withdrawn, superseded once the certificate
        replacing it is issued, in force otherwise."""
        return self.annotate(
            status=Case(
                When(
                    Exists(Withdrawal.objects.filter(certificate=OuterRef("pk"))),
                    then=Value(Status.WITHDRAWN),
                ),
                When(
                    Exists(
                        Replacement.objects.filter(
                            replaced=OuterRef("pk"), calibration__certificate__isnull=False
                        )
                    ),
                    then=Value(Status.SUPERSEDED),
                ),
                default=Value(Status.IN_FORCE),
                output_field=models.CharField(),
            )
        )


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

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")

    def __str__(self) -> str:
        return self.number

    @property
    def verify_url(self) -> str:
        return f"{settings.PUBLIC_URL}/verify/{self.token}/"

    @property
    def current_status(self) -> str:
        """The status as annotated by `with_status()`, or read now."""
        status = getattr(self, "status", None)
        if status is None:
            status = (
                Certificate.objects.with_status().values_list("status", flat=True).get(pk=self.pk)
            )
        return status

    def get_current_status_display(self) -> str:
        return Status(self.current_status).label

    @property
    def superseded_by(self) -> "Certificate | None":
        """The issued certificate that replaces this one, if any."""
        replacement = getattr(self, "replacement", None)
        if replacement is None:
            return None
        return Certificate.objects.filter(calibration_id=replacement.calibration_id).first()


class RevisionKind(models.TextChoices):
    AMENDMENT = "amendment", _("Amendment")
    REPLACEMENT = "replacement", _("Replacement")


class Replacement(models.Model):
    """The correction of an issued certificate (ISO/IEC 17025 7.8.8.2, 7.8.8.3).

    Opening one copies the issued calibration into a new draft with the same readings; once that
    draft is reviewed, approved and issued, its certificate names the one it replaces, the
    reason and what changed, and the replaced certificate shows as superseded everywhere. The
    record never changes: the database refuses to update or delete it.
    """

    replaced = models.OneToOneField(
        Certificate,
        verbose_name=_("certificate replaced"),
        on_delete=models.PROTECT,
        related_name="replacement",
    )
    calibration = models.OneToOneField(
        Calibration,
        verbose_name=_("corrected calibration"),
        on_delete=models.PROTECT,
        related_name="replacing",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=RevisionKind.choices)
    reason = models.TextField(_("reason"))
    changes = models.TextField(_("what changes"))
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("certificate replacement")
        verbose_name_plural = _("certificate replacements")

    def __str__(self) -> str:
        return f"{self.replaced} → #{self.calibration_id}"


class Withdrawal(models.Model):
    """An issued certificate withdrawn (no longer valid), with who, when and why; never changed."""

    certificate = models.OneToOneField(
        Certificate,
        verbose_name=_("certificate"),
        on_delete=models.PROTECT,
        related_name="withdrawal",
    )
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("withdrawn at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("certificate withdrawal")
        verbose_name_plural = _("certificate withdrawals")

    def __str__(self) -> str:
        return f"{self.certificate} ({self.at:%Y-%m-%d})"


class Counter(models.Model):
    """The last number used for a kind of certificate in a year: numbers never repeat or skip."""

    kind = models.CharField(max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "year"], name="counter_kind_year")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.last}"
