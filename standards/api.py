from rest_framework import serializers

from lims.api import ScopedViewSet
from standards.models import Standard, StandardCalibration, StandardValue


class StandardValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = StandardValue
        fields = [
            "id",
            "label",
            "nominal",
            "value",
            "expanded_uncertainty",
            "coverage_factor",
            "unit",
        ]


class StandardCalibrationSerializer(serializers.ModelSerializer):
    provider = serializers.StringRelatedField()
    values = StandardValueSerializer(many=True, read_only=True)

    class Meta:
        model = StandardCalibration
        fields = ["id", "provider", "certificate_number", "calibrated_on", "due_on", "values"]


class StandardSerializer(serializers.ModelSerializer):
    calibrations = StandardCalibrationSerializer(many=True, read_only=True)

    class Meta:
        model = Standard
        fields = [
            "id",
            "asset_number",
            "name",
            "quantity",
            "manufacturer",
            "model",
            "serial_number",
            "grade",
            "measuring_range",
            "unit",
            "location",
            "status",
            "calibrations",
        ]


class StandardViewSet(ScopedViewSet):
    queryset = Standard.objects.prefetch_related("calibrations__provider", "calibrations__values")
    serializer_class = StandardSerializer
    action_name = "standard.view"
