"""Issuing many certificates at once: a batch, its tasks on the database queue, the real worker.

The worker is django-tasks-db's own `db_worker` command, run in this process until the queue is
empty (`--batch`) or for a given number of tasks (`--max-tasks`). It commits as it goes, so these
tests run on `worker_db` (tables emptied afterwards, not rolled back).
"""

import datetime as dt
import re
import signal
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from batches.models import Batch, BatchItem, BatchState
from batches.services import batch_item_issue, batch_start
from calibration import services as cal
from calibration import workflow as flow
from calibration.models import Calibration, State
from certificates.models import Certificate
from lims.models import Role
from standards.models import StandardStatus
from standards.services import standard_set_status
from tests.conftest import PASSWORD, login, open_calibration

REASON = "Đợt kiểm định lưu động tại chợ Quy Nhơn / on-site campaign"


def approve(calibration, technician, reviewer):
    flow.calibration_submit(calibration=calibration, by=technician)
    flow.calibration_review(calibration=calibration, by=reviewer, password=PASSWORD)
    return flow.calibration_approve(calibration=calibration, by=reviewer, password=PASSWORD)


def approved(*, instrument, procedure, weights, technician, reviewer, today):
    calibration = open_calibration(
        instrument=instrument,
        procedure=procedure,
        standard=weights,
        technician=technician,
        on=today,
    )
    approve(calibration, technician, reviewer)
    calibration.refresh_from_db()
    return calibration


def run_worker(*options):
    """django-tasks-db's worker, as `manage.py db_worker --batch` runs it, in this process."""
    kept = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval=0",
            *(options or ["--batch"]),
            verbosity=0,
        )
    finally:
        for signum, handler in kept.items():  # the worker takes over Ctrl+C; give it back
            signal.signal(signum, handler)


def progress(batch_pk):
    return Batch.objects.with_progress().get(pk=batch_pk)


@pytest.fixture
def campaign(balance, other_balance, procedure, weights, alice, bob, rita, today):
    """Three calibrations by alice (two of Sông Đà Water's, one of another customer's) and one by
    bob, all approved by rita; then bob is made a reviewer, and may issue, but not his own work."""
    calibrations = [
        approved(
            instrument=instrument,
            procedure=procedure,
            weights=weights,
            technician=technician,
            reviewer=rita,
            today=today,
        )
        for instrument, technician in [
            (balance, alice),
            (balance, alice),
            (other_balance, alice),
            (balance, bob),
        ]
    ]
    bob.role = Role.REVIEWER
    bob.save(update_fields=["role"])
    return calibrations


def test_the_worker_issues_each_certificate_and_records_the_refusal(
    worker_db, client, campaign, bob, today
):
    *alices, bobs = campaign
    login(client, bob)
    response = client.post(
        "/certificates/batches/new/",
        {"calibrations": [c.pk for c in campaign], "reason": REASON},
    )
    batch = Batch.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/certificates/batches/{batch.pk}/"
    )
    assert (batch.requested_by, batch.reason, batch.language) == (bob, REASON, "en")
    assert DBTaskResult.objects.filter(status="READY").count() == 4
    assert progress(batch.pk).state == BatchState.QUEUED

    run_worker()

    batch = progress(batch.pk)
    assert (batch.total, batch.finished, batch.issued, batch.refused) == (4, 4, 3, 1)
    assert batch.state == BatchState.DONE_WITH_REFUSALS
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert numbers == [f"HC-{today.year}-{n:05d}" for n in (1, 2, 3)]
    for calibration in alices:
        item = BatchItem.objects.get(calibration=calibration)
        assert item.certificate.calibration == calibration and item.refusal == ""
        assert item.certificate.issued_by == bob
        assert item.started_at <= item.finished_at
        assert Calibration.objects.get(pk=calibration.pk).state == State.ISSUED
        reason = item.certificate.history.get().history_change_reason
        assert reason == f"Batch #{batch.pk}: {REASON}"
    refused = BatchItem.objects.get(calibration=bobs)
    assert refused.certificate is None
    assert refused.refusal == (
        "A second person must issue the certificate: not the technician who performed the calibration."
    )
    assert Calibration.objects.get(pk=bobs.pk).state == State.APPROVED
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}

    page = client.get(f"/certificates/batches/{batch.pk}/").content.decode()
    fragment = client.get(f"/certificates/batches/{batch.pk}/progress/").content.decode()
    for html in (page, fragment):
        assert "4 of 4" in html and "3 issued" in html and "1 refused" in html
        assert "Done, with refusals" in html
        assert "A second person must issue the certificate" in html
        assert all(number in html for number in numbers)
        assert "hx-trigger" not in html  # done: the page stops asking
    listing = client.get("/certificates/batches/").content.decode()
    assert f'href="/certificates/batches/{batch.pk}/"' in listing and "4 / 4" in listing


def test_the_page_follows_the_worker_item_by_item(worker_db, client, campaign, bob):
    batch = batch_start(calibrations=campaign[:3], by=bob, reason=REASON, language="en")
    login(client, bob)
    fragment = client.get(f"/certificates/batches/{batch.pk}/progress/").content.decode()
    assert "0 of 3" in fragment and "Queued" in fragment
    assert 'hx-trigger="every 1s"' in fragment
    assert f'hx-get="/certificates/batches/{batch.pk}/progress/"' in fragment
    assert f'href="/certificates/batches/{batch.pk}/"' in fragment  # reload, without JavaScript

    run_worker("--max-tasks=1")

    fragment = client.get(f"/certificates/batches/{batch.pk}/progress/").content.decode()
    assert "1 of 3" in fragment and "Running" in fragment and "1 issued" in fragment
    assert 'hx-trigger="every 1s"' in fragment
    assert progress(batch.pk).state == BatchState.RUNNING

    run_worker()

    assert progress(batch.pk).state == BatchState.DONE
    fragment = client.get(f"/certificates/batches/{batch.pk}/progress/").content.decode()
    assert "3 of 3" in fragment and "hx-trigger" not in fragment


def test_a_chain_broken_midway_refuses_the_rest_and_keeps_what_was_issued(
    worker_db, campaign, rita, quinn, weights, today
):
    first, second, _third, bobs = campaign
    batch = batch_start(calibrations=[first, second], by=rita, reason=REASON, language="en")
    run_worker("--max-tasks=1")
    standard_set_status(
        standard=weights, status=StandardStatus.QUARANTINED, by=quinn, reason="Drift"
    )

    run_worker()

    issued, refused = BatchItem.objects.filter(batch=batch).order_by("pk")
    assert issued.certificate.number == f"HC-{today.year}-00001"
    assert refused.certificate is None and "E2-01" in refused.refusal
    assert Calibration.objects.get(pk=first.pk).state == State.ISSUED
    assert Calibration.objects.get(pk=second.pk).state == State.APPROVED
    assert progress(batch.pk).state == BatchState.DONE_WITH_REFUSALS
    # a task delivered twice does its work once
    assert batch_item_issue(item_id=issued.pk) == issued.certificate.number
    assert batch_item_issue(item_id=refused.pk) == "refused"
    assert Certificate.objects.count() == 1


def test_a_refusal_is_written_in_the_language_of_the_person_who_asked(worker_db, campaign, bob):
    batch = batch_start(calibrations=[campaign[3]], by=bob, reason=REASON, language="vi")
    run_worker()
    assert BatchItem.objects.get(batch=batch).refusal.startswith(
        "Giấy chứng nhận phải do người thứ hai ban hành"
    )


def test_an_item_already_issued_alone_is_refused_not_issued_twice(worker_db, campaign, rita):
    from certificates.services import certificate_issue

    batch = batch_start(calibrations=campaign[:2], by=rita, reason=REASON, language="en")
    certificate_issue(calibration=campaign[0], by=rita)  # by hand, before the worker came

    run_worker()

    first, second = BatchItem.objects.filter(batch=batch).order_by("pk")
    assert first.refusal == "Only an approved calibration can be issued."
    assert second.certificate is not None
    assert Certificate.objects.count() == 2


# --- Starting a batch: who may, and bad input ---------------------------------------------------


def nothing_created():
    return not Batch.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["alice", "quinn", "adam", "carol", "oscar"])
def test_only_a_reviewer_may_start_a_batch(client, campaign, persona, request):
    user = request.getfixturevalue(persona)
    login(client, user)
    data = {"calibrations": [campaign[0].pk], "reason": REASON}
    assert client.get("/certificates/batches/new/").status_code == 403
    assert client.post("/certificates/batches/new/", data).status_code == 403
    assert nothing_created()
    with pytest.raises(PermissionDenied):
        batch_start(calibrations=campaign[:1], by=user, reason=REASON, language="en")


@pytest.mark.django_db
def test_customers_do_not_see_batches_and_staff_do(client, campaign, rita, alice, carol):
    batch = batch_start(calibrations=campaign[:1], by=rita, reason=REASON, language="en")
    for url in ["/certificates/batches/", f"/certificates/batches/{batch.pk}/"]:
        assert login(client, carol).get(url).status_code == 403
        assert login(client, alice).get(url).status_code == 200
    assert (
        login(client, alice).get(f"/certificates/batches/{batch.pk}/progress/").status_code == 200
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"reason": REASON}, "Choose at least one approved calibration."),
        ({"calibrations": ["abc"], "reason": REASON}, "“abc” is not a calibration"),
        ({"calibrations": ["999999"], "reason": REASON}, "Calibration #999999 does not exist"),
        (
            {"calibrations": ["99999999999999999999999"], "reason": REASON},
            "“99999999999999999999999” is not a calibration",
        ),
        ({"calibrations": ["{approved}"], "reason": "  "}, "Say why these certificates"),
    ],
    ids=["none-chosen", "not-a-number", "missing", "huge-number", "no-reason"],
)
def test_bad_input_says_what_is_wrong_and_creates_nothing(client, campaign, rita, data, message):
    login(client, rita)
    data = {
        key: [v.format(approved=campaign[0].pk) for v in value]
        if isinstance(value, list)
        else value
        for key, value in data.items()
    }
    response = client.post("/certificates/batches/new/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert nothing_created()


@pytest.mark.django_db
def test_a_calibration_not_approved_is_named_and_nothing_is_created(client, campaign, draft, rita):
    login(client, rita)
    response = client.post(
        "/certificates/batches/new/",
        {"calibrations": [campaign[0].pk, draft.pk], "reason": REASON},
    )
    html = response.content.decode()
    assert f"Calibration #{draft.pk} (" in html
    assert "is draft: only an approved calibration can be issued." in html
    assert nothing_created()


@pytest.mark.django_db
def test_a_calibration_in_a_batch_not_finished_cannot_join_another(client, campaign, rita):
    first = batch_start(calibrations=campaign[:2], by=rita, reason=REASON, language="en")
    with pytest.raises(ValidationError, match=f"already in batch #{first.pk}"):
        batch_start(calibrations=campaign[1:3], by=rita, reason=REASON, language="en")
    assert Batch.objects.count() == 1 and DBTaskResult.objects.count() == 2

    html = login(client, rita).get("/certificates/batches/new/").content.decode()
    assert f'href="/certificates/batches/{first.pk}/"' in html  # shown as taken, not offered
    assert f'name="calibrations" value="{campaign[0].pk}"' not in html
    assert f'name="calibrations" value="{campaign[2].pk}"' in html

    with pytest.raises(IntegrityError), transaction.atomic():  # the database refuses it too
        BatchItem.objects.create(batch=Batch.objects.get(), calibration=campaign[0])


@pytest.mark.django_db
def test_the_choice_is_all_approved_or_those_of_a_customer_or_a_job(
    client, campaign, rita, alice, balance, procedure, weights, customer, other_customer, today
):
    from jobs.services import job_item_start, job_receive

    job = job_receive(
        customer=customer,
        received_on=today,
        due_on=today + dt.timedelta(days=7),
        by=alice,
        items=[{"instrument": balance, "condition": "Tốt / good"}],
    )
    in_job = job_item_start(
        item=job.items.get(),
        by=alice,
        procedure=procedure,
        received_on=today,
        performed_on=today,
        temperature=Decimal("23.0"),
        humidity=Decimal("55"),
        standards=[weights],
    )
    refs = {v.label: v for v in cal.allowed_references(in_job)}
    for position, label, readings in [(1, "100 g", "100.0002"), (2, "200 g", "199.9998")]:
        cal.calibration_set_point(
            calibration=in_job,
            position=position,
            reference=refs[label],
            readings=[readings] * 3,
            by=alice,
        )
    approve(in_job, alice, rita)

    def offered(query=""):
        html = login(client, rita).get(f"/certificates/batches/new/{query}").content.decode()
        return {int(pk) for pk in re.findall(r'name="calibrations" value="(\d+)"', html)}

    everything = {c.pk for c in campaign} | {in_job.pk}
    assert offered() == everything
    assert offered(f"?customer={other_customer.pk}") == {campaign[2].pk}
    assert offered(f"?job={job.pk}") == {in_job.pk}
    assert offered("?customer=x&job=") == everything  # a filter that is not a number is ignored


def test_an_item_a_dead_worker_left_is_closed_and_its_calibration_freed(campaign, rita):
    first, second = campaign[0], campaign[1]
    batch = batch_start(calibrations=[first, second], by=rita, reason="Đợt 1", language="en")
    stale, fresh = batch.items.order_by("pk")
    BatchItem.objects.filter(pk=stale.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=30)
    )
    BatchItem.objects.filter(pk=fresh.pk).update(started_at=timezone.now())
    with pytest.raises(CommandError, match="may not issue"):
        call_command("batch_abandon_stale", by="alice", stdout=StringIO())
    out = StringIO()
    call_command("batch_abandon_stale", by="rita", stdout=out)
    assert "1 item(s)" in out.getvalue()
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert "the worker stopped while issuing it" in stale.refusal and stale.finished_at
    assert fresh.finished_at is None  # still being issued: left alone
    again = batch_start(calibrations=[first], by=rita, reason="Đợt 2", language="en")
    assert again.items.get().calibration == first
