from django.urls import reverse
from rest_framework import serializers

from certificates.models import Certificate, Status
from lims.api import ScopedViewSet


class CertificateSerializer(serializers.ModelSerializer):
    pdf_url = serializers.SerializerMethodField()
    status = serializers.ChoiceField(
        choices=Status.choices,
        read_only=True,
        help_text="in_force, superseded (a certificate replacing it is issued) or withdrawn",
    )

    class Meta:
        model = Certificate
        fields = ["id", "number", "kind", "calibration", "issued_at", "sha256", "status", "pdf_url"]

    def get_pdf_url(self, certificate) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("certificate_pdf", args=[certificate.pk])
        )


class CertificateViewSet(ScopedViewSet):
    queryset = Certificate.objects.with_status().defer("pdf", "dcc")
    serializer_class = CertificateSerializer
    action_name = "certificate.view"
    customer_path = "calibration__instrument__customer"
