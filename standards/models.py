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
    is_nmi = models.BooleanField(
        _("national metrology institute"),
        default=False,
        help_text=_("VMI or another NMI: its own standards are national standards."),
    )
    accreditation_body = models.CharField(
        _("accreditation body"), max_length=120, blank=True, help_text=_("e.g. BoA (Vietnam)")
    )
    accreditation_number = models.CharField(
        _("accreditation number"), max_length=120, blank=True, help_text=_("e.g. VILAS 002")
    )
    accreditation_valid_until = models.DateField(
        _("accreditation valid until"), null=True, blank=True
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

    @property
    def accreditation(self) -> str:
        """The accreditation as printed, e.g. VILAS 002 (BoA); empty when none is on record."""
        if not self.accreditation_number:
            return ""
        body = f" ({self.accreditation_body})" if self.accreditation_body else ""
        return f"{self.accreditation_number}{body}"


class NationalStandard(models.Model):
    """A national measurement standard of an NMI, where the chain of a standard reaches the SI."""

    institute = models.CharField(_("institute"), max_length=40, help_text=_("e.g. VMI, PTB"))
    country = models.CharField(_("country"), max_length=60, default="Việt Nam")
    name = models.CharField(_("name"), max_length=200)
    quantity = models.CharField(_("quantity"), max_length=80)
    cmc = models.CharField(
        _("CMC"),
        max_length=200,
        help_text=_("The calibration and measurement capability that covers the link."),
    )
    kcdb_reference = models.CharField(
        _("KCDB reference"), max_length=120, blank=True, help_text=_("BIPM KCDB entry, if any")
    )
    si_unit = models.CharField(_("SI unit"), max_length=60, help_text=_("e.g. kilogram (kg)"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["institute", "quantity", "name"]
        verbose_name = _("national standard")
        verbose_name_plural = _("national standards")

    def __str__(self) -> str:
        return f"{self.institute}: {self.name}"


class StandardStatus(models.TextChoices):
    IN_SERVICE = "in_service", _("In service")
    OUT_FOR_CALIBRATION = "out_for_calibration", _("Out for calibration")
    QUARANTINED = "quarantined", _("Quarantined")
    RETIRED = "retired", _("Retired")


class StandardLevel(models.TextChoices):
    REFERENCE = "reference", _("Reference standard")
    WORKING = "working", _("Working standard")
    CHECK = "check", _("Check standard")


class Funding(models.TextChoices):
    STATE_BUDGET = "state_budget", _("State budget")
    OWN_REVENUE = "own_revenue", _("Lab's own revenue")
    DEVELOPMENT_FUND = "development_fund", _("Development fund")
    PROGRAMME = "programme", _("National or provincial programme")
    OTHER = "other", _("Other")


class Standard(models.Model):
    """A reference or working measurement standard of the lab (chuẩn đo lường).

    "Due soon" and "overdue" are never stored: they follow from the incoming calibrations' dates.
    """

    asset_number = models.CharField(_("asset number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    quantity = models.CharField(_("quantity"), max_length=80, help_text=_("e.g. mass, temperature"))
    manufacturer = models.CharField(_("manufacturer"), max_length=120, blank=True)
    model = models.CharField(_("model"), max_length=120, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=80, blank=True)
    grade = models.CharField(_("class or grade"), max_length=60, blank=True)
    measuring_range = models.CharField(_("range"), max_length=120, blank=True)
    unit = models.CharField(_("unit"), max_length=20)
    level = models.CharField(
        _("level"), max_length=12, choices=StandardLevel.choices, default=StandardLevel.WORKING
    )
    resolution = models.DecimalField(
        _("resolution"), max_digits=20, decimal_places=9, null=True, blank=True
    )
    tolerance = models.DecimalField(
        _("tolerance (±)"),
        max_digits=20,
        decimal_places=9,
        null=True,
        blank=True,
        help_text=_(
            "Maximum permissible error of the standard, in its unit (e.g. from OIML R111)."
        ),
    )
    location = models.CharField(_("location"), max_length=120, blank=True)
    calibration_interval_months = models.PositiveSmallIntegerField(
        _("calibration interval (months)"), default=12
    )
    check_interval_days = models.PositiveSmallIntegerField(
        _("intermediate check every (days)"), null=True, blank=True
    )
    check_standard = models.ForeignKey(
        "self",
        verbose_name=_("check standard"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checks_made_with",
        help_text=_("The standard the intermediate checks compare this one with."),
    )
    acquired_on = models.DateField(_("date acquired"), null=True, blank=True)
    acquisition_cost = models.DecimalField(
        _("acquisition cost (VND)"), max_digits=15, decimal_places=0, null=True, blank=True
    )
    funding_source = models.CharField(
        _("funding source"), max_length=20, choices=Funding.choices, blank=True
    )
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
        """The incoming calibration in force on `day`: the latest current one done by then, not yet due."""
        latest = self.latest_calibration_by(day)
        return latest if latest is not None and latest.due_on >= day else None

    def latest_calibration_by(self, day: dt.date) -> "StandardCalibration | None":
        """The latest current (not replaced) incoming calibration done by `day`, from the
        prefetched `calibrations` where a list page prefetched them, else from the database."""
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("calibrations")
        if prefetched is not None:
            done = [c for c in prefetched if c.calibrated_on <= day and c.is_current]
            return max(done, key=lambda c: (c.calibrated_on, c.pk), default=None)
        return (
            self.calibrations.filter(calibrated_on__lte=day, replaced_by__isnull=True)
            .order_by("-calibrated_on", "-pk")
            .first()
        )


class StandardPiece(models.Model):
    """One piece of a standard that is a set (a weight of a box), calibrated one by one."""

    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.CASCADE, related_name="pieces"
    )
    label = models.CharField(_("label"), max_length=60, help_text=_("e.g. 1 kg, or 2 g*"))
    nominal = models.DecimalField(_("nominal value"), max_digits=20, decimal_places=9)
    marking = models.CharField(_("marking or serial"), max_length=60, blank=True)
    tolerance = models.DecimalField(
        _("tolerance (±)"), max_digits=20, decimal_places=9, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["standard", "nominal", "label"]
        verbose_name = _("piece of a set")
        verbose_name_plural = _("pieces of a set")
        constraints = [
            models.UniqueConstraint(fields=["standard", "label"], name="piece_label_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.standard.asset_number}/{self.label}"


class Conformity(models.TextChoices):
    CONFORMS = "conforms", _("Conforms")
    DOES_NOT_CONFORM = "does_not_conform", _("Does not conform")
    NOT_STATED = "not_stated", _("Not stated")


class StandardCalibration(models.Model):
    """The certificate by which a provider calibrated one of our standards."""

    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="calibrations"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="calibrations"
    )
    certificate_number = models.CharField(_("certificate number"), max_length=60)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    calibrated_on = models.DateField(_("calibration date"))
    issued_on = models.DateField(_("date of issue"), null=True, blank=True)
    due_on = models.DateField(_("due date"))
    conformity = models.CharField(
        _("found in tolerance"),
        max_length=20,
        choices=Conformity.choices,
        default=Conformity.NOT_STATED,
        help_text=_("What the certificate says of the standard as received (as found)."),
    )
    provider_standard = models.CharField(
        _("provider's standard"),
        max_length=200,
        blank=True,
        help_text=_("The standard the provider used, where the certificate names it."),
    )
    national_standard = models.ForeignKey(
        NationalStandard,
        verbose_name=_("national standard"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calibrations",
    )
    certificate_file = models.FileField(_("certificate file"), upload_to="incoming/%Y/", blank=True)
    certificate_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    dcc_file = models.FileField(_("DCC file"), upload_to="incoming/dcc/%Y/", blank=True)
    dcc_sha256 = models.CharField(_("SHA-256 of the DCC"), max_length=64, blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    replacement_reason = models.TextField(_("reason for the replacement"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-calibrated_on", "-version"]
        verbose_name = _("standard calibration")
        verbose_name_plural = _("standard calibrations")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "certificate_number", "version"],
                name="standard_calibration_unique_number",
            ),
            models.CheckConstraint(
                condition=Q(due_on__gt=models.F("calibrated_on")),
                name="standard_calibration_due_after_calibration",
                violation_error_message=_("The due date must be after the calibration date."),
            ),
        ]

    def __str__(self) -> str:
        version = f" v{self.version}" if self.version > 1 else ""
        return f"{self.provider} {self.certificate_number}{version}"

    @property
    def is_current(self) -> bool:
        return not hasattr(self, "replaced_by")


class StandardValue(models.Model):
    """One calibrated point of a standard: its value with expanded uncertainty and k."""

    calibration = models.ForeignKey(
        StandardCalibration,
        verbose_name=_("calibration"),
        on_delete=models.CASCADE,
        related_name="values",
    )
    label = models.CharField(_("label"), max_length=60, help_text=_("e.g. 1 kg, or 100 °C"))
    piece = models.ForeignKey(
        StandardPiece,
        verbose_name=_("piece"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="values",
    )
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
    tolerance = models.DecimalField(
        _("tolerance (±)"), max_digits=20, decimal_places=9, null=True, blank=True
    )
    conformity = models.CharField(
        _("conformity"), max_length=20, choices=Conformity.choices, default=Conformity.NOT_STATED
    )
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

    @property
    def correction(self):
        return self.value - self.nominal

    @property
    def error(self):
        """The standard's own error: nominal minus the calibrated (conventional) value."""
        return self.nominal - self.value


class DocumentKind(models.TextChoices):
    MANUAL = "manual", _("Manual")
    CERTIFICATE = "certificate", _("Certificate")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Other")


class StandardDocument(models.Model):
    """A file kept with a standard: its manual, a certificate, a photo."""

    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="standards/%Y/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["standard", "-uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class IntermediateCheck(models.Model):
    """An intermediate check of a standard (ISO/IEC 17025 clause 6.4.10) and the limits it met."""

    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="checks"
    )
    check_standard = models.ForeignKey(
        Standard,
        verbose_name=_("check standard"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    checked_on = models.DateField(_("date of the check"))
    label = models.CharField(
        _("point checked"), max_length=60, help_text=_("e.g. 1 kg; each point has its own chart")
    )
    value = models.DecimalField(
        _("value found"),
        max_digits=20,
        decimal_places=9,
        help_text=_("The value or the difference from the check standard, in the unit."),
    )
    unit = models.CharField(_("unit"), max_length=20)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("performed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    centre = models.DecimalField(
        _("centre line"), max_digits=20, decimal_places=9, null=True, blank=True
    )
    lower_limit = models.DecimalField(
        _("lower control limit"), max_digits=20, decimal_places=9, null=True, blank=True
    )
    upper_limit = models.DecimalField(
        _("upper control limit"), max_digits=20, decimal_places=9, null=True, blank=True
    )
    in_control = models.BooleanField(
        _("in control"),
        null=True,
        blank=True,
        help_text=_("Unknown while the first checks set the limits."),
    )
    remarks = models.TextField(_("remarks"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["standard", "label", "checked_on", "pk"]
        verbose_name = _("intermediate check")
        verbose_name_plural = _("intermediate checks")

    def __str__(self) -> str:
        return f"{self.standard.asset_number} {self.label} {self.checked_on:%d/%m/%Y}"


class IntervalReview(models.Model):
    """What the interval methods proposed for a standard, and what the quality manager decided."""

    standard = models.ForeignKey(
        Standard,
        verbose_name=_("standard"),
        on_delete=models.PROTECT,
        related_name="interval_reviews",
    )
    proposed_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    current_months = models.PositiveSmallIntegerField(_("interval in force (months)"))
    proposed_months = models.PositiveSmallIntegerField(_("proposed interval (months)"))
    staircase = models.JSONField(_("staircase method"), null=True, blank=True)
    drift = models.JSONField(_("drift method"), null=True, blank=True)
    decided_months = models.PositiveSmallIntegerField(
        _("decided interval (months)"), null=True, blank=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["standard", "-proposed_at", "-pk"]
        verbose_name = _("interval review")
        verbose_name_plural = _("interval reviews")

    def __str__(self) -> str:
        return f"{self.standard.asset_number} {self.proposed_at:%d/%m/%Y}"

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None


class FindingSource(models.TextChoices):
    RECALIBRATION = "recalibration", _("Recalibration")
    CHECK = "check", _("Intermediate check")
    OTHER = "other", _("Other")


class OutOfTolerance(models.Model):
    """A standard found out of tolerance; the look-back and the quality manager's assessment."""

    standard = models.ForeignKey(
        Standard, verbose_name=_("standard"), on_delete=models.PROTECT, related_name="findings"
    )
    found_on = models.DateField(_("found on"))
    source = models.CharField(_("found at"), max_length=16, choices=FindingSource.choices)
    incoming = models.ForeignKey(
        StandardCalibration,
        verbose_name=_("incoming calibration"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    check_record = models.ForeignKey(
        IntermediateCheck,
        verbose_name=_("intermediate check"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    last_good_on = models.DateField(
        _("last known good"),
        null=True,
        blank=True,
        help_text=_("Every calibration after this date and up to the finding is looked back at."),
    )
    description = models.TextField(_("what was found"))
    assessment = models.TextField(_("assessment"), blank=True)
    customers_notified = models.BooleanField(_("customers notified"), default=False)
    notified_on = models.DateField(_("notified on"), null=True, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-found_on", "-pk"]
        verbose_name = _("out-of-tolerance finding")
        verbose_name_plural = _("out-of-tolerance findings")

    def __str__(self) -> str:
        return f"{self.standard.asset_number} {self.found_on:%d/%m/%Y}"

    @property
    def is_assessed(self) -> bool:
        return self.assessed_at is not None
