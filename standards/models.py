import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Provider(models.Model):
    """A laboratory that calibrates our standards: VMI or an accredited lab."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=40)
    accreditation = models.CharField(
        _("accreditation"), max_length=120, blank=True, help_text=_("e.g. VILAS 001 (BoA)")
    )
    traceable_to_vi = models.CharField(
        _("traceable to (Vietnamese)"),
        max_length=300,
        default="chuẩn đo lường quốc gia của Việt Nam (VMI) và qua đó tới hệ đơn vị SI",
    )
    traceable_to_en = models.CharField(
        _("traceable to (English)"),
        max_length=300,
        default="the national measurement standards of Viet Nam (VMI) and through them to the SI",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("calibration provider")
        verbose_name_plural = _("calibration providers")

    def __str__(self) -> str:
        return self.short_name


class StandardStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    OUT_FOR_CALIBRATION = "out_for_calibration", _("Out for calibration")
    QUARANTINED = "quarantined", _("Quarantined")
    RETIRED = "retired", _("Retired")


class Standard(models.Model):
    """A reference or working measurement standard of the lab (chuẩn đo lường)."""

    asset_number = models.CharField(_("asset number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    quantity = models.CharField(_("quantity"), max_length=80, help_text=_("e.g. mass, temperature"))
    manufacturer = models.CharField(_("manufacturer"), max_length=120, blank=True)
    model = models.CharField(_("model"), max_length=120, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=80, blank=True)
    grade = models.CharField(_("class or grade"), max_length=60, blank=True)
    measuring_range = models.CharField(_("range"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=20)
    location = models.CharField(_("location"), max_length=120, blank=True)
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("custodian"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="standards_in_custody",
        limit_choices_to=~Q(role="customer"),
        help_text=_("The person who looks after the standard and is reminded before it is due."),
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=StandardStatus.choices,
        default=StandardStatus.IN_SERVICE,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["asset_number"]
        verbose_name = _("measurement standard")
        verbose_name_plural = _("measurement standards")

    def __str__(self) -> str:
        return f"{self.asset_number} {self.name}"

    def calibration_on(self, day: dt.date) -> "StandardCalibration | None":
        """The incoming calibration in force on `day`: the latest one done by then, not yet due."""
        return (
            self.calibrations.filter(calibrated_on__lte=day, due_on__gte=day)
            .order_by("-calibrated_on", "-pk")
            .first()
        )


class StandardCalibration(models.Model):
    """The certificate by which a provider calibrated one of our standards."""

    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="calibrations"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="calibrations"
    )
    certificate_number = models.CharField(_("certificate number"), max_length=60)
    calibrated_on = models.DateField(_("calibration date"))
    due_on = models.DateField(_("due date"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["-calibrated_on"]
        verbose_name = _("standard calibration")
        verbose_name_plural = _("standard calibrations")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "certificate_number"], name="standard_calibration_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(due_on__gt=models.F("calibrated_on")),
                name="standard_calibration_due_after_calibration",
                violation_error_message=_("The due date must be after the calibration date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.certificate_number}"


class StandardValue(models.Model):
    """One calibrated point of a standard: its value with expanded uncertainty and k."""

    calibration = models.ForeignKey(
        StandardCalibration,
        verbose_name=_("calibration"),
        on_delete=models.CASCADE,
        related_name="values",
    )
    label = models.CharField(_("label"), max_length=60, help_text=_("e.g. 1 kg, or 100 °C"))
    nominal = models.DecimalField(_("nominal value"), max_digits=20, decimal_places=9)
    value = models.DecimalField(
        _("calibrated value"),
        max_digits=20,
        decimal_places=9,
        help_text=_("The conventional or true value the certificate gives for this point."),
    )
    expanded_uncertainty = models.DecimalField(
        _("expanded uncertainty U"), max_digits=20, decimal_places=9
    )
    coverage_factor = models.DecimalField(
        _("coverage factor k"), max_digits=5, decimal_places=2, default=2
    )
    unit = models.CharField(_("unit"), max_length=20)
    history = HistoricalRecords()

    class Meta:
        ordering = ["calibration", "nominal"]
        verbose_name = _("calibrated value")
        verbose_name_plural = _("calibrated values")
        constraints = [
            models.CheckConstraint(
                condition=Q(expanded_uncertainty__gt=0) & Q(coverage_factor__gt=0),
                name="standard_value_positive_uncertainty",
                violation_error_message=_(
                    "The expanded uncertainty and the coverage factor must be greater than zero."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}: {self.value.normalize():f} ± {self.expanded_uncertainty.normalize():f} {self.unit} (k={self.coverage_factor})"

    @property
    def standard_uncertainty(self) -> float:
        return float(self.expanded_uncertainty) / float(self.coverage_factor)
