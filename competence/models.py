"""Who may perform, review and approve which calibration procedures (ISO/IEC 17025, 6.2.5–6.2.6).

An authorisation names a person, a procedure code (it covers every version of that procedure),
an activity, the days it holds and the evidence of competence. It is never deleted or edited
after the grant: it ends by its own date or by a revocation, which is kept with its reason.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords


class Activity(models.TextChoices):
    PERFORM = "perform", gettext_lazy("Perform")
    REVIEW = "review", gettext_lazy("Review")
    APPROVE = "approve", gettext_lazy("Approve and sign")


# The activity as a verb inside a sentence ("… is not authorised to approve QTHC-KL-01 …").
ACTIVITY_VERBS = {
    Activity.PERFORM: gettext_lazy("perform"),
    Activity.REVIEW: gettext_lazy("review"),
    Activity.APPROVE: gettext_lazy("approve"),
}


class Evidence(models.TextChoices):
    TRAINING = "training", gettext_lazy("Training")
    SUPERVISED_WORK = "supervised_work", gettext_lazy("Supervised work")
    QUALIFICATION = "qualification", gettext_lazy("Qualification / certificate")
    ASSESSMENT = "assessment", gettext_lazy("Witnessed assessment or proficiency test")
    EXPERIENCE = "experience", gettext_lazy("Experience")


def day_shown(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


class AuthorisationQuerySet(models.QuerySet):
    def in_force_on(self, day: dt.date) -> "AuthorisationQuerySet":
        """Those in force on `day`: from `valid_from` to `valid_until`, both days included, and
        not revoked on or before `day` (a revocation takes effect on its own day)."""
        return self.filter(
            Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=day),
        )


class Authorisation(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("person"),
        on_delete=models.PROTECT,
        related_name="authorisations",
    )
    procedure_code = models.CharField(
        gettext_lazy("procedure code"),
        max_length=40,
        help_text=gettext_lazy(
            "The code of the calibration procedure, e.g. QTHC-KL-01; the authorisation covers every version of it."
        ),
    )
    activity = models.CharField(gettext_lazy("activity"), max_length=20, choices=Activity.choices)
    valid_from = models.DateField(gettext_lazy("valid from"))
    valid_until = models.DateField(
        gettext_lazy("valid until"),
        null=True,
        blank=True,
        help_text=gettext_lazy("Left empty: open-ended, until revoked."),
    )
    evidence_kind = models.CharField(
        gettext_lazy("kind of evidence"), max_length=20, choices=Evidence.choices
    )
    evidence = models.TextField(
        gettext_lazy("evidence of competence"),
        help_text=gettext_lazy(
            "What shows the competence, e.g. Training course ĐLVN 2025, 12 supervised calibrations."
        ),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=gettext_lazy("granted by"),
        on_delete=models.PROTECT,
        related_name="authorisations_granted",
    )
    granted_at = models.DateTimeField(gettext_lazy("granted at"), auto_now_add=True)
    revoked_on = models.DateField(gettext_lazy("revoked on"), null=True, blank=True)
    revoked_reason = models.TextField(gettext_lazy("reason for the revocation"), blank=True)
    history = HistoricalRecords()

    objects = AuthorisationQuerySet.as_manager()

    class Meta:
        ordering = ["person", "procedure_code", "activity", "-valid_from"]
        verbose_name = gettext_lazy("authorisation")
        verbose_name_plural = gettext_lazy("authorisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="authorisation_until_after_from",
                violation_error_message=gettext_lazy(
                    "The end of validity cannot be before its start."
                ),
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True) | Q(revoked_on__gte=models.F("valid_from")),
                name="authorisation_revoked_after_from",
                violation_error_message=gettext_lazy(
                    "An authorisation cannot be revoked before it starts."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_activity_display()} {self.procedure_code}"

    @property
    def activity_verb(self) -> str:
        return str(ACTIVITY_VERBS.get(self.activity, self.activity))

    @property
    def last_day(self) -> dt.date | None:
        """The last day it is in force, or None when open-ended; before `valid_from` when it was
        revoked on its first day and so never held."""
        ends = [self.valid_until] if self.valid_until else []
        if self.revoked_on:
            ends.append(self.revoked_on - dt.timedelta(days=1))
        return min(ends) if ends else None

    @property
    def validity(self) -> str:
        """The days it holds as written, e.g. 01/01/2026 – 31/12/2026, or from 01/01/2026."""
        if self.valid_until:
            return f"{day_shown(self.valid_from)} – {day_shown(self.valid_until)}"
        return _("from %(day)s") % {"day": day_shown(self.valid_from)}

    def in_force_on(self, day: dt.date) -> bool:
        return not self.not_in_force_because(day)

    def not_in_force_because(self, day: dt.date) -> str:
        """Why it does not hold on `day` (empty when it does): revoked, not yet started, ended."""
        if self.revoked_on and day >= self.revoked_on:
            reason = self.revoked_reason.strip()
            if reason:
                return _("the authorisation was revoked on %(day)s (%(reason)s)") % {
                    "day": day_shown(self.revoked_on),
                    "reason": reason,
                }
            return _("the authorisation was revoked on %(day)s") % {
                "day": day_shown(self.revoked_on)
            }
        if day < self.valid_from:
            return _("the authorisation starts on %(day)s") % {"day": day_shown(self.valid_from)}
        if self.valid_until and day > self.valid_until:
            return _("the authorisation ended on %(day)s") % {"day": day_shown(self.valid_until)}
        return ""
