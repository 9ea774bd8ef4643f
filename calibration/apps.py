from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def procedure_codes():
    """The procedures people can be authorised for: every code with a version, by its title."""
    from calibration.models import Procedure

    return [(p.code, p.title_vi) for p in Procedure.objects.order_by("code", "-version")]


class CalibrationConfig(AppConfig):
    name = "calibration"
    verbose_name = _("Calibration")

    def ready(self):
        from competence.registry import register_codes

        register_codes(procedure_codes)
