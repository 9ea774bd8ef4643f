from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jobs.access import jobs_for
from jobs.models import Job, JobItem, JobStatus
from lims.api import ScopedViewSet


class JobStatusField(serializers.ChoiceField):
    """A job's derived status (read only)."""

    def __init__(self, **kwargs):
        super().__init__(choices=JobStatus.choices, read_only=True, **kwargs)


class JobStatusFieldSchema(OpenApiSerializerFieldExtension):
    """The status as its own named enum, JobStatusEnum.

    Left to drf-spectacular's enum naming, a second choice set under the name "status" (the
    standards' has one) makes it rename both with a hash and warn.
    """

    target_class = JobStatusField

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name="JobStatusEnum",
            type=ResolvedComponent.SCHEMA,
            object="JobStatusEnum",
            schema={
                "type": "string",
                "enum": list(JobStatus.values),
                "description": "\n".join(f"* `{v}` - {label}" for v, label in JobStatus.choices),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return {**component.ref, "readOnly": True}


class JobItemSerializer(serializers.ModelSerializer):
    procedure = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    calibration_state = serializers.SerializerMethodField()

    class Meta:
        model = JobItem
        fields = [
            "id",
            "instrument",
            "condition",
            "accessories",
            "procedure",
            "calibration",
            "calibration_state",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_calibration_state(self, item):
        return item.calibration.state if item.calibration_id else None


class JobSerializer(serializers.ModelSerializer):
    """A job with its derived status; the internal notes stay on the lab's pages."""

    items = JobItemSerializer(many=True, read_only=True)
    technician = serializers.StringRelatedField(allow_null=True)
    status = JobStatusField()
    overdue = serializers.BooleanField(read_only=True)
    items_count = serializers.IntegerField(read_only=True)
    turnaround_days = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id",
            "number",
            "customer",
            "customer_reference",
            "requested_on",
            "wished_on",
            "service",
            "request",
            "received_on",
            "due_on",
            "returned_on",
            "cancelled_on",
            "technician",
            "status",
            "overdue",
            "turnaround_days",
            "items_count",
            "items",
        ]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_turnaround_days(self, job) -> int | None:
        """Days from receipt to return (or to today); none while the job is only requested."""
        return None if job.turnaround is None else job.turnaround.days


class JobViewSet(ScopedViewSet):
    queryset = Job.objects.all()
    serializer_class = JobSerializer
    action_name = "job.view"
    customer_path = "customer"

    def get_queryset(self):
        # Built per request: the status, turnaround and overdue flag depend on today's date.
        return jobs_for(self.request.user).prefetch_related(
            "items__procedure", "items__calibration"
        )
