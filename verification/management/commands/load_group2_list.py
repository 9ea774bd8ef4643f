"""Load the bundled Group-2 list (verification/data/group2.csv) as a version in force.

``load_group2_list --by USERNAME``: a quality manager's name for the history. Does nothing when a
list is already in force (the lab's own version stays). The bundled file holds the types whose
row in Circular 03/2024 could be checked, each with its source; the lab imports the complete
official list through /verification/types/import/.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from lims.models import User
from verification.typelists import BUNDLED, in_force, typelist_import, typelist_put_in_force

TITLE = "Danh mục phương tiện đo nhóm 2 (trích, đã đối chiếu)"
LEGAL_BASIS = (
    "Thông tư 23/2013/TT-BKHCN, sửa đổi bởi Thông tư 07/2019/TT-BKHCN và Thông tư "
    "03/2024/TT-BKHCN (hiệu lực 15/10/2024); văn bản hợp nhất 02/VBHN-BKHCN"
)
EFFECTIVE_ON = dt.date(2024, 10, 15)


class Command(BaseCommand):
    help = "Load the bundled Group-2 list of instrument types and put it in force."

    def add_arguments(self, parser):
        parser.add_argument("--by", required=True, help="username of a quality manager")

    def handle(self, *args, **options):
        if in_force() is not None:
            self.stdout.write("A list is already in force: nothing loaded.")
            return
        by = User.objects.filter(username=options["by"]).first()
        if by is None:
            raise CommandError(f"No user {options['by']!r}.")
        try:
            type_list = typelist_import(
                title=TITLE,
                legal_basis=LEGAL_BASIS,
                effective_on=EFFECTIVE_ON,
                data=BUNDLED.read_bytes(),
                by=by,
            )
            typelist_put_in_force(type_list=type_list, by=by)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"{type_list.types.count()} instrument types loaded and in force.")
