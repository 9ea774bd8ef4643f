from jobs.models import Job, JobItem
from lims.access import get_scoped, scoped


def jobs_for(user, today=None):
    """The jobs `user` may see, with their derived status, turnaround and overdue flag."""
    return scoped(
        Job.objects.with_status(today).select_related("customer", "technician"),
        user,
        "customer",
    )


def job_for_user(user, pk, action="job.view") -> Job:
    return get_scoped(
        Job.objects.with_status().select_related(
            "customer", "technician", "received_by", "requested_by"
        ),
        user,
        "customer",
        action,
        pk=pk,
    )


def job_item_for_user(user, pk, action="job.edit") -> JobItem:
    return get_scoped(
        JobItem.objects.select_related("job__customer", "instrument", "procedure", "calibration"),
        user,
        "job__customer",
        action,
        pk=pk,
    )
