from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calibration.models import Calibration, Instrument, MeasurementPoint
from lims.api import ScopedViewSet


class InstrumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instrument
        fields = [
            "id",
            "customer",
            "name",
            "manufacturer",
            "model",
            "serial_number",
            "customer_asset_id",
            "measuring_range",
            "resolution",
            "unit",
            "location",
        ]


class InstrumentViewSet(ScopedViewSet):
    queryset = Instrument.objects.all()
    serializer_class = InstrumentSerializer
    action_name = "instrument.view"
    customer_path = "customer"


class PointSerializer(serializers.ModelSerializer):
    reference = serializers.StringRelatedField()
    result = serializers.SerializerMethodField()

    class Meta:
        model = MeasurementPoint
        fields = ["position", "reference", "readings", "result"]

    @extend_schema_field(serializers.DictField())
    def get_result(self, point):
        return point.result


class CalibrationSerializer(serializers.ModelSerializer):
    points = PointSerializer(many=True, read_only=True)
    technician = serializers.StringRelatedField()
    procedure = serializers.StringRelatedField()
    standards = serializers.SlugRelatedField(many=True, read_only=True, slug_field="asset_number")

    class Meta:
        model = Calibration
        fields = [
            "id",
            "instrument",
            "procedure",
            "technician",
            "state",
            "received_on",
            "performed_on",
            "place",
            "temperature",
            "humidity",
            "standards",
            "points",
        ]

    def to_representation(self, calibration):
        data = super().to_representation(calibration)
        if not calibration.is_released_to(self.context["request"].user):
            data["points"] = []  # results reach a customer with the certificate, not before
        return data


class CalibrationViewSet(ScopedViewSet):
    queryset = Calibration.objects.select_related("technician", "procedure").prefetch_related(
        "points__reference", "standards"
    )
    serializer_class = CalibrationSerializer
    action_name = "calibration.view"
    customer_path = "instrument__customer"
