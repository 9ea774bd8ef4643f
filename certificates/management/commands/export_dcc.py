"""Write an issued certificate as a DCC (PTB 3.3.0 XML): ``export_dcc NUMBER [--output FILE]``.

Without ``--output`` the XML goes to standard output.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from certificates.dcc import DccExportError, dcc_of
from certificates.models import Certificate


class Command(BaseCommand):
    help = "Print an issued certificate as a Digital Calibration Certificate (DCC 3.3.0 XML)."

    def add_arguments(self, parser):
        parser.add_argument("number", help="certificate number, e.g. HC-2026-00001")
        parser.add_argument("--output", help="write the XML to this file instead of stdout")

    def handle(self, *args, **options):
        number = options["number"]
        try:
            certificate = Certificate.objects.select_related(
                "calibration__instrument__customer", "calibration__procedure"
            ).get(number=number)
        except Certificate.DoesNotExist:
            raise CommandError(
                _("No certificate numbered “%(number)s” has been issued.") % {"number": number}
            ) from None
        try:
            data = dcc_of(certificate)
        except DccExportError as error:
            raise CommandError(str(error)) from error
        if options["output"]:
            Path(options["output"]).write_bytes(data)
            self.stderr.write(
                _("DCC of %(number)s written to %(path)s.")
                % {"number": number, "path": options["output"]}
            )
        else:
            self.stdout.write(data.decode("utf-8"), ending="")
