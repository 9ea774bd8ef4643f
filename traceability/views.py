from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from calibration.access import calibration_for_user
from traceability.chains import chain_for, statement


@login_required
def calibration_chain(request, pk):
    calibration = calibration_for_user(request.user, pk, "traceability.view")
    links = chain_for(calibration)
    return render(
        request,
        "traceability/chain.html",
        {
            "calibration": calibration,
            "links": links,
            "statement": statement(links) if links else None,
        },
    )
