from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from lims.models import User


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    """Administrators manage people here; lab records are written through the app's pages."""

    list_display = ["username", "first_name", "last_name", "role", "customer", "is_active"]
    list_filter = ["role", "is_active", "customer"]
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("Role in the lab"), {"fields": ["role", "customer"]}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Role in the lab"), {"fields": ["role", "customer"]}),
    )
