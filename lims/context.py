from lims.access import can


def navigation(request):
    """The menu entries the user's role may open."""
    user = request.user
    if not user.is_authenticated:
        return {}
    entries = [
        ("customers", "customer.view"),
        ("instruments", "instrument.view"),
        ("standards", "standard.view"),
        ("jobs", "job.view"),
        ("calibrations", "calibration.view"),
        ("verifications", "verification.view"),
        ("procedures", "procedure.view"),
        ("competence", "authorisation.view"),
        ("certificates", "certificate.view"),
    ]
    nav = {name for name, action in entries if can(user, action)}
    if not user.is_lab_staff:
        # A customer's instruments, with their due dates, are the portal's first page.
        nav = (nav - {"instruments"}) | {"portal"}
    return {"nav": nav, "perms_report": can(user, "report.view")}
