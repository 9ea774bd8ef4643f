"""Readings imported from a file (CSV or Excel), and the templates to fill in.

Only the technician who performs a draft calibration may import, as in the reading grid: a role
that may not enter readings, or another technician, gets 403; a calibration that is no longer a
draft sends back to its page with the reason; another customer's calibration is 404. The file is
checked whole (`calibration.imports`): one wrong line and nothing is saved, and the page lists
every wrong line with a 400.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from calibration import imports
from calibration.access import calibration_for_user
from calibration.models import Calibration
from calibration.services import WorkflowError, ranges_of
from lims.forms import message_refusal


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File of readings"),
        help_text=gettext_lazy("CSV (UTF-8) or Excel workbook (.xlsx), at most 5 MB."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)d MB: split it, or leave out what is not readings.")
                % {"mb": imports.MAX_BYTES // (1024 * 1024)}
            )
        return upload


def _importable(request, pk) -> Calibration:
    """The calibration if this user may import into it now; PermissionDenied or WorkflowError."""
    calibration = calibration_for_user(request.user, pk)  # 404 for another customer's
    imports.check_may_import(calibration, request.user)
    return calibration


@login_required
@require_http_methods(["GET", "POST"])
def calibration_import(request, pk):
    try:
        calibration = _importable(request, pk)
    except WorkflowError as error:
        message_refusal(request, error)
        return redirect("calibration", pk=pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    rejected: list = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = imports.parse_import(calibration, upload.name, upload.read())
        rejected = result.rejected
        if not rejected:
            try:
                count = imports.import_points(
                    calibration=calibration,
                    result=result,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except imports.ImportRejected as refusal:
                rejected = refusal.rejected
            else:
                messages.success(
                    request,
                    _("%(n)d points imported from %(name)s.") % {"n": count, "name": upload.name},
                )
                return redirect("calibration", pk=pk)
    context = {
        "calibration": calibration,
        "form": form,
        "rejected": rejected,
        "ranges": ranges_of(calibration),
        "needs_reason": calibration.was_submitted,
        "limits": {"rows": imports.MAX_ROWS, "readings": imports.MAX_READINGS},
    }
    failed = request.method == "POST"  # a POST that did not redirect saved nothing
    return render(request, "calibration/import.html", context, status=400 if failed else 200)


@login_required
@require_GET
def calibration_import_template(request, pk, kind):
    try:
        calibration = _importable(request, pk)
    except WorkflowError as error:
        message_refusal(request, error)
        return redirect("calibration", pk=pk)
    if kind == "xlsx":
        content, content_type = imports.template_xlsx(calibration), imports.XLSX_TYPE
    else:
        content, content_type = imports.template_csv(calibration), "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="calibration-{calibration.pk}-readings.{kind}"'
    )
    return response


urlpatterns: list = [
    path("calibrations/<int:pk>/import/", calibration_import, name="calibration_import"),
    path(
        "calibrations/<int:pk>/import/template.xlsx",
        calibration_import_template,
        {"kind": "xlsx"},
        name="calibration_import_template",
    ),
    path(
        "calibrations/<int:pk>/import/template.csv",
        calibration_import_template,
        {"kind": "csv"},
        name="calibration_import_template_csv",
    ),
]
