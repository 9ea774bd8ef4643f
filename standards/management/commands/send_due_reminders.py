"""E-mail each custodian the standards in their care that fall due; the rest to quality managers.

Run it daily (cron or a systemd timer). In development the console e-mail backend prints the
messages; production sets the DJANGO_EMAIL_* variables (see README).
"""

from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation

from lims.models import Role, User
from standards.due import WINDOWS, due_within


def reminder_text(standards, *, days: int) -> str:
    lines = [
        f"Chuẩn đo lường đến hạn hiệu chuẩn trong {days} ngày, quá hạn hoặc chưa hiệu chuẩn:",
        f"Standards due for calibration within {days} days, overdue or never calibrated:",
        "",
    ]
    for standard in standards:
        due = (
            standard.due_on.strftime("%d/%m/%Y")
            if standard.due_on
            else "chưa hiệu chuẩn / never calibrated"
        )
        lines.append(f"- {standard.asset_number} {standard.name}: {due} ({standard.location})")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "E-mail custodians (and quality managers) the standards that fall due."

    def add_arguments(self, parser):
        parser.add_argument(
            "--within", type=int, default=WINDOWS[0], help="days ahead (30, 60 or 90)"
        )

    def handle(self, *args, within, **options):
        if within not in WINDOWS:
            raise CommandError(
                f"--within must be one of {', '.join(map(str, WINDOWS))}, not {within}"
            )
        today = timezone.localdate()
        by_person: dict[User, list] = defaultdict(list)
        quality_managers = list(
            User.objects.filter(role=Role.QUALITY_MANAGER, is_active=True).exclude(email="")
        )
        standards = list(due_within(within, today=today))
        for standard in standards:
            custodian = standard.custodian
            if custodian is not None and custodian.is_active and custodian.email:
                by_person[custodian].append(standard)
            else:
                for manager in quality_managers:
                    by_person[manager].append(standard)
        with translation.override(None):
            for person, theirs in by_person.items():
                send_mail(
                    subject=f"[LIMS] {len(theirs)} chuẩn đến hạn hiệu chuẩn / standards falling due",
                    message=reminder_text(theirs, days=within),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[person.email],
                )
        self.stdout.write(
            f"{len(standards)} standards fall due within {within} days; {len(by_person)} people e-mailed."
        )
