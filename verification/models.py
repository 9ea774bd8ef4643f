"""Legal verification (kiểm định) of Group-2 measuring instruments.

A verification is pass or fail against the maximum permissible errors of an OIML recommendation
(`metrology.legal`), made by a verifier holding a valid card for the instrument type, and ends in
a verification certificate with a numbered mark, or a notice of failure. Its instrument is
described on the verification itself (a market scale belongs to a stall holder, not to one of the
lab's customers); an enterprise's instrument also names the customer.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from lims.models import Customer
from standards.models import Standard


class ListStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")


class TypeList(models.Model):
    """One version of the list of Group-2 measuring instruments (danh mục phương tiện đo nhóm 2):
    the types, their measures of control and their verification intervals, as a circular set
    them. A new circular is a new version; putting it in force supersedes the one before."""

    title = models.CharField(_("title"), max_length=200)
    legal_basis = models.TextField(
        _("legal basis"), help_text=_("e.g. Circular 23/2013/TT-BKHCN as amended by 03/2024")
    )
    effective_on = models.DateField(_("effective from"))
    status = models.CharField(
        _("status"), max_length=12, choices=ListStatus.choices, default=ListStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-effective_on", "-pk"]
        verbose_name = _("list of instrument types")
        verbose_name_plural = _("lists of instrument types")
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="in_force"),
                name="one_type_list_in_force",
                violation_error_message=_("Only one list of instrument types is in force."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.effective_on:%d/%m/%Y})"


class Recommendation(models.TextChoices):
    """Which rules of `metrology.legal` verify the type."""

    R76 = "oiml_r76", _("OIML R76 non-automatic weighing instruments")
    R117 = "oiml_r117", _("OIML R117 fuel dispensers")
    R49 = "oiml_r49", _("OIML R49 water meters")
    R46 = "oiml_r46", _("OIML R46 electricity meters")
    OTHER = "other", _("Other (no rules in the LIMS yet)")


class InstrumentType(models.Model):
    """A type of the list: its number there, names, measures of control and interval."""

    type_list = models.ForeignKey(
        TypeList, verbose_name=_("list"), on_delete=models.PROTECT, related_name="types"
    )
    code = models.SlugField(
        _("code"),
        max_length=60,
        help_text=_("Stays the same across versions of the list: verifier cards name it."),
    )
    number = models.CharField(
        _("number in the list"), max_length=12, blank=True, help_text=_("e.g. 8.1")
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    controls = models.CharField(
        _("measures of control"),
        max_length=80,
        blank=True,
        help_text=_(
            "e.g. PDM; KĐBĐ; KĐĐK; KĐSSC (pattern approval, initial, periodic, after repair)"
        ),
    )
    interval_months = models.PositiveSmallIntegerField(
        _("verification interval (months)"), null=True, blank=True
    )
    recommendation = models.CharField(
        _("rules"), max_length=12, choices=Recommendation.choices, default=Recommendation.OTHER
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["type_list", "pk"]
        verbose_name = _("instrument type")
        verbose_name_plural = _("instrument types")
        constraints = [
            models.UniqueConstraint(fields=["type_list", "code"], name="type_code_once_per_list")
        ]

    def __str__(self) -> str:
        return self.name_vi


class VerifierCard(models.Model):
    """A verifier's authorisation (thẻ kiểm định viên) for one instrument type, by its code."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verifier"),
        on_delete=models.PROTECT,
        related_name="verifier_cards",
    )
    card_number = models.CharField(_("card number"), max_length=40)
    type_code = models.SlugField(_("instrument type"), max_length=60)
    issued_by = models.CharField(
        _("issued by"), max_length=200, help_text=_("e.g. Tổng cục Tiêu chuẩn Đo lường Chất lượng")
    )
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    revoked_reason = models.TextField(_("why revoked"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "type_code", "-valid_until"]
        verbose_name = _("verifier card")
        verbose_name_plural = _("verifier cards")
        constraints = [
            models.UniqueConstraint(
                fields=["card_number", "type_code"],
                name="verifier_card_once_per_type",
                violation_error_message=_("This card already covers this instrument type."),
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="verifier_card_dates_in_order",
                violation_error_message=_("A card cannot expire before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.card_number} · {self.type_code}"


class Campaign(models.Model):
    """An on-site campaign (kiểm định lưu động): a site on dates, a team and its standards."""

    name = models.CharField(_("name"), max_length=200)
    site = models.CharField(_("site"), max_length=200, help_text=_("e.g. Chợ Lớn Quy Nhơn"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    province = models.CharField(_("province"), max_length=80)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team leader"),
        on_delete=models.PROTECT,
        related_name="campaigns_led",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("team"), related_name="campaigns"
    )
    standards = models.ManyToManyField(
        Standard, verbose_name=_("standards taken"), related_name="campaigns"
    )
    notes = models.TextField(_("notes"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[team, standards])

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="campaign_dates_in_order",
                violation_error_message=_("A campaign cannot end before it starts."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.site}"


class VerificationKind(models.TextChoices):
    INITIAL = "initial", _("Initial verification")
    PERIODIC = "periodic", _("Periodic verification")
    AFTER_REPAIR = "after_repair", _("Verification after repair")
    MARK_REPLACED = "mark_replaced", _("Verification after a mark lost or damaged")


class VerificationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class Verification(models.Model):
    """One instrument verified: what it is, whose, the tests and their readings, the verdict.

    Issued, it carries its number (a verification certificate `KD-…` when it passed, a notice of
    failure `TB-…` when it failed), its PDF with the SHA-256 and, when it passed, one mark; the
    database then refuses any change.
    """

    client_key = models.UUIDField(
        _("key given by the entry page"),
        default=uuid.uuid4,
        unique=True,
        help_text=_("A row sent twice (a connection that dropped) is recorded once."),
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.PROTECT,
        related_name="verifications",
        null=True,
        blank=True,
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="verifications",
        null=True,
        blank=True,
        help_text=_("An enterprise among the lab's customers; empty for a stall holder."),
    )
    owner = models.CharField(_("owner"), max_length=200, help_text=_("Owner or stall holder"))
    stall = models.CharField(_("stall"), max_length=80, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    province = models.CharField(_("province"), max_length=80)
    instrument_type = models.ForeignKey(
        InstrumentType,
        verbose_name=_("instrument type"),
        on_delete=models.PROTECT,
        related_name="verifications",
    )
    manufacturer = models.CharField(_("manufacturer"), max_length=120, blank=True)
    model = models.CharField(_("model"), max_length=120, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=80)
    specification = models.JSONField(
        _("metrological characteristics"),
        default=dict,
        help_text=_("What the rules need: for a scale Max, e, d, class and unit."),
    )
    kind = models.CharField(
        _("kind"),
        max_length=16,
        choices=VerificationKind.choices,
        default=VerificationKind.PERIODIC,
    )
    verified_on = models.DateField(_("date of verification"))
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verifier"),
        on_delete=models.PROTECT,
        related_name="verifications",
    )
    standards = models.ManyToManyField(
        Standard, verbose_name=_("standards used"), related_name="verifications", blank=True
    )
    tests = models.JSONField(_("tests and readings"), default=dict)
    results = models.JSONField(_("results"), default=dict)
    passed = models.BooleanField(_("passed"), null=True)
    mark_serial = models.CharField(
        _("mark stuck on"),
        max_length=30,
        blank=True,
        help_text=_(
            "On site, the serial of the mark stuck on a passed instrument; the mark is taken "
            "from the stock when the verification is issued."
        ),
    )
    state = models.CharField(
        _("state"),
        max_length=8,
        choices=VerificationState.choices,
        default=VerificationState.DRAFT,
    )
    number = models.CharField(_("number"), max_length=40, null=True, blank=True, unique=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    token = models.CharField(_("verification token"), max_length=64, null=True, unique=True)
    pdf = models.BinaryField(_("PDF"), null=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["pdf"], m2m_fields=[standards])

    class Meta:
        ordering = ["-verified_on", "-pk"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        indexes = [models.Index(fields=["verified_on"]), models.Index(fields=["province"])]

    def __str__(self) -> str:
        return self.number or f"#{self.pk} {self.instrument_type} {self.serial_number}"


class MarkKind(models.TextChoices):
    STAMP = "stamp", _("Verification mark (tem)")
    SEAL = "seal", _("Seal (dấu niêm phong)")


class MarkBatch(models.Model):
    """Marks received into the lab's stock: one series, serials `first` to `last`."""

    kind = models.CharField(_("kind"), max_length=8, choices=MarkKind.choices)
    series = models.CharField(
        _("series"), max_length=12, blank=True, help_text=_("Printed before the serial, e.g. A")
    )
    first = models.PositiveIntegerField(_("first serial"))
    last = models.PositiveIntegerField(_("last serial"))
    received_on = models.DateField(_("received on"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("batch of marks")
        verbose_name_plural = _("batches of marks")
        constraints = [
            models.CheckConstraint(
                condition=Q(last__gte=models.F("first")),
                name="mark_batch_serials_in_order",
                violation_error_message=_("The last serial cannot come before the first."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.series}{self.first}–{self.series}{self.last}"


class MarkState(models.TextChoices):
    AVAILABLE = "available", _("In stock")
    USED = "used", _("On an instrument")
    SPOILED = "spoiled", _("Spoiled")
    LOST = "lost", _("Lost")


class Mark(models.Model):
    """One numbered mark or seal: in stock, then on one instrument, or spoiled or lost with the
    reason (a mark lost from an instrument keeps the verification it was put on). A serial is
    used once; the log answers "which instrument carries mark N"."""

    batch = models.ForeignKey(
        MarkBatch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="marks"
    )
    serial = models.CharField(_("serial"), max_length=30, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=MarkState.choices, default=MarkState.AVAILABLE
    )
    verification = models.ForeignKey(
        Verification,
        verbose_name=_("verification"),
        on_delete=models.PROTECT,
        related_name="marks",
        null=True,
        blank=True,
    )
    reason = models.TextField(_("reason"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["serial"]
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="used") | Q(verification__isnull=False),
                name="mark_used_on_a_verification",
                violation_error_message=_("A mark in use is on a verified instrument."),
            ),
            models.CheckConstraint(
                condition=~Q(state="available") | Q(verification__isnull=True),
                name="mark_in_stock_on_nothing",
                violation_error_message=_("A mark in stock is on no instrument."),
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["spoiled", "lost"]) | ~Q(reason=""),
                name="mark_spoiled_or_lost_with_reason",
                violation_error_message=_("Say why the mark is spoiled or lost."),
            ),
        ]

    def __str__(self) -> str:
        return self.serial
