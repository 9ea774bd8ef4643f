from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from competence.models import Authorisation


@admin.register(Authorisation)
class AuthorisationAdmin(SimpleHistoryAdmin):
    """Read only: authorisations are granted and revoked by the quality manager on the app's
    pages, through competence.services, so each carries its evidence, grantor and reason."""

    list_display = [
        "person",
        "procedure_code",
        "activity",
        "valid_from",
        "valid_until",
        "revoked_on",
        "granted_by",
    ]
    list_filter = ["activity", "evidence_kind", "procedure_code"]
    search_fields = ["procedure_code", "person__username", "person__last_name", "evidence"]
    date_hierarchy = "valid_from"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
