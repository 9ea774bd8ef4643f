"""Read a controlled record's history for people: who, when, why, and what changed."""

from django.apps import apps
from django.utils.translation import gettext_lazy as _

KINDS_OF_CHANGE = {"+": _("Created"), "~": _("Changed"), "-": _("Deleted")}

HISTORY_KINDS = {
    "customer": apps.get_model("lims", "Customer"),
    "user": apps.get_model("lims", "User"),
    "standard": apps.get_model("standards", "Standard"),
    "standard-calibration": apps.get_model("standards", "StandardCalibration"),
    "piece": apps.get_model("standards", "StandardPiece"),
    "document": apps.get_model("standards", "StandardDocument"),
    "check": apps.get_model("standards", "IntermediateCheck"),
    "interval-review": apps.get_model("standards", "IntervalReview"),
    "finding": apps.get_model("standards", "OutOfTolerance"),
    "national-standard": apps.get_model("standards", "NationalStandard"),
    "provider": apps.get_model("standards", "Provider"),
    "instrument": apps.get_model("calibration", "Instrument"),
    "calibration": apps.get_model("calibration", "Calibration"),
    "procedure": apps.get_model("calibration", "Procedure"),
    "range": apps.get_model("calibration", "InstrumentRange"),
    "scope": apps.get_model("calibration", "ScopeEntry"),
    "point": apps.get_model("calibration", "MeasurementPoint"),
    "certificate": apps.get_model("certificates", "Certificate"),
    "job": apps.get_model("jobs", "Job"),
    "job-item": apps.get_model("jobs", "JobItem"),
    "authorisation": apps.get_model("competence", "Authorisation"),
    "type-list": apps.get_model("verification", "TypeList"),
    "instrument-type": apps.get_model("verification", "InstrumentType"),
    "verifier-card": apps.get_model("verification", "VerifierCard"),
    "mark": apps.get_model("verification", "Mark"),
    "campaign": apps.get_model("verification", "Campaign"),
    "verification": apps.get_model("verification", "Verification"),
}


def history_rows(record) -> list[dict]:
    """Newest first; each row lists the fields that changed against the row before it."""
    snapshots = list(
        record.history.select_related("history_user").order_by("history_date", "history_id")
    )
    rows = []
    previous = None
    for snapshot in snapshots:
        changes = []
        if previous is not None:
            delta = snapshot.diff_against(previous)
            for change in delta.changes:
                field = record._meta.get_field(change.field)
                labels = dict(field.flatchoices) if field.choices else {}
                changes.append(
                    {
                        "field": field.verbose_name,
                        "old": labels.get(change.old, change.old) if labels else change.old,
                        "new": labels.get(change.new, change.new) if labels else change.new,
                    }
                )
        rows.append(
            {
                "when": snapshot.history_date,
                "who": snapshot.history_user,
                "kind": KINDS_OF_CHANGE.get(snapshot.history_type, snapshot.history_type),
                "reason": snapshot.history_change_reason or "",
                "changes": changes,
            }
        )
        previous = snapshot
    rows.reverse()
    return rows
