"""The standards register over the API: standards, their incoming calibrations and their checks.

Every list and answer is for staff only (`standard.view`). Writes parse the body with an input
serializer and call one service of standards/services.py, which checks the role again, validates
and keeps the history; nothing here saves a model. A service's refusal (a Django ValidationError)
is a 400 with its messages, a PermissionDenied a 403, never a 500.
"""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.status import HTTP_200_OK, HTTP_201_CREATED

from lims.api import ScopedViewSet
from standards.due import due_state, with_due_on
from standards.models import (
    Conformity,
    Funding,
    IntermediateCheck,
    NationalStandard,
    Provider,
    Standard,
    StandardCalibration,
    StandardPiece,
    StandardStatus,
    StandardValue,
)
from standards.services import (
    check_record,
    standard_calibration_record,
    standard_register,
    standard_set_status,
    standard_update,
)

# The fields of the register a reviewer enters and may later change, with a reason; the status
# has its own move (`status/`).
REGISTER_FIELDS = [
    "asset_number",
    "name",
    "level",
    "quantity",
    "manufacturer",
    "model",
    "serial_number",
    "grade",
    "measuring_range",
    "unit",
    "resolution",
    "tolerance",
    "location",
    "custodian",
    "calibration_interval_months",
    "check_interval_days",
    "check_standard",
    "acquired_on",
    "acquisition_cost",
    "funding_source",
]

DUE_STATES = [
    ("overdue", "overdue"),
    ("due_soon", "due soon (within 30 days)"),
    ("never", "never calibrated"),
    ("", "in date"),
]


# --- Answers --------------------------------------------------------------------------------------


class StandardValueSerializer(serializers.ModelSerializer):
    class Meta:
        model = StandardValue
        fields = [
            "id",
            "label",
            "piece",
            "nominal",
            "value",
            "expanded_uncertainty",
            "coverage_factor",
            "unit",
            "tolerance",
            "conformity",
        ]


class StandardCalibrationSerializer(serializers.ModelSerializer):
    """An incoming certificate as recorded; frozen, so every field is read-only."""

    provider = serializers.StringRelatedField()
    provider_id = serializers.IntegerField(read_only=True)
    national_standard = serializers.StringRelatedField(allow_null=True)
    national_standard_id = serializers.IntegerField(read_only=True, allow_null=True)
    replaced_by = serializers.SerializerMethodField()
    is_current = serializers.BooleanField(read_only=True)
    values = StandardValueSerializer(many=True, read_only=True)

    class Meta:
        model = StandardCalibration
        fields = [
            "id",
            "standard",
            "provider",
            "provider_id",
            "certificate_number",
            "version",
            "calibrated_on",
            "issued_on",
            "due_on",
            "conformity",
            "provider_standard",
            "national_standard",
            "national_standard_id",
            "replaces",
            "replacement_reason",
            "replaced_by",
            "is_current",
            "recorded_at",
            "values",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_replaced_by(self, calibration):
        return None if calibration.is_current else calibration.replaced_by.pk


class StandardPieceSerializer(serializers.ModelSerializer):
    class Meta:
        model = StandardPiece
        fields = ["id", "label", "nominal", "marking", "tolerance"]


class StandardSerializer(serializers.ModelSerializer):
    # Declared for the schema: a read-only field generated from the model loses `allow_blank`.
    funding_source = serializers.ChoiceField(
        choices=Funding.choices, allow_blank=True, read_only=True
    )
    due_on = serializers.DateField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("Due date of the latest current incoming calibration."),
    )
    due_state = serializers.SerializerMethodField()
    pieces = StandardPieceSerializer(many=True, read_only=True)
    calibrations = StandardCalibrationSerializer(many=True, read_only=True)

    class Meta:
        model = Standard
        fields = ["id", *REGISTER_FIELDS, "status", "due_on", "due_state", "pieces", "calibrations"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=DUE_STATES))
    def get_due_state(self, standard):
        return due_state(standard.due_on, timezone.localdate())


class CheckSerializer(serializers.ModelSerializer):
    performed_by = serializers.StringRelatedField()

    class Meta:
        model = IntermediateCheck
        fields = [
            "id",
            "standard",
            "check_standard",
            "checked_on",
            "label",
            "value",
            "unit",
            "performed_by",
            "centre",
            "lower_limit",
            "upper_limit",
            "in_control",
            "remarks",
        ]
        read_only_fields = fields


class CheckRecordedSerializer(CheckSerializer):
    """The check just recorded, and what it did to its standard."""

    quarantined = serializers.BooleanField(
        read_only=True, help_text=gettext_lazy("This check put the standard into quarantine.")
    )

    class Meta(CheckSerializer.Meta):
        fields = [*CheckSerializer.Meta.fields, "quarantined"]
        read_only_fields = fields


# --- Requests -------------------------------------------------------------------------------------


# Refuse a key the request does not know, rather than drop it: a misspelt optional field
# (`coverage_facor`) must not quietly become its default, nor `status` in a PATCH be ignored.
class Strict:
    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This field is not known here.")] for name in unknown}
                )
        return super().to_internal_value(data)


class PieceInputSerializer(Strict, serializers.ModelSerializer):
    class Meta:
        model = StandardPiece
        fields = ["label", "nominal", "marking", "tolerance"]


class StandardRegisterSerializer(Strict, serializers.ModelSerializer):
    pieces = PieceInputSerializer(many=True, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

    class Meta:
        model = Standard
        fields = [*REGISTER_FIELDS, "pieces", "reason"]


class StandardChangeSerializer(Strict, serializers.ModelSerializer):
    """The fields to change (any of them) and the reason, which the history keeps."""

    reason = serializers.CharField(
        max_length=500, help_text=gettext_lazy("Why the register changes.")
    )

    class Meta:
        model = Standard
        fields = [*REGISTER_FIELDS, "reason"]


class StandardChangeSchema(OpenApiSerializerExtension):
    """A PATCH documents every field as optional; `reason` is not."""

    target_class = StandardChangeSerializer

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        schema["required"] = ["reason"]
        return schema


class StandardStatusChangeSerializer(Strict, serializers.Serializer):
    status = serializers.ChoiceField(choices=StandardStatus.choices)
    reason = serializers.CharField(max_length=500)


class ValueInputSerializer(Strict, serializers.Serializer):
    """One calibrated point as the certificate gives it: its value, or its correction."""

    label = serializers.CharField(max_length=60)
    nominal = serializers.DecimalField(max_digits=20, decimal_places=9)
    value = serializers.DecimalField(max_digits=20, decimal_places=9, required=False)
    correction = serializers.DecimalField(
        max_digits=20,
        decimal_places=9,
        required=False,
        help_text=gettext_lazy("Instead of the value: value = nominal + correction."),
    )
    expanded_uncertainty = serializers.DecimalField(max_digits=20, decimal_places=9)
    coverage_factor = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    unit = serializers.CharField(
        max_length=20, required=False, help_text=gettext_lazy("The standard's unit when left out.")
    )
    conformity = serializers.ChoiceField(choices=Conformity.choices, required=False)
    tolerance = serializers.DecimalField(
        max_digits=20, decimal_places=9, required=False, allow_null=True
    )

    def validate_expanded_uncertainty(self, value):
        if value <= 0:
            raise serializers.ValidationError(
                _("The expanded uncertainty must be greater than zero.")
            )
        return value

    def validate_coverage_factor(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("The coverage factor must be greater than zero."))
        return value

    def validate(self, attrs):
        if ("value" in attrs) == ("correction" in attrs):
            raise serializers.ValidationError(_("Give either the value or the correction."))
        return attrs


class StandardCalibrationRecordSerializer(Strict, serializers.Serializer):
    standard = serializers.PrimaryKeyRelatedField(queryset=Standard.objects.all())
    provider = serializers.PrimaryKeyRelatedField(queryset=Provider.objects.all())
    certificate_number = serializers.CharField(max_length=60)
    calibrated_on = serializers.DateField()
    issued_on = serializers.DateField(required=False, allow_null=True)
    due_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("Left out: the calibration date plus the standard's interval."),
    )
    conformity = serializers.ChoiceField(choices=Conformity.choices, required=False)
    provider_standard = serializers.CharField(max_length=200, required=False, allow_blank=True)
    national_standard = serializers.PrimaryKeyRelatedField(
        queryset=NationalStandard.objects.all(), required=False, allow_null=True
    )
    values = ValueInputSerializer(many=True, allow_empty=False)
    replaces = serializers.PrimaryKeyRelatedField(
        queryset=StandardCalibration.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "The incoming calibration this one corrects; it stays, shown as replaced."
        ),
    )
    replacement_reason = serializers.CharField(required=False, allow_blank=True)

    def validate(self, attrs):
        due_on, calibrated_on = attrs.get("due_on"), attrs["calibrated_on"]
        if due_on is not None and due_on <= calibrated_on:
            raise serializers.ValidationError(
                {"due_on": _("The due date must be after the calibration date.")}
            )
        if attrs.get("replaces") is not None and not attrs.get("replacement_reason", "").strip():
            raise serializers.ValidationError(
                {"replacement_reason": _("Give the reason for the replacement.")}
            )
        return attrs


class CheckRecordSerializer(Strict, serializers.Serializer):
    standard = serializers.PrimaryKeyRelatedField(queryset=Standard.objects.all())
    checked_on = serializers.DateField()
    label = serializers.CharField(max_length=60)
    value = serializers.DecimalField(max_digits=20, decimal_places=9)
    check_standard = serializers.PrimaryKeyRelatedField(
        queryset=Standard.objects.all(), required=False, allow_null=True
    )
    remarks = serializers.CharField(max_length=500, required=False, allow_blank=True)


# --- Endpoints ------------------------------------------------------------------------------------


def _refusal_detail(error: DjangoValidationError):
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return {
        api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: messages
        for field, messages in error.message_dict.items()
    }


class StandardsEndpoint(ScopedViewSet):
    """Reads need `standard.view`; each write its own action of lims.access.PERMISSIONS."""

    # Nested lists (values, pieces) have no form encoding: JSON only, and the schema says so.
    parser_classes = [JSONParser]
    write_actions: dict[str, str] = {}
    input_serializers: dict[str, type[serializers.Serializer]] = {}

    def get_serializer_class(self):
        return self.input_serializers.get(self.action, self.serializer_class)

    @property
    def action_name(self):
        return self.write_actions.get(self.action, "standard.view")

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            exc = exceptions.ValidationError(_refusal_detail(exc))
        return super().handle_exception(exc)

    def parsed(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def filter_by_standard(self, queryset):
        raw = self.request.query_params.get("standard")
        if raw is None:
            return queryset
        if not raw.isdigit():
            raise exceptions.ValidationError({"standard": [_("Give the id of a standard.")]})
        return queryset.filter(standard_id=int(raw))


STANDARD_FILTER = OpenApiParameter(
    "standard", int, description="Only those of the standard with this id."
)
REFUSED = {
    400: OpenApiResponse(description="Invalid input, or the service refused it; the messages."),
    403: OpenApiResponse(description="The user's role may not do this."),
}


class StandardViewSet(StandardsEndpoint):
    """The register of the lab's measurement standards, with when each falls due."""

    queryset = Standard.objects.prefetch_related(
        "pieces",
        Prefetch(
            "calibrations",
            queryset=StandardCalibration.objects.select_related(
                "provider", "national_standard", "replaced_by"
            ).prefetch_related("values"),
        ),
    )
    serializer_class = StandardSerializer
    write_actions = {
        "create": "standard.edit",
        "partial_update": "standard.edit",
        "status": "standard.edit",
    }
    input_serializers = {
        "create": StandardRegisterSerializer,
        "partial_update": StandardChangeSerializer,
        "status": StandardStatusChangeSerializer,
    }

    def get_queryset(self):
        return with_due_on(super().get_queryset()).order_by("asset_number")

    def answer(self, pk, code=HTTP_200_OK):
        standard = self.get_queryset().get(pk=pk)
        return Response(
            StandardSerializer(standard, context=self.get_serializer_context()).data, code
        )

    @extend_schema(
        request=StandardRegisterSerializer, responses={201: StandardSerializer, **REFUSED}
    )
    def create(self, request):
        data = self.parsed(StandardRegisterSerializer)
        with transaction.atomic():
            standard = standard_register(by=request.user, **data)
        return self.answer(standard.pk, HTTP_201_CREATED)

    @extend_schema(
        request=StandardChangeSerializer,
        responses={200: StandardSerializer, **REFUSED},
        description="Change fields of the register; `reason` is required and kept in the history.",
    )
    def partial_update(self, request, pk=None):
        standard = self.get_object()
        serializer = StandardChangeSerializer(
            standard, data=request.data, partial=True, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        if not reason.strip():
            raise exceptions.ValidationError({"reason": [_("Give the reason for the change.")]})
        with transaction.atomic():
            standard_update(
                standard=Standard.objects.select_for_update().get(pk=standard.pk),
                by=request.user,
                reason=reason,
                **data,
            )
        return self.answer(standard.pk)

    @extend_schema(
        request=StandardStatusChangeSerializer,
        responses={200: StandardSerializer, **REFUSED},
        description="Put the standard in service, out for calibration, in quarantine or retire it.",
    )
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        standard = self.get_object()
        data = self.parsed(StandardStatusChangeSerializer)
        with transaction.atomic():
            standard_set_status(standard=standard, by=request.user, **data)
        return self.answer(standard.pk)


@extend_schema_view(list=extend_schema(parameters=[STANDARD_FILTER]))
class StandardCalibrationViewSet(StandardsEndpoint):
    """Incoming calibrations; recorded once and frozen: a correction is a new one that replaces."""

    queryset = StandardCalibration.objects.select_related(
        "provider", "national_standard", "replaced_by"
    ).prefetch_related("values")
    serializer_class = StandardCalibrationSerializer
    write_actions = {"create": "standard.edit"}
    input_serializers = {"create": StandardCalibrationRecordSerializer}

    def get_queryset(self):
        queryset = super().get_queryset().order_by("-calibrated_on", "-version", "-pk")
        return self.filter_by_standard(queryset) if self.action == "list" else queryset

    @extend_schema(
        request=StandardCalibrationRecordSerializer,
        responses={201: StandardCalibrationSerializer, **REFUSED},
    )
    def create(self, request):
        data = self.parsed(StandardCalibrationRecordSerializer)
        values = [dict(row) for row in data.pop("values")]
        with transaction.atomic():
            calibration = standard_calibration_record(by=request.user, values=values, **data)
        calibration = self.get_queryset().get(pk=calibration.pk)
        serializer = StandardCalibrationSerializer(
            calibration, context=self.get_serializer_context()
        )
        return Response(serializer.data, HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(parameters=[STANDARD_FILTER]))
class CheckViewSet(StandardsEndpoint):
    """Intermediate checks (ISO/IEC 17025 6.4.10); one outside its control limits quarantines."""

    queryset = IntermediateCheck.objects.select_related("performed_by")
    serializer_class = CheckSerializer
    write_actions = {"create": "standard.check"}
    input_serializers = {"create": CheckRecordSerializer}

    def get_queryset(self):
        queryset = super().get_queryset()
        return self.filter_by_standard(queryset) if self.action == "list" else queryset

    @extend_schema(
        request=CheckRecordSerializer, responses={201: CheckRecordedSerializer, **REFUSED}
    )
    def create(self, request):
        data = self.parsed(CheckRecordSerializer)
        with transaction.atomic():
            standard = Standard.objects.select_for_update().get(pk=data.pop("standard").pk)
            before = standard.status
            check = check_record(standard=standard, by=request.user, **data)
            check = self.get_queryset().select_related("standard").get(pk=check.pk)
        check.quarantined = (
            before != StandardStatus.QUARANTINED
            and check.standard.status == StandardStatus.QUARANTINED
        )
        serializer = CheckRecordedSerializer(check, context=self.get_serializer_context())
        return Response(serializer.data, HTTP_201_CREATED)
