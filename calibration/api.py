"""Instruments and calibrations over the API: read, scoped like the pages; readings are posted.

`POST /api/calibrations/{id}/readings/` saves a calibration's readings exactly as an imported
file does (`calibration.imports`): the same checks, all points or none, and every refusal
named by the point's place in the list. Numbers in the JSON are read as Decimals from their
JSON text (`ReadingsJSONParser`), so 100.00020 keeps its digits; strings are preferred.
"""

import json
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.status import HTTP_400_BAD_REQUEST

from calibration import imports
from calibration.models import Calibration, Instrument, MeasurementPoint
from lims.api import ScopedViewSet
from standards.api import Strict


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
    range = serializers.StringRelatedField()
    reference = serializers.StringRelatedField()
    result = serializers.SerializerMethodField()

    class Meta:
        model = MeasurementPoint
        fields = ["range", "phase", "position", "reference", "readings", "result"]

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


# --- Posting readings ----------------------------------------------------------------------------

MAX_BODY = imports.MAX_BYTES
NUMBER_TEXT = 40


class ReadingsJSONParser(JSONParser):
    """JSON whose numbers keep the digits written: 100.00020 becomes Decimal("100.00020").

    Django bounds the body first (DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB by default: the endpoint
    answers that in its own shape); the parser bounds it again at MAX_BODY in case the setting is
    lifted. A longer body, a NaN, or nesting deep enough to exhaust the recursion limit is a
    parse error (400), never a 500.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding") or "utf-8"
        raw = stream.read(MAX_BODY + 1)
        if len(raw) > MAX_BODY:
            raise exceptions.ParseError(_too_large(MAX_BODY))
        try:
            return json.loads(
                raw.decode(encoding), parse_float=Decimal, parse_constant=_no_constant
            )
        except (ValueError, RecursionError) as exc:
            message = _("The body is not valid JSON: %(error)s") % {"error": exc}
            raise exceptions.ParseError(message) from None


def _too_large(limit: int) -> str:
    return _("The request is larger than %(mb)s MB: send the readings in parts.") % {
        "mb": f"{limit / (1024 * 1024):g}"
    }


def _no_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "maxLength": NUMBER_TEXT, "example": "100,0002"},
            {"type": "number", "example": 100.0002},
        ]
    }
)
class NumberTextField(serializers.Field):
    """A number as typed: a string ("100,0002" or "100.0002"), or a JSON number taken as its
    JSON text (100.00020 → "100.00020"). Checked as a reading later, not here."""

    default_error_messages = {
        "invalid": gettext_lazy('Give a number as a string, e.g. "100,0002", or a JSON number.'),
        "too_long": gettext_lazy("At most {n} characters."),
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (str, int, Decimal, float)):
            self.fail("invalid")
        text = repr(data) if isinstance(data, float) else str(data)
        if len(text) > NUMBER_TEXT:
            self.fail("too_long", n=NUMBER_TEXT)
        return text

    def to_representation(self, value):
        return value


class BoundedListField(serializers.ListField):
    """A list whose length is checked before its items: a million items fail at once."""

    def to_internal_value(self, data):
        if isinstance(data, list) and self.max_length is not None and len(data) > self.max_length:
            raise serializers.ValidationError(
                self.error_messages["max_length"].format(max_length=self.max_length)
            )
        return super().to_internal_value(data)


class ReadingsPointInputSerializer(Strict, serializers.Serializer):
    range = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=80,
        help_text=gettext_lazy(
            'The range or channel\'s name, e.g. "0 – 220 g"; may be left out when the '
            "instrument has one range for the calibration's procedure."
        ),
    )
    phase = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        help_text=gettext_lazy(
            "as_left (when left out) or as_found (only when the instrument is adjusted); "
            '"sau hiệu chỉnh" and "trước hiệu chỉnh" are accepted.'
        ),
    )
    nominal = NumberTextField(
        required=False,
        help_text=gettext_lazy(
            "The nominal of the reference value, matched among the values of the standards "
            "used, in the range's unit. Or give `reference`."
        ),
    )
    reference = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=gettext_lazy(
            "The id of the reference value (a value of a standard used in this calibration)."
        ),
    )
    readings = BoundedListField(
        child=NumberTextField(),
        max_length=imports.MAX_READINGS,
        help_text=gettext_lazy(
            "The readings as the instrument shows them, as strings (a comma or a point as the "
            "decimal mark); at least two. A JSON number is taken as its JSON text."
        ),
    )


class ReadingsInputSerializer(Strict, serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=gettext_lazy(
            "Why the data change; required once the calibration has been submitted before."
        ),
    )
    points = ReadingsPointInputSerializer(many=True, allow_empty=False, max_length=imports.MAX_ROWS)


class SavedPointSerializer(serializers.ModelSerializer):
    range = serializers.StringRelatedField()
    reference = serializers.PrimaryKeyRelatedField(read_only=True)
    reference_label = serializers.CharField(source="reference.label", read_only=True)
    readings = serializers.ListField(child=serializers.CharField(), read_only=True)
    result = serializers.SerializerMethodField()

    class Meta:
        model = MeasurementPoint
        fields = [
            "range",
            "phase",
            "position",
            "reference",
            "reference_label",
            "readings",
            "result",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DictField())
    def get_result(self, point):
        return point.result


class ReadingsSavedSerializer(serializers.Serializer):
    imported = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("How many points the request saved.")
    )
    points = SavedPointSerializer(
        many=True,
        read_only=True,
        help_text=gettext_lazy("Every point of the calibration now, with its computed result."),
    )


class ReadingsErrorSerializer(serializers.Serializer):
    class Item(serializers.Serializer):
        point = serializers.IntegerField(
            allow_null=True,
            help_text=gettext_lazy("The point's place in `points`, from 1; null: the request."),
        )
        message = serializers.CharField()

    errors = Item(many=True)


def _texts(field, value) -> list[str]:
    """The messages of one field's errors, named as the client wrote them."""
    if isinstance(value, dict):  # a nested object's errors by key, or a list's by index
        texts = []
        for key, sub in value.items():
            if isinstance(key, int):
                name = _("Reading %(n)d") % {"n": key + 1} if field == "readings" else field
            else:
                name = field if key == api_settings.NON_FIELD_ERRORS_KEY else key
            texts += _texts(name, sub)
        return texts
    if isinstance(value, list):
        return [text for item in value for text in _texts(field, item)]
    unnamed = field in ("", api_settings.NON_FIELD_ERRORS_KEY)
    return [str(value) if unnamed else f"{field}: {value}"]


def readings_errors(detail) -> list[dict]:
    """A DRF error detail as the endpoint's list of {point, message}; points counted from 1."""
    if not isinstance(detail, dict):
        detail = {api_settings.NON_FIELD_ERRORS_KEY: detail}
    errors = []
    for field, value in detail.items():
        if field == "points" and isinstance(value, dict) and all(isinstance(k, int) for k in value):
            for index, item in value.items():
                errors += [{"point": index + 1, "message": t} for t in _texts("", item)]
        else:
            errors += [{"point": None, "message": t} for t in _texts(field, value)]
    return errors


def _refused(rejected) -> Response:
    errors = [{"point": line, "message": message} for line, message in rejected]
    return Response({"errors": errors}, HTTP_400_BAD_REQUEST)


class CalibrationViewSet(ScopedViewSet):
    """Calibrations with their points, scoped to the user's customer like the pages."""

    queryset = Calibration.objects.select_related("technician", "procedure").prefetch_related(
        "points__reference", "points__range", "standards"
    )
    serializer_class = CalibrationSerializer
    action_name = "calibration.view"  # `readings` checks calibration.edit once the row is found
    customer_path = "instrument__customer"

    def handle_exception(self, exc):
        if getattr(self, "action", None) == "readings":
            if isinstance(exc, RequestDataTooBig):  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE
                return _refused([(None, _too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE))])
            if isinstance(exc, DjangoValidationError):
                return _refused([(None, message) for message in exc.messages])
            if isinstance(exc, (exceptions.ValidationError, exceptions.ParseError)):
                return Response({"errors": readings_errors(exc.detail)}, HTTP_400_BAD_REQUEST)
        return super().handle_exception(exc)

    @extend_schema(
        request=ReadingsInputSerializer,
        responses={
            200: ReadingsSavedSerializer,
            400: ReadingsErrorSerializer,
            403: OpenApiResponse(
                description="Only the technician who performs the calibration may post readings."
            ),
            404: OpenApiResponse(description="No such calibration for this user."),
        },
        description=(
            "Save readings of a draft calibration, checked like an imported file: every point "
            "or none. A point replaces the saved point of its range and phase at the same "
            "reference value, or is added; no saved point is removed. A 400 lists every refused "
            "point."
        ),
    )
    @action(detail=True, methods=["post"], parser_classes=[ReadingsJSONParser])
    def readings(self, request, pk=None):
        calibration = self.get_object()
        imports.check_may_import(calibration, request.user)
        serializer = ReadingsInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        entries = [
            imports.Entry(
                line=number,
                range=point.get("range", ""),
                phase=point.get("phase", ""),
                nominal=point.get("nominal", ""),
                reference_id=point.get("reference"),
                readings=point["readings"],
            )
            for number, point in enumerate(data["points"], start=1)
        ]
        result = imports.check_entries(calibration, entries)
        if result.rejected:
            return _refused(result.rejected)
        try:
            count = imports.import_points(
                calibration=calibration,
                result=result,
                by=request.user,
                reason=data.get("reason", ""),
            )
        except imports.ImportRejected as refusal:
            return _refused(refusal.rejected)
        points = calibration.points.select_related("range", "reference").order_by(
            "range__position", "range_id", "phase", "position"
        )
        return Response(ReadingsSavedSerializer({"imported": count, "points": points}).data)
