"""Shared pieces of the REST API: role permission and customer scoping, as on the pages."""

from rest_framework import permissions, serializers, viewsets

from lims.access import can, scoped
from lims.models import Customer


class RolePermission(permissions.BasePermission):
    """The view's `action_name` must be held by the user's role (lims.access.PERMISSIONS)."""

    def has_permission(self, request, view):
        return can(request.user, view.action_name)


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """Read-only endpoint whose rows are scoped to the user's customer exactly like the pages."""

    permission_classes = [permissions.IsAuthenticated, RolePermission]
    action_name = ""
    customer_path = ""

    def get_queryset(self):
        return scoped(self.queryset, self.request.user, self.customer_path)


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "short_name",
            "tax_code",
            "address",
            "sector",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]


class CustomerViewSet(ScopedViewSet):
    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    action_name = "customer.view"
    customer_path = "pk"
