from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Sector(models.TextChoices):
    FUEL = "fuel", _("Fuel retail")
    POWER = "power", _("Power")
    WATER = "water", _("Water supply")
    FOOD = "food", _("Food processing")
    CHEMICALS = "chemicals", _("Chemicals and fertiliser")
    HEALTH = "health", _("Health care")
    OTHER = "other", _("Other")


class Customer(models.Model):
    """An enterprise that sends its instruments to the lab."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    tax_code = models.CharField(
        _("tax code"),
        max_length=14,
        unique=True,
        validators=[
            RegexValidator(
                r"^\d{10}(-\d{3})?$",
                _(
                    "A tax code has 10 digits, or 10 digits, a dash and 3 digits (e.g. 4100258561-001)."
                ),
            )
        ],
        help_text=_(
            "Vietnamese enterprise tax code: 10 digits, or 10 digits, a dash and 3 digits."
        ),
    )
    address = models.CharField(_("address"), max_length=300)
    province = models.CharField(
        _("province"),
        max_length=80,
        blank=True,
        help_text=_("Where the enterprise is; empty means the lab's own province."),
    )
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    sector = models.CharField(
        _("sector"), max_length=20, choices=Sector.choices, default=Sector.OTHER
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.short_name or self.name


class Role(models.TextChoices):
    TECHNICIAN = "technician", _("Technician")
    REVIEWER = "reviewer", _("Reviewer (technical manager)")
    QUALITY_MANAGER = "quality_manager", _("Quality manager")
    CUSTOMER = "customer", _("Customer user")
    ADMINISTRATOR = "administrator", _("Administrator")


class User(AbstractUser):
    """A person who logs in: lab staff in one of the lab roles, or a customer's user."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.TECHNICIAN)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Only for customer users: the enterprise whose data they may see."),
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=(Q(role="customer") & Q(customer__isnull=False))
                | (~Q(role="customer") & Q(customer__isnull=True)),
                name="user_customer_iff_customer_role",
                violation_error_message=_(
                    "A customer user must belong to exactly one customer; lab staff to none."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        # Vietnamese order: family and middle names first, given name last.
        return f"{self.last_name} {self.first_name}".strip()

    @property
    def is_lab_staff(self) -> bool:
        return self.role != Role.CUSTOMER
