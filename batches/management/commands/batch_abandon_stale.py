"""``batch_abandon_stale --by USERNAME [--minutes 15]``: close the batch items a dead worker left.

A worker killed in the middle of an issue (SIGKILL, out of memory, power lost) leaves its item
"issuing" for ever: its batch never finishes and its calibration cannot join another batch. This
records such items, started more than MINUTES ago without an outcome, as refused with the reason;
their certificates were never issued, so the calibrations can go in a new batch.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from batches.services import batch_items_abandon_stale
from lims.models import User


class Command(BaseCommand):
    help = "Record as refused the batch items a stopped worker left without an outcome."

    def add_arguments(self, parser):
        parser.add_argument("--by", required=True, help="username of a reviewer (who may issue)")
        parser.add_argument("--minutes", type=int, default=15, help="started longer ago than this")

    def handle(self, *args, **options):
        by = User.objects.filter(username=options["by"]).first()
        if by is None:
            raise CommandError(f"No user {options['by']!r}.")
        if options["minutes"] < 1:
            raise CommandError("--minutes must be at least 1.")
        try:
            closed = batch_items_abandon_stale(
                by=by, older_than=dt.timedelta(minutes=options["minutes"])
            )
        except PermissionDenied as error:
            raise CommandError(f"{by} may not issue certificates: {error}") from error
        self.stdout.write(f"{closed} item(s) recorded as refused.")
