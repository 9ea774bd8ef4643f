"""The work queued for the background worker (`manage.py db_worker`)."""

from django_tasks import task

from batches.services import batch_item_issue


@task()
def issue_batch_item(item_id: int) -> str:
    """Issue one certificate of a batch; see `batches.services.batch_item_issue`."""
    return batch_item_issue(item_id=item_id)
