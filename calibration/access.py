from calibration.models import Calibration, Instrument
from lims.access import get_scoped, scoped


def instruments_for(user):
    return scoped(Instrument.objects.select_related("customer"), user, "customer")


def instrument_for_user(user, pk, action="instrument.view") -> Instrument:
    return get_scoped(
        Instrument.objects.select_related("customer"), user, "customer", action, pk=pk
    )


def calibrations_for(user):
    return scoped(
        Calibration.objects.select_related("instrument__customer", "procedure", "technician"),
        user,
        "instrument__customer",
    )


def calibration_for_user(user, pk, action="calibration.view") -> Calibration:
    return get_scoped(
        Calibration.objects.select_related("instrument__customer", "procedure", "technician"),
        user,
        "instrument__customer",
        action,
        pk=pk,
    )
