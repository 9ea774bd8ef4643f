from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from calibration.models import Procedure, ScopeEntry


@admin.register(ScopeEntry)
class ScopeEntryAdmin(SimpleHistoryAdmin):
    """The lab's scope of accreditation, kept here by the administrator as the accreditation
    body publishes it; each change is in the history with who made it."""

    list_display = [
        "procedure_code",
        "quantity",
        "minimum",
        "maximum",
        "unit",
        "cmc_abs",
        "cmc_rel",
        "accredited",
    ]
    list_filter = ["accredited", "quantity", "procedure_code"]
    search_fields = ["procedure_code", "quantity"]


@admin.register(Procedure)
class ProcedureAdmin(SimpleHistoryAdmin):
    """Read only: procedures are drafted, approved and withdrawn on the app's pages, through
    calibration.procedures, so each version keeps its approval and change note."""

    list_display = ["code", "version", "title_vi", "status", "effective_on", "approved_by"]
    list_filter = ["status", "quantity"]
    search_fields = ["code", "title_vi", "title_en"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
