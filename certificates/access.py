from certificates.models import Certificate
from lims.access import get_scoped, scoped


def certificates_for(user):
    return scoped(
        Certificate.objects.with_status()
        .select_related("calibration__instrument__customer")
        .defer("pdf", "dcc"),
        user,
        "calibration__instrument__customer",
    )


def certificate_for_user(user, pk, action="certificate.view") -> Certificate:
    return get_scoped(
        Certificate.objects.with_status().select_related("calibration__instrument__customer"),
        user,
        "calibration__instrument__customer",
        action,
        pk=pk,
    )
