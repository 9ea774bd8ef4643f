"""A batch (a campaign): many approved calibrations issued together by a background worker.

A batch records who asked, when and why, and one item per calibration with its outcome: the
certificate issued, or the gate's refusal. Its state is derived from its items, never stored, so
it cannot drift from them: queued until the worker starts an item, running until every item has
an outcome, then done (or done with refusals).
"""

from django.conf import settings
from django.db import models
from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext_lazy as _

from calibration.models import Calibration
from certificates.models import Certificate


class BatchState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    DONE_WITH_REFUSALS = "done_with_refusals", _("Done, with refusals")


class BatchQuerySet(models.QuerySet):
    def with_progress(self):
        """Annotate `total`, `finished`, `issued`, `refused`, `started`, `first_started_at`
        and `last_finished_at` from the items: one query for a list of batches."""
        done = Q(items__finished_at__isnull=False)
        return self.annotate(
            total=Count("items"),
            finished=Count("items", filter=done),
            issued=Count("items", filter=Q(items__certificate__isnull=False)),
            refused=Count("items", filter=done & Q(items__certificate__isnull=True)),
            started=Count("items", filter=Q(items__started_at__isnull=False) | done),
            first_started_at=Min("items__started_at"),
            last_finished_at=Max("items__finished_at"),
        )


class Batch(models.Model):
    """Who asked for a set of certificates to be issued together, when and why."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="certificate_batches",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    reason = models.TextField(_("reason"))
    language = models.CharField(
        _("language"),
        max_length=10,
        help_text=_("The language the refusals are written in: that of the person who asked."),
    )

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("certificate batch")
        verbose_name_plural = _("certificate batches")

    def __str__(self) -> str:
        return f"#{self.pk}"

    @property
    def state(self) -> str:
        """The state; the batch must come from `Batch.objects.with_progress()`."""
        if self.finished == self.total:
            return BatchState.DONE if self.refused == 0 else BatchState.DONE_WITH_REFUSALS
        return BatchState.RUNNING if self.started else BatchState.QUEUED

    @property
    def state_label(self) -> str:
        return BatchState(self.state).label

    @property
    def is_finished(self) -> bool:
        return self.finished == self.total


class BatchItem(models.Model):
    """One calibration of a batch and what became of it: its certificate, or why not."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="items")
    calibration = models.ForeignKey(
        Calibration,
        verbose_name=_("calibration"),
        on_delete=models.PROTECT,
        related_name="batch_items",
    )
    certificate = models.OneToOneField(
        Certificate,
        verbose_name=_("certificate"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batch_item",
    )
    refusal = models.TextField(_("refused because"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["batch", "pk"]
        verbose_name = _("batch item")
        verbose_name_plural = _("batch items")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "calibration"],
                name="batch_item_calibration_once",
                violation_error_message=_("This calibration is already in this batch."),
            ),
            # The database, not only the service, keeps a calibration out of two batches at once.
            models.UniqueConstraint(
                fields=["calibration"],
                condition=Q(finished_at__isnull=True),
                name="batch_item_one_pending_per_calibration",
                violation_error_message=_("This calibration is already in a batch not finished."),
            ),
            # An outcome is a certificate or a refusal, never both, and only once finished.
            models.CheckConstraint(
                condition=(
                    Q(finished_at__isnull=True, certificate__isnull=True, refusal="")
                    | Q(finished_at__isnull=False, certificate__isnull=False, refusal="")
                    | (Q(finished_at__isnull=False, certificate__isnull=True) & ~Q(refusal=""))
                ),
                name="batch_item_one_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.batch}: {self.calibration_id}"
