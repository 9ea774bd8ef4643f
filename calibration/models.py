from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from lims.models import Customer
from standards.models import Standard, StandardCalibration, StandardValue


class Instrument(models.Model):
    """A customer's measuring instrument (phương tiện đo)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="instruments"
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("e.g. Electronic balance"))
    manufacturer = models.CharField(_("manufacturer"), max_length=120, blank=True)
    model = models.CharField(_("model"), max_length=120, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=80)
    customer_asset_id = models.CharField(_("customer's ID"), max_length=80, blank=True)
    measuring_range = models.CharField(_("range"), max_length=120, blank=True)
    resolution = models.DecimalField(
        _("resolution"),
        max_digits=20,
        decimal_places=9,
        help_text=_("Smallest step of the indication, in the instrument's unit."),
    )
    unit = models.CharField(_("unit"), max_length=20)
    location = models.CharField(_("location of use"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer", "name", "serial_number"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "manufacturer", "model", "serial_number"],
                name="instrument_unique_per_customer",
                violation_error_message=_(
                    "This customer already has an instrument with this maker, model and serial number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(resolution__gt=0),
                name="instrument_resolution_positive",
                violation_error_message=_("The resolution must be greater than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.model} S/N {self.serial_number}".replace("  ", " ")


class Procedure(models.Model):
    """A calibration method of the lab (quy trình hiệu chuẩn)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    quantity = models.CharField(_("quantity"), max_length=80)
    unit = models.CharField(_("unit"), max_length=20)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")

    def __str__(self) -> str:
        return f"{self.code} {self.title_vi}"


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")


class Calibration(models.Model):
    """One calibration of one instrument: conditions, standards, points, and its workflow state."""

    instrument = models.ForeignKey(
        Instrument,
        verbose_name=_("instrument"),
        on_delete=models.PROTECT,
        related_name="calibrations",
    )
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("procedure"),
        on_delete=models.PROTECT,
        related_name="calibrations",
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        on_delete=models.PROTECT,
        related_name="calibrations_performed",
    )
    received_on = models.DateField(_("date received"))
    performed_on = models.DateField(_("date of calibration"))
    place = models.CharField(
        _("place of calibration"), max_length=200, default="Phòng thí nghiệm / Laboratory"
    )
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=5, decimal_places=2)
    humidity = models.DecimalField(_("relative humidity (%)"), max_digits=5, decimal_places=2)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    standards = models.ManyToManyField(
        Standard, verbose_name=_("standards used"), through="StandardUse", related_name="uses"
    )
    remarks = models.TextField(_("remarks"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-performed_on", "-pk"]
        verbose_name = _("calibration")
        verbose_name_plural = _("calibrations")
        constraints = [
            models.CheckConstraint(
                condition=Q(performed_on__gte=models.F("received_on")),
                name="calibration_performed_after_receipt",
                violation_error_message=_(
                    "The calibration date cannot be before the date received."
                ),
            ),
            models.CheckConstraint(
                condition=Q(humidity__gte=0) & Q(humidity__lte=100),
                name="calibration_humidity_percent",
                violation_error_message=_("Relative humidity is a percentage between 0 and 100."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.instrument}"

    @property
    def is_editable(self) -> bool:
        return self.state == State.DRAFT

    def is_released_to(self, user) -> bool:
        """Lab staff see work in progress; a customer sees results once the certificate is issued."""
        return user.is_lab_staff or self.state == State.ISSUED


class StandardUse(models.Model):
    """A standard used in a calibration, with the incoming certificate that was in force that day."""

    calibration = models.ForeignKey(
        Calibration, on_delete=models.CASCADE, related_name="standard_uses"
    )
    standard = models.ForeignKey(Standard, verbose_name=_("standard"), on_delete=models.PROTECT)
    standard_calibration = models.ForeignKey(
        StandardCalibration, verbose_name=_("its certificate"), on_delete=models.PROTECT
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("standard used")
        verbose_name_plural = _("standards used")
        constraints = [
            models.UniqueConstraint(fields=["calibration", "standard"], name="standard_use_once"),
        ]

    def __str__(self) -> str:
        return f"{self.standard} ({self.standard_calibration})"


class MeasurementPoint(models.Model):
    """A point of a calibration: the reference value from a standard and the repeated readings.

    Readings are kept as the technician typed them (decimal text, '.' as the mark); the result is
    computed by `metrology` when the readings change and stored with its inputs and engine version.
    """

    calibration = models.ForeignKey(Calibration, on_delete=models.CASCADE, related_name="points")
    position = models.PositiveSmallIntegerField(_("position"))
    reference = models.ForeignKey(
        StandardValue,
        verbose_name=_("reference value"),
        on_delete=models.PROTECT,
        related_name="points",
    )
    readings = models.JSONField(_("readings"), default=list)
    result = models.JSONField(_("result"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["calibration", "position"]
        verbose_name = _("measurement point")
        verbose_name_plural = _("measurement points")
        constraints = [
            models.UniqueConstraint(
                fields=["calibration", "position"], name="point_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.reference.label}"


class Transition(models.Model):
    """One move of a calibration through the workflow: who, when, from where to where, and why."""

    calibration = models.ForeignKey(
        Calibration, on_delete=models.CASCADE, related_name="transitions"
    )
    from_state = models.CharField(_("from"), max_length=12, choices=State.choices)
    to_state = models.CharField(_("to"), max_length=12, choices=State.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("workflow step", "by"),
        on_delete=models.PROTECT,
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["calibration", "at", "pk"]
        verbose_name = _("transition")
        verbose_name_plural = _("transitions")

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"
