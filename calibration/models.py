from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lims.models import Customer
from standards.models import Standard, StandardCalibration, StandardValue

RECALL_MONTHS_MAX = 120  # ten years: longer is a typing mistake, not an interval


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
    # The customer's decision, never the lab's (ISO/IEC 17025 7.8.4.3): set through
    # portal.services.instrument_recall_set, with the reason kept in the history.
    recall_months = models.PositiveSmallIntegerField(
        _("recall interval (months)"),
        null=True,
        blank=True,
        help_text=_("How often the customer has this instrument calibrated; set by the customer."),
    )
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
            models.CheckConstraint(
                condition=Q(recall_months__isnull=True)
                | Q(recall_months__gte=1, recall_months__lte=RECALL_MONTHS_MAX),
                name="instrument_recall_months_range",
                violation_error_message=_("A recall interval is from 1 to 120 months."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.model} S/N {self.serial_number}".replace("  ", " ")


class ProcedureStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ToleranceSource(models.TextChoices):
    INSTRUMENT_CLASS = "class", _("Accuracy class of the instrument")
    MAKER = "maker", _("Maker's specification")
    CUSTOMER = "customer", _("Customer's limit")


class DecisionRule(models.TextChoices):
    """ILAC-G8:09/2019 rules, as `metrology.conformity.decide` names them, or no statement."""

    NONE = "none", _("No statement of conformity")
    SIMPLE = "simple", _("Simple acceptance (w = 0)")
    GUARDED_ACCEPTANCE = "guarded_acceptance", _("Guarded acceptance (w = U)")
    GUARDED_REJECTION = "guarded_rejection", _("Guarded rejection (w = U)")
    NON_BINARY = "non_binary", _("Non-binary statement (w = U)")


class Source(models.TextChoices):
    """Where a component of the budget comes from (see `calibration.budget`)."""

    READINGS = "readings", _("Repeated readings (type A)")
    CERTIFICATE = "certificate", _("Standard's certificate")
    RESOLUTION = "resolution", _("Resolution of the instrument")
    TEMPERATURE = "temperature", _("Temperature")
    DRIFT = "drift", _("Drift of the standard")
    OTHER = "other", _("Other type B")


def default_budget() -> list[dict]:
    return [
        {"name": "r", "source": Source.READINGS.value},
        {"name": "d_r", "source": Source.RESOLUTION.value},
        {"name": "x_ref", "source": Source.CERTIFICATE.value},
    ]


DEFAULT_MODEL = "r + d_r - x_ref"


class Tolerance(models.Model):
    """A ± tolerance around zero error: an absolute part in the unit plus a part in percent of
    the value, and where it comes from. A procedure's is the template; a range's is agreed."""

    tolerance_abs = models.DecimalField(
        _("tolerance (±, in the unit)"), max_digits=20, decimal_places=9, null=True, blank=True
    )
    tolerance_rel = models.DecimalField(
        _("tolerance (±, percent of the value)"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
    )
    tolerance_source = models.CharField(
        _("tolerance from"),
        max_length=12,
        choices=ToleranceSource.choices,
        default=ToleranceSource.INSTRUMENT_CLASS,
    )

    class Meta:
        abstract = True

    def tolerance_at(self, nominal):
        """The ± tolerance at a value: absolute part plus the relative part of |value|; None if none."""
        if self.tolerance_abs is None and self.tolerance_rel is None:
            return None
        absolute = self.tolerance_abs or Decimal(0)
        relative = (self.tolerance_rel or Decimal(0)) * abs(Decimal(nominal)) / 100
        return absolute + relative


class Procedure(Tolerance):
    """One version of a calibration method of the lab (quy trình hiệu chuẩn), under document control.

    A draft is edited; once approved it never changes and a change is a new version. Only an
    approved version that is in effect can be used, and a calibration keeps the version it used.
    The measurement model is a `metrology` expression whose names are the budget's components.
    """

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    quantity = models.CharField(_("quantity"), max_length=80)
    unit = models.CharField(_("unit"), max_length=20)
    status = models.CharField(
        _("status"), max_length=12, choices=ProcedureStatus.choices, default=ProcedureStatus.DRAFT
    )
    effective_on = models.DateField(_("effective from"), null=True, blank=True)
    withdrawn_on = models.DateField(
        _("in effect until"),
        null=True,
        blank=True,
        help_text=_("The day the version stopped being in effect (replaced or withdrawn)."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    change_note = models.TextField(_("what changed in this version"), blank=True)
    model = models.CharField(
        _("measurement model"),
        max_length=300,
        default=DEFAULT_MODEL,
        help_text=_("The error of indication as an expression of the budget's components."),
    )
    budget = models.JSONField(_("uncertainty budget"), default=default_budget)
    monte_carlo = models.BooleanField(
        _("evaluate by Monte Carlo"),
        default=False,
        help_text=_(
            "The model is not linear enough for the GUM alone: each point is also evaluated by "
            "Monte Carlo (JCGM 101) and the GUM interval is validated against it."
        ),
    )
    points = models.JSONField(_("measurement points"), default=list, blank=True)
    readings_per_point = models.PositiveSmallIntegerField(_("readings per point"), default=5)
    decision_rule = models.CharField(
        _("decision rule"), max_length=20, choices=DecisionRule.choices, default=DecisionRule.SIMPLE
    )
    temperature_min = models.DecimalField(
        _("lowest temperature (°C)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    temperature_max = models.DecimalField(
        _("highest temperature (°C)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    humidity_min = models.DecimalField(
        _("lowest relative humidity (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    humidity_max = models.DecimalField(
        _("highest relative humidity (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"],
                name="procedure_version_unique",
                violation_error_message=_("This procedure already has this version."),
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(status="approved"),
                name="procedure_one_approved_version",
                violation_error_message=_("Only one version of a procedure can be approved."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version} {self.title_vi}"

    @property
    def title(self) -> str:
        return f"{self.title_vi} / {self.title_en}"

    def environment_problems(self, temperature, humidity) -> list[str]:
        """Why conditions are outside this procedure's limits; empty when they are within."""
        problems = []
        checks = [
            (temperature, self.temperature_min, self.temperature_max, gettext("Temperature"), "°C"),
            (humidity, self.humidity_min, self.humidity_max, gettext("Relative humidity"), "%"),
        ]
        for value, low, high, what, unit in checks:
            if value is None:
                continue
            if (low is not None and value < low) or (high is not None and value > high):
                problems.append(
                    gettext(
                        "%(what)s %(value)s %(unit)s is outside the procedure's limits %(low)s – %(high)s %(unit)s."
                    )
                    % {
                        "what": what,
                        "value": _plain(value),
                        "unit": unit,
                        "low": "…" if low is None else _plain(low),
                        "high": "…" if high is None else _plain(high),
                    }
                )
        return problems


def _plain(value) -> str:
    """A decimal without padding zeros, with the decimal mark of the language in use."""
    return formats.number_format(Decimal(f"{value.normalize():f}"), use_l10n=True)


class InstrumentRange(Tolerance):
    """A range or channel of an instrument, with the points and tolerances agreed for it.

    Drawn from a procedure's template when the instrument is received, then the instrument's own
    specification: changing it needs a reason and is kept in the history. A multi-range or
    multi-channel instrument has one per range or channel, each calibrated in its own section.
    """

    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.CASCADE, related_name="ranges"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    name = models.CharField(
        _("range or channel"), max_length=80, help_text=_("e.g. 0 – 220 g, or Channel 1")
    )
    procedure_code = models.CharField(_("procedure"), max_length=40)
    unit = models.CharField(_("unit"), max_length=20)
    resolution = models.DecimalField(_("resolution"), max_digits=20, decimal_places=9)
    points = models.JSONField(_("measurement points"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["instrument", "position", "pk"]
        verbose_name = _("range or channel")
        verbose_name_plural = _("ranges and channels")
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "name"],
                name="range_name_unique",
                violation_error_message=_("This instrument already has a range with this name."),
            ),
            models.CheckConstraint(
                condition=Q(resolution__gt=0),
                name="range_resolution_positive",
                violation_error_message=_("The resolution must be greater than zero."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ScopeEntry(models.Model):
    """A line of the lab's scope of accreditation: a range of a procedure and its CMC.

    The CMC at a value x is `cmc_abs + cmc_rel % of |x|`, an expanded uncertainty (k ≈ 2);
    a result inside the range never reports a smaller U. A result no line covers is outside the
    scope and is marked so on the certificate.
    """

    procedure_code = models.CharField(_("procedure"), max_length=40)
    quantity = models.CharField(_("quantity"), max_length=80)
    unit = models.CharField(_("unit"), max_length=20)
    minimum = models.DecimalField(pgettext_lazy("range", "from"), max_digits=20, decimal_places=9)
    maximum = models.DecimalField(pgettext_lazy("range", "to"), max_digits=20, decimal_places=9)
    cmc_abs = models.DecimalField(
        _("CMC (U, in the unit)"), max_digits=20, decimal_places=9, default=0
    )
    cmc_rel = models.DecimalField(
        _("CMC (U, percent of the value)"), max_digits=9, decimal_places=6, default=0
    )
    accredited = models.BooleanField(_("in the scope of accreditation"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["procedure_code", "unit", "minimum"]
        verbose_name = _("scope line")
        verbose_name_plural = _("scope of accreditation")
        constraints = [
            models.CheckConstraint(
                condition=Q(maximum__gte=models.F("minimum")),
                name="scope_range_ordered",
                violation_error_message=_("The end of the range cannot be below its start."),
            ),
            models.CheckConstraint(
                condition=Q(cmc_abs__gte=0)
                & Q(cmc_rel__gte=0)
                & (Q(cmc_abs__gt=0) | Q(cmc_rel__gt=0)),
                name="scope_cmc_positive",
                violation_error_message=_("The CMC must be greater than zero."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.procedure_code} {_plain(self.minimum)} – {_plain(self.maximum)} {self.unit}"

    def cmc_at(self, value):
        return self.cmc_abs + self.cmc_rel * abs(Decimal(value)) / 100


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")


class Adjustment(models.TextChoices):
    NONE = "none", _("Not adjusted: the results are as found and as left")
    ADJUSTED = "adjusted", _("Adjusted: results as found, then as left")
    INITIAL = "initial", _("Initial calibration: as found does not apply")


class Phase(models.TextChoices):
    AS_FOUND = "as_found", _("As found")
    AS_LEFT = "as_left", _("As left")


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
    adjustment = models.CharField(
        _("adjustment"), max_length=10, choices=Adjustment.choices, default=Adjustment.NONE
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

    @property
    def phases(self) -> list[str]:
        """The phases measured: as found and as left when the instrument is adjusted."""
        if self.adjustment == Adjustment.ADJUSTED:
            return [Phase.AS_FOUND, Phase.AS_LEFT]
        return [Phase.AS_LEFT]

    @property
    def was_submitted(self) -> bool:
        """Once submitted, every later change to the data needs a reason."""
        return self.transitions.filter(from_state=State.DRAFT, to_state=State.SUBMITTED).exists()

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
    range = models.ForeignKey(
        InstrumentRange,
        verbose_name=_("range or channel"),
        on_delete=models.PROTECT,
        related_name="measurements",
    )
    phase = models.CharField(
        _("phase"), max_length=10, choices=Phase.choices, default=Phase.AS_LEFT
    )
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
        ordering = ["calibration", "range__position", "range_id", "phase", "position"]
        verbose_name = _("measurement point")
        verbose_name_plural = _("measurement points")
        constraints = [
            models.UniqueConstraint(
                fields=["calibration", "range", "phase", "position"],
                name="point_position_unique",
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


class Signature(models.Model):
    """An electronic signature: who, meaning what, when, over exactly which data (its SHA-256).

    The signer typed their password again to sign. The digest is of the calibration's data as
    `calibration.signing.content` lays it out; a signature whose digest no longer matches the data
    is void, whatever changed them and however.
    """

    class Meaning(models.TextChoices):
        REVIEWED = "reviewed", _("Reviewed")
        APPROVED = "approved", _("Approved")

    calibration = models.ForeignKey(
        Calibration, on_delete=models.CASCADE, related_name="signatures"
    )
    meaning = models.CharField(_("meaning"), max_length=10, choices=Meaning.choices)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT
    )
    signed_at = models.DateTimeField(_("signed at"))
    digest = models.CharField(_("SHA-256 of the data signed"), max_length=64)
    content = models.JSONField(_("data signed"))

    class Meta:
        ordering = ["calibration", "signed_at", "pk"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")

    def __str__(self) -> str:
        return f"{self.get_meaning_display()} · {self.signer} · {self.signed_at:%Y-%m-%d %H:%M}"


class EntryDraft(models.Model):
    """What a technician has typed in the reading grid and not yet saved, cell by cell, as typed.

    Saved every few seconds while they type, so a closed tab or a lost connection loses nothing;
    deleted when the grid is saved. It is a scratchpad, not lab data, so it keeps no history.
    """

    calibration = models.OneToOneField(
        Calibration, on_delete=models.CASCADE, related_name="entry_draft"
    )
    cells = models.JSONField(default=dict)
    saved_at = models.DateTimeField(auto_now=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("unsaved entry")
        verbose_name_plural = _("unsaved entries")

    def __str__(self) -> str:
        return f"#{self.calibration_id} {self.saved_at:%Y-%m-%d %H:%M:%S}"
