"""Who may see and do what: every page and every state-changing POST, for every persona.

The expected answers are written out here, table by table, not read from lims.access.PERMISSIONS,
so that a change to the table or to a view shows up as a failing test. One small lab is built per
module (see `lab`); each test runs in a savepoint inside it and is rolled back.
"""

import datetime as dt
import re
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import override_settings
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone

from calibration import services as cal
from calibration import workflow as flow
from calibration.models import Calibration, Instrument, Procedure, State, Transition
from calibration.procedures import procedure_new_version
from certificates.models import Certificate
from certificates.services import certificate_issue
from jobs.services import job_receive, job_request
from lims.access import PERMISSIONS, can, require
from lims.models import Customer, Role, Sector, User
from lims.services import customer_register
from standards.models import (
    IntervalReview,
    NationalStandard,
    Provider,
    Standard,
    StandardCalibration,
    StandardStatus,
)
from standards.services import (
    finding_report,
    standard_calibration_record,
    standard_register,
    standard_set_status,
)
from tests.conftest import PASSWORD, authorise, login, make_user, open_calibration

pytestmark = pytest.mark.django_db

PERSONAS = ("alice", "bob", "rita", "quinn", "adam", "carol", "oscar")


# --- The lab, built once per module -------------------------------------------------------------


def build_lab() -> SimpleNamespace:
    """Two customers, a user for every role, and calibrations in every state of the workflow.

    alice performed every calibration of the lab except bob's three, which rita took on; rita
    reviewed, approved and issued. `issued` and `other_issued` carry certificates, one per customer.
    """
    today = timezone.localdate()
    customer = Customer.objects.create(
        name="Công ty Cổ phần Cấp nước Sông Đà",
        short_name="Sông Đà Water",
        tax_code="5400101234",
        address="Hòa Bình",
        sector=Sector.WATER,
    )
    other_customer = Customer.objects.create(
        name="Công ty Phân bón Miền Nam",
        short_name="Phân bón MN",
        tax_code="0300123456",
        address="TP. Hồ Chí Minh",
        sector=Sector.CHEMICALS,
    )
    people = {
        "alice": make_user("alice", Role.TECHNICIAN, first="Alice"),
        "bob": make_user("bob", Role.TECHNICIAN, first="Bob"),
        "rita": make_user("rita", Role.REVIEWER, first="Rita"),
        "quinn": make_user("quinn", Role.QUALITY_MANAGER, first="Quinn"),
        "adam": make_user("adam", Role.ADMINISTRATOR, first="Adam"),
        "carol": make_user("carol", Role.CUSTOMER, customer=customer, first="Carol"),
        "oscar": make_user("oscar", Role.CUSTOMER, customer=other_customer, first="Oscar"),
    }
    alice, bob, rita, quinn = (people[name] for name in ("alice", "bob", "rita", "quinn"))
    vmi = Provider.objects.create(name="Viện Đo lường Việt Nam", short_name="VMI", is_nmi=True)
    national = NationalStandard.objects.create(
        institute="VMI", name="Khối lượng", quantity="mass", cmc="0,05 mg", si_unit="kg"
    )
    weights = standard_register(
        by=quinn, asset_number="E2-01", name="Bộ quả cân E2", quantity="mass", unit="g"
    )
    weights_calibration = standard_calibration_record(
        standard=weights,
        provider=vmi,
        national_standard=national,
        certificate_number="V01.26.0001",
        calibrated_on=today - dt.timedelta(days=100),
        due_on=today + dt.timedelta(days=265),
        by=quinn,
        values=[
            {
                "label": "100 g",
                "nominal": "100",
                "value": "100.000021",
                "expanded_uncertainty": "0.000050",
            },
            {
                "label": "200 g",
                "nominal": "200",
                "value": "199.999965",
                "expanded_uncertainty": "0.000100",
            },
        ],
    )
    procedure = Procedure.objects.create(
        code="QTHC-KL-01",
        title_vi="Cân phân tích",
        title_en="Analytical balances",
        quantity="mass",
        unit="g",
        status="approved",
        effective_on=dt.date(2000, 1, 1),
    )
    authorise(alice, procedure.code, "perform", by=quinn)
    authorise(bob, procedure.code, "perform", by=quinn)
    authorise(rita, procedure.code, "review", "approve", by=quinn)
    balance = cal.instrument_register(
        customer=customer,
        by=alice,
        name="Cân phân tích",
        model="Quintix224",
        serial_number="0034512877",
        resolution=Decimal("0.0001"),
        unit="g",
    )
    other_balance = cal.instrument_register(
        customer=other_customer,
        by=alice,
        name="Cân kỹ thuật",
        model="GX-6100",
        serial_number="6A-1",
        resolution=Decimal("0.01"),
        unit="g",
    )

    def taken_to(state, *, instrument=balance, technician=alice):
        calibration = open_calibration(
            instrument=instrument,
            procedure=procedure,
            standard=weights,
            technician=technician,
            on=today,
        )
        moves = [
            (flow.calibration_submit, technician),
            (flow.calibration_review, rita),
            (flow.calibration_approve, rita),
            (certificate_issue, rita),
        ]
        for move, by in moves:
            if calibration.state == state:
                break
            signs = move in (flow.calibration_review, flow.calibration_approve)
            move(calibration=calibration, by=by, **({"password": PASSWORD} if signs else {}))
            calibration.refresh_from_db()
        return calibration

    calibrations = {
        "draft": taken_to(State.DRAFT),
        "submitted": taken_to(State.SUBMITTED),
        "reviewed": taken_to(State.REVIEWED),
        "approved": taken_to(State.APPROVED),
        "issued": taken_to(State.ISSUED),
        "other_issued": taken_to(State.ISSUED, instrument=other_balance),
        "bobs_submitted": taken_to(State.SUBMITTED, technician=bob),
        "bobs_reviewed": taken_to(State.REVIEWED, technician=bob),
        "bobs_approved": taken_to(State.APPROVED, technician=bob),
    }
    certificate = calibrations["issued"].certificate
    other_certificate = calibrations["other_issued"].certificate
    spare = standard_register(
        by=quinn, asset_number="SP-01", name="Spare", quantity="mass", unit="g"
    )
    finding = finding_report(standard=spare, found_on=today, description="Dropped", by=quinn)
    review = IntervalReview.objects.create(standard=spare, current_months=12, proposed_months=6)
    draft_procedure = procedure_new_version(
        procedure=procedure, by=quinn, change_note="Five readings"
    )
    held = alice.authorisations.get()
    job = job_receive(
        customer=customer,
        received_on=today,
        due_on=today + dt.timedelta(days=10),
        by=alice,
        items=[{"instrument": balance, "condition": "Good", "accessories": ""}],
    )
    requested_job = job_request(by=people["carol"], instruments=[], request="Một áp kế 0–16 bar")
    from verification.cards import card_record
    from verification.marks import batch_receive
    from verification.typelists import typelist_import

    type_list = typelist_import(
        title="Danh mục nhóm 2",
        legal_basis="TT 03/2024",
        effective_on=today,
        data="code,number,name_vi,name_en,controls,interval_months,recommendation\n"
        "can-ban,8.2,Cân bàn,Platform scale,KĐĐK,12,oiml_r76\n",
        by=quinn,
    )
    card = card_record(
        person=alice,
        card_number="KĐV-1",
        type_code="can-ban",
        issued_by="TCĐLCL",
        valid_from=today,
        valid_until=today + dt.timedelta(days=365),
        by=quinn,
    )
    batch_receive(kind="stamp", series="T", first=1, last=10, received_on=today, by=quinn)
    from verification.models import Verification

    verification = Verification.objects.create(  # a draft by alice; its type's list is a draft
        owner="Bà Lan",
        province="Gia Lai",
        instrument_type=type_list.types.get(),
        serial_number="CB-1",
        verified_on=today,
        verifier=alice,
        specification={"max": "30", "e": "0.01", "class": "III", "unit": "kg"},
    )
    pks = {
        "customer": customer.pk,
        "other_customer": other_customer.pk,
        "alice": alice.pk,
        "weights": weights.pk,
        "weights_calibration": weights_calibration.pk,
        "balance": balance.pk,
        "other_balance": other_balance.pk,
        "point": calibrations["draft"].points.get(position=1).pk,
        "certificate": certificate.pk,
        "other_certificate": other_certificate.pk,
        "spare": spare.pk,
        "finding": finding.pk,
        "review": review.pk,
        "procedure": procedure.pk,
        "draft_procedure": draft_procedure.pk,
        "range": balance.ranges.get().pk,
        "authorisation": held.pk,
        "job": job.pk,
        "job_item": job.items.get().pk,
        "requested_job": requested_job.pk,
        "type_list": type_list.pk,
        "card": card.pk,
        "verification": verification.pk,
        **{name: calibration.pk for name, calibration in calibrations.items()},
    }
    return SimpleNamespace(
        today=today,
        people=people,
        vmi=vmi,
        weights=weights,
        procedure=procedure,
        balance=balance,
        other_balance=other_balance,
        calibrations=calibrations,
        certificate=certificate,
        other_certificate=other_certificate,
        pks=pks,
    )


@contextmanager
def kept_for_the_module(django_db_blocker):
    """A transaction around a whole module: its tests run in savepoints, and it is rolled back."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], LANGUAGE_CODE="en"
        ),
        transaction.atomic(),
    ):
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def lab(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        yield build_lab()


def logged_in(client, lab, persona):
    if persona != "anonymous":
        login(client, lab.people[persona])
    return client


def assert_sent_to_login(response):
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def cases(table):
    """pytest params `persona, row..., expected` with ids `persona-name-expected`."""
    params = []
    for name, *row, expected_by_persona in table:
        for persona, expected in zip(PERSONAS, expected_by_persona, strict=True):
            params.append(
                pytest.param(persona, name, *row, expected, id=f"{persona}-{name}-{expected}")
            )
        params.append(pytest.param("anonymous", name, *row, "login", id=f"anonymous-{name}-login"))
    return params


# --- Pages ----------------------------------------------------------------------------------------

# fmt: off
PAGES = [
    # page                                    url                                         alice bob  rita quinn adam carol oscar
    ("home",                                  "/",                                        (200, 200, 200, 200, 200, 200, 200)),
    ("customer_list",                         "/customers/",                              (200, 200, 200, 200, 200, 200, 200)),
    ("customer",                              "/customers/{customer}/",                   (200, 200, 200, 200, 200, 200, 404)),
    ("customer_of_other_customer",            "/customers/{other_customer}/",             (200, 200, 200, 200, 200, 404, 200)),
    ("customer_new",                          "/customers/new/",                          (403, 403, 200, 200, 200, 403, 403)),
    ("instrument_list",                       "/instruments/",                            (200, 200, 200, 200, 200, 200, 200)),
    ("instrument",                            "/instruments/{balance}/",                  (200, 200, 200, 200, 200, 200, 404)),
    ("instrument_of_other_customer",          "/instruments/{other_balance}/",            (200, 200, 200, 200, 200, 404, 200)),
    ("instrument_new",                        "/instruments/new/",                        (200, 200, 200, 403, 200, 403, 403)),
    ("standard_list",                         "/standards/",                              (200, 200, 200, 200, 200, 403, 403)),
    ("standard",                              "/standards/{weights}/",                    (200, 200, 200, 200, 200, 403, 403)),
    ("standards_due",                         "/standards/due/?within=90",                (200, 200, 200, 200, 200, 403, 403)),
    ("standard_new",                          "/standards/new/",                          (403, 403, 200, 200, 200, 403, 403)),
    ("standard_incoming_calibration_new",     "/standards/{weights}/calibrations/new/",   (403, 403, 200, 200, 200, 403, 403)),
    ("standard_incoming_replace",             "/standards/{weights}/calibrations/{weights_calibration}/replace/", (403, 403, 200, 200, 200, 403, 403)),
    ("standard_dcc_import",                   "/standards/{weights}/dcc/",                (403, 403, 200, 200, 200, 403, 403)),
    ("standard_edit",                         "/standards/{weights}/edit/",               (403, 403, 200, 200, 200, 403, 403)),
    ("standard_status_by_get",                "/standards/{weights}/status/",             (405, 405, 405, 405, 405, 405, 405)),
    ("standard_piece_new",                    "/standards/{weights}/pieces/new/",         (403, 403, 200, 200, 200, 403, 403)),
    ("standard_document_new",                 "/standards/{weights}/documents/new/",      (403, 403, 200, 200, 200, 403, 403)),
    ("standard_document_missing",             "/standards/documents/999999/file/",        (404, 404, 404, 404, 404, 403, 403)),
    ("standard_incoming_dcc_file_missing",    "/standards/calibrations/{weights_calibration}/dcc/", (404, 404, 404, 404, 404, 403, 403)),
    ("standard_checks",                       "/standards/{weights}/checks/",             (200, 200, 200, 200, 200, 403, 403)),
    ("standard_interval",                     "/standards/{weights}/interval/",           (200, 200, 200, 200, 200, 403, 403)),
    ("interval_decision_by_get",              "/standards/interval-reviews/{review}/decide/", (405, 405, 405, 405, 405, 405, 405)),
    ("standard_chain",                        "/traceability/standards/{weights}/?on=2026-01-01", (200, 200, 200, 200, 200, 403, 403)),
    ("findings",                              "/traceability/findings/",                  (200, 200, 200, 200, 200, 403, 403)),
    ("finding",                               "/traceability/findings/{finding}/",        (200, 200, 200, 200, 200, 403, 403)),
    ("finding_csv",                           "/traceability/findings/{finding}/csv/",    (200, 200, 200, 200, 200, 403, 403)),
    ("history_of_finding",                    "/history/finding/{finding}/",              (200, 200, 200, 200, 200, 403, 403)),
    ("calibration_list",                      "/calibrations/",                           (200, 200, 200, 200, 200, 200, 200)),
    ("calibration_list_of_drafts",            "/calibrations/?state=draft",               (200, 200, 200, 200, 200, 200, 200)),
    ("calibration_draft",                     "/calibrations/{draft}/",                   (200, 200, 200, 200, 200, 200, 404)),
    ("calibration_submitted",                 "/calibrations/{submitted}/",               (200, 200, 200, 200, 200, 200, 404)),
    ("calibration_issued",                    "/calibrations/{issued}/",                  (200, 200, 200, 200, 200, 200, 404)),
    ("calibration_of_other_customer",         "/calibrations/{other_issued}/",            (200, 200, 200, 200, 200, 404, 200)),
    ("calibration_new",                       "/calibrations/new/",                       (200, 200, 403, 403, 403, 403, 403)),
    ("traceability_chain",                    "/traceability/calibrations/{issued}/",     (200, 200, 200, 200, 200, 403, 403)),
    ("traceability_chain_of_a_draft",         "/traceability/calibrations/{draft}/",      (200, 200, 200, 200, 200, 403, 403)),
    ("traceability_chain_of_other_customer",  "/traceability/calibrations/{other_issued}/", (200, 200, 200, 200, 200, 403, 403)),
    ("certificate_list",                      "/certificates/",                           (200, 200, 200, 200, 200, 200, 200)),
    ("certificate",                           "/certificates/{certificate}/",             (200, 200, 200, 200, 200, 200, 404)),
    ("certificate_of_other_customer",         "/certificates/{other_certificate}/",       (200, 200, 200, 200, 200, 404, 200)),
    ("certificate_pdf",                       "/certificates/{certificate}/pdf/",         (200, 200, 200, 200, 200, 200, 404)),
    ("certificate_pdf_of_other_customer",     "/certificates/{other_certificate}/pdf/",   (200, 200, 200, 200, 200, 404, 200)),
    ("certificate_dcc",                       "/certificates/{certificate}/dcc/",         (200, 200, 200, 200, 200, 200, 404)),
    ("certificate_dcc_of_other_customer",     "/certificates/{other_certificate}/dcc/",   (200, 200, 200, 200, 200, 404, 200)),
    ("verification_types",                    "/verification/types/",                     (200, 200, 200, 200, 200, 403, 403)),
    ("verification_typelist",                 "/verification/types/{type_list}/",         (200, 200, 200, 200, 200, 403, 403)),
    ("verification_typelist_csv",             "/verification/types/{type_list}/csv/",     (200, 200, 200, 200, 200, 403, 403)),
    ("verification_typelist_import",          "/verification/types/import/",              (403, 403, 403, 200, 403, 403, 403)),
    ("verifier_cards",                        "/verification/cards/",                     (200, 200, 200, 200, 200, 403, 403)),
    ("verifier_card_record",                  "/verification/cards/new/",                 (403, 403, 403, 200, 403, 403, 403)),
    ("marks",                                 "/verification/marks/?serial=T0000001",     (200, 200, 200, 200, 200, 403, 403)),
    ("verifications",                         "/verification/",                           (200, 200, 200, 200, 200, 403, 403)),
    ("verifications_of_a_bad_date",           "/verification/?date_from=abc",             (400, 400, 400, 400, 400, 403, 403)),
    ("verification_new",                      "/verification/new/",                       (200, 200, 200, 403, 403, 403, 403)),
    ("verification",                          "/verification/{verification}/",            (200, 200, 200, 200, 200, 403, 403)),
    ("verification_missing",                  "/verification/999999/",                    (404, 404, 404, 404, 404, 403, 403)),
    ("verification_edit",                     "/verification/{verification}/edit/",       (200, 200, 200, 403, 403, 403, 403)),
    ("verification_pdf_of_a_draft",           "/verification/{verification}/pdf/",        (404, 404, 404, 404, 404, 403, 403)),
    ("verification_issue_by_get",             "/verification/{verification}/issue/",      (405, 405, 405, 405, 405, 405, 405)),
    ("verification_report",                   "/verification/report/",                    (403, 403, 200, 200, 200, 403, 403)),
    ("verification_report_of_a_bad_year",     "/verification/report/?year=abc",           (403, 403, 400, 400, 400, 403, 403)),
    ("verification_report_xlsx",              "/verification/report/report.xlsx",         (403, 403, 200, 200, 200, 403, 403)),
    ("verification_report_pdf",               "/verification/report/report.pdf",          (403, 403, 200, 200, 200, 403, 403)),
    ("campaigns",                             "/verification/campaigns/",                 (200, 200, 200, 200, 200, 403, 403)),
    ("campaign_create",                       "/verification/campaigns/new/",             (403, 403, 200, 200, 403, 403, 403)),
    ("campaign_offline_worker",               "/verification/campaigns/offline.js",       (200, 200, 200, 200, 200, 200, 200)),
    ("campaign_missing",                      "/verification/campaigns/999999/",          (404, 404, 404, 404, 404, 403, 403)),
    ("campaign_edit_missing",                 "/verification/campaigns/999999/edit/",     (403, 403, 404, 404, 403, 403, 403)),
    ("campaign_close_by_get",                 "/verification/campaigns/999999/close/",    (405, 405, 405, 405, 405, 405, 405)),
    ("campaign_entry_missing",                "/verification/campaigns/999999/entry/",    (404, 404, 404, 403, 403, 403, 403)),
    ("campaign_preview_by_get",               "/verification/campaigns/999999/preview/",  (405, 405, 405, 405, 405, 405, 405)),
    ("campaign_rows_missing",                 "/verification/campaigns/999999/rows/",     (404, 404, 404, 403, 403, 403, 403)),
    ("campaign_sign_missing",                 "/verification/campaigns/999999/sign/",     (404, 404, 404, 403, 403, 403, 403)),
    ("history_of_customer",                   "/history/customer/{customer}/",            (200, 200, 200, 200, 200, 403, 403)),
    ("history_of_user",                       "/history/user/{alice}/",                   (200, 200, 200, 200, 200, 403, 403)),
    ("history_of_standard",                   "/history/standard/{weights}/",             (200, 200, 200, 200, 200, 403, 403)),
    ("history_of_standard_calibration",       "/history/standard-calibration/{weights_calibration}/", (200, 200, 200, 200, 200, 403, 403)),
    ("history_of_instrument",                 "/history/instrument/{balance}/",           (200, 200, 200, 200, 200, 403, 403)),
    ("history_of_calibration",                "/history/calibration/{issued}/",           (200, 200, 200, 200, 200, 403, 403)),
    ("history_of_point",                      "/history/point/{point}/",                  (200, 200, 200, 200, 200, 403, 403)),
    ("history_of_certificate",                "/history/certificate/{certificate}/",      (200, 200, 200, 200, 200, 403, 403)),
    ("history_of_an_unknown_kind",            "/history/nothing/{customer}/",             (404, 404, 404, 404, 404, 403, 403)),
    ("history_of_a_missing_record",           "/history/calibration/999999/",             (404, 404, 404, 404, 404, 403, 403)),
    ("calibration_missing",                   "/calibrations/999999/",                    (404, 404, 404, 404, 404, 404, 404)),
    ("calibration_conditions_by_get",         "/calibrations/{draft}/conditions/",        (405, 405, 405, 405, 405, 405, 405)),
    ("calibration_entry_draft_by_get",        "/calibrations/{draft}/draft/",             (405, 405, 405, 405, 405, 405, 405)),
    ("calibration_import",                    "/calibrations/{draft}/import/",            (200, 403, 403, 403, 403, 403, 404)),
    ("calibration_import_template",           "/calibrations/{draft}/import/template.xlsx", (200, 403, 403, 403, 403, 403, 404)),
    ("calibration_import_template_csv",       "/calibrations/{draft}/import/template.csv", (200, 403, 403, 403, 403, 403, 404)),
    ("procedures",                            "/procedures/",                             (200, 200, 200, 200, 200, 403, 403)),
    ("procedure",                             "/procedures/{procedure}/",                 (200, 200, 200, 200, 200, 403, 403)),
    ("procedure_create",                      "/procedures/new/",                         (403, 403, 200, 200, 403, 403, 403)),
    ("procedure_edit_of_a_draft",             "/procedures/{draft_procedure}/edit/",      (403, 403, 200, 200, 403, 403, 403)),
    ("procedure_edit_of_an_approved",         "/procedures/{procedure}/edit/",            (403, 403, 302, 302, 403, 403, 403)),
    ("procedure_new_version_by_get",          "/procedures/{procedure}/new-version/",     (405, 405, 405, 405, 405, 405, 405)),
    ("procedure_approve_by_get",              "/procedures/{draft_procedure}/approve/",   (405, 405, 405, 405, 405, 405, 405)),
    ("procedure_withdraw_by_get",             "/procedures/{procedure}/withdraw/",        (405, 405, 405, 405, 405, 405, 405)),
    ("history_of_procedure",                  "/history/procedure/{procedure}/",          (200, 200, 200, 200, 200, 403, 403)),
    ("range_create",                          "/instruments/{balance}/ranges/new/",       (200, 200, 200, 403, 200, 403, 403)),
    ("range_edit",                            "/ranges/{range}/edit/",                    (200, 200, 200, 403, 200, 403, 403)),
    ("history_of_range",                      "/history/range/{range}/",                  (200, 200, 200, 200, 200, 403, 403)),
    ("scope",                                 "/scope/",                                  (200, 200, 200, 200, 200, 403, 403)),
    ("authorisations",                        "/competence/",                             (200, 200, 200, 200, 200, 403, 403)),
    ("competence_person",                     "/competence/people/{alice}/",              (200, 200, 200, 200, 200, 403, 403)),
    ("authorisation_grant",                   "/competence/grant/",                       (403, 403, 403, 200, 403, 403, 403)),
    ("authorisation_revoke_by_get",           "/competence/{authorisation}/revoke/",      (405, 405, 405, 405, 405, 405, 405)),
    ("history_of_authorisation",              "/history/authorisation/{authorisation}/",  (200, 200, 200, 200, 200, 403, 403)),
    ("jobs",                                  "/jobs/",                                   (200, 200, 200, 200, 200, 200, 200)),
    ("job_create",                            "/jobs/new/",                               (200, 200, 200, 403, 200, 403, 403)),
    ("job",                                   "/jobs/{job}/",                             (200, 200, 200, 200, 200, 200, 404)),
    ("job_item_start",                        "/jobs/items/{job_item}/start/",            (200, 200, 403, 403, 403, 403, 403)),
    ("job_assign_by_get",                     "/jobs/{job}/assign/",                      (405, 405, 405, 405, 405, 405, 405)),
    ("job_return_by_get",                     "/jobs/{job}/return/",                      (405, 405, 405, 405, 405, 405, 405)),
    ("history_of_job",                        "/history/job/{job}/",                      (200, 200, 200, 200, 200, 403, 403)),
    ("job_requested",                         "/jobs/{requested_job}/",                   (200, 200, 200, 200, 200, 200, 404)),
    ("job_request_receive",                   "/jobs/{requested_job}/receive/",           (200, 200, 200, 403, 200, 403, 403)),
    ("job_request_receive_of_a_received_job", "/jobs/{job}/receive/",                     (302, 302, 302, 403, 302, 403, 403)),
    ("job_cancel_by_get",                     "/jobs/{requested_job}/cancel/",            (405, 405, 405, 405, 405, 405, 405)),
    ("portal_chooser_or_own",                 "/portal/",                                 (200, 200, 200, 200, 200, 200, 200)),
    ("portal",                                "/portal/?customer={customer}",             (200, 200, 200, 200, 200, 200, 200)),
    ("portal_of_a_missing_customer",          "/portal/?customer=999999",                 (404, 404, 404, 404, 404, 200, 200)),
    ("portal_export",                         "/portal/instruments.xlsx?customer={customer}", (200, 200, 200, 200, 200, 200, 200)),
    ("portal_certificates",                   "/portal/certificates/?customer={customer}", (200, 200, 200, 200, 200, 200, 200)),
    ("portal_request",                        "/portal/request/",                         (403, 403, 403, 403, 403, 200, 200)),
    ("portal_recall",                         "/portal/instruments/{balance}/recall/",    (403, 403, 403, 403, 403, 200, 404)),
    ("certificate_missing",                   "/certificates/999999/",                    (404, 404, 404, 404, 404, 404, 404)),
    ("batches",                               "/certificates/batches/",                   (200, 200, 200, 200, 200, 403, 403)),
    ("batch_create",                          "/certificates/batches/new/",               (403, 403, 200, 403, 403, 403, 403)),
    ("batch_missing",                         "/certificates/batches/999999/",            (404, 404, 404, 404, 404, 403, 403)),
    ("batch_progress_missing",                "/certificates/batches/999999/progress/",   (404, 404, 404, 404, 404, 403, 403)),
]
# fmt: on


@pytest.mark.parametrize(("persona", "page", "url", "expected"), cases(PAGES))
def test_who_may_open_each_page(lab, client, persona, page, url, expected):
    response = logged_in(client, lab, persona).get(url.format(**lab.pks))
    if expected == "login":
        assert_sent_to_login(response)
    else:
        assert response.status_code == expected


class AnyPk(dict):
    def __missing__(self, key):
        return 1


def url_names(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace != "admin":
                yield from url_names(pattern.url_patterns)
        elif pattern.name:
            yield pattern.name


def test_the_tables_here_cover_every_page_of_the_site():
    def name_of(url):
        return resolve(url.format_map(AnyPk()).split("?")[0]).url_name

    covered = (
        {name_of(url) for _, url, _ in PAGES}
        | {name_of(url) for _, url, _, _ in WRITES}
        | {name_of(move_url(move, 1)) for _, move, _, _ in MOVES}
        | {"calibration_points", "calibration_point_preview"}  # READINGS
    )
    elsewhere = {  # open to anyone logged in (or to all), or tested in tests/api
        "healthz",
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "set_language",
        "schema",
        "api_docs",
        "verify",  # public: tests/certificates/test_verify.py
    }
    everything = set(url_names(get_resolver().url_patterns))
    api = {name for name in everything if name.startswith("api-")}
    assert everything - api - elsewhere == covered


def test_a_certificate_pdf_is_served_as_the_stored_bytes(lab, client):
    response = login(client, lab.people["carol"]).get(f"/certificates/{lab.certificate.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert response.content == bytes(Certificate.objects.get(pk=lab.certificate.pk).pdf)
    assert response["X-Content-SHA256"] == lab.certificate.sha256


# fmt: off
LISTS = [
    # list page          url                 link to one row              own row            other customer's row
    ("home",             "/",                "/certificates/{}/",         "certificate",     "other_certificate"),
    ("customer_list",    "/customers/",      "/customers/{}/",            "customer",        "other_customer"),
    ("instrument_list",  "/instruments/",    "/instruments/{}/",          "balance",         "other_balance"),
    ("calibration_list", "/calibrations/",   "/calibrations/{}/",         "issued",          "other_issued"),
    ("certificate_list", "/certificates/",   "/certificates/{}/",         "certificate",     "other_certificate"),
]
# fmt: on


@pytest.mark.parametrize(
    ("page", "url", "link", "own", "other"), LISTS, ids=[row[0] for row in LISTS]
)
def test_a_customer_user_sees_only_their_own_rows_in_every_list(
    lab, client, page, url, link, own, other
):
    html = login(client, lab.people["carol"]).get(url).content.decode()
    assert f'href="{link.format(lab.pks[own])}"' in html
    assert f'href="{link.format(lab.pks[other])}"' not in html

    client.logout()
    html = login(client, lab.people["oscar"]).get(url).content.decode()
    assert f'href="{link.format(lab.pks[other])}"' in html
    assert f'href="{link.format(lab.pks[own])}"' not in html


@pytest.mark.parametrize(
    ("page", "url", "link", "own", "other"), LISTS[1:], ids=[row[0] for row in LISTS[1:]]
)
def test_lab_staff_see_the_rows_of_every_customer(lab, client, page, url, link, own, other):
    html = login(client, lab.people["quinn"]).get(url).content.decode()
    assert f'href="{link.format(lab.pks[own])}"' in html
    assert f'href="{link.format(lab.pks[other])}"' in html


def test_a_customer_user_does_not_see_another_customers_calibrations_by_filtering(lab, client):
    html = login(client, lab.people["carol"]).get("/calibrations/?state=issued").content.decode()
    assert f'href="/calibrations/{lab.pks["issued"]}/"' in html
    assert f'href="/calibrations/{lab.pks["other_issued"]}/"' not in html


# --- Workflow moves and certificate issue ---------------------------------------------------------

MOVED_TO = {
    "submit": State.SUBMITTED,
    "review": State.REVIEWED,
    "approve": State.APPROVED,
    "return": State.DRAFT,
    "issue": State.ISSUED,
}

# fmt: off
MOVES = [
    # name                   move       on           alice      bob        rita       quinn      adam       carol      oscar
    ("submit",               "submit",  "draft",     ("moved",   "refused", "refused", "refused", "refused", "refused", 404)),
    ("review",               "review",  "submitted", ("refused", "refused", "moved",   "refused", "refused", "refused", 404)),
    ("approve",              "approve", "reviewed",  ("refused", "refused", "moved",   "refused", "refused", "refused", 404)),
    ("approve_unreviewed",   "approve", "submitted", ("refused", "refused", "refused", "refused", "refused", "refused", 404)),
    ("return_submitted",     "return",  "submitted", ("refused", "refused", "moved",   "refused", "refused", "refused", 404)),
    ("return_reviewed",      "return",  "reviewed",  ("refused", "refused", "moved",   "refused", "refused", "refused", 404)),
    ("return_issued",        "return",  "issued",    ("refused", "refused", "refused", "refused", "refused", "refused", 404)),
    ("issue",                "issue",   "approved",  ("refused", "refused", "moved",   "refused", "refused", "refused", 404)),
    ("issue_unapproved",     "issue",   "reviewed",  ("refused", "refused", "refused", "refused", "refused", "refused", 404)),
    ("submit_other_customer", "submit", "other_issued", ("refused", "refused", "refused", "refused", "refused", 404, "refused")),
]
# fmt: on


# Writes to the register from its pages: who may, and that a refusal saves nothing.
# fmt: off
WRITES = [
    # name                 url                                          data                                                      alice  bob    rita   quinn  adam   carol  oscar
    ("record_check",       "/standards/{spare}/checks/",                {"checked_on": "2026-01-05", "label": "1 g", "value": "1"}, (302,   302,   302,   302,   302,   403,   403)),
    ("decide_interval",    "/standards/interval-reviews/{review}/decide/", {"months": "6", "reason": "Drift"},                   (403,   403,   403,   302,   403,   403,   403)),
    ("assess_finding",     "/traceability/findings/{finding}/",         {"assessment": "No effect", "notified_on": ""},          (403,   403,   403,   302,   403,   403,   403)),
    ("report_finding",     "/traceability/findings/",                   {"standard": "{spare}", "found_on": "2026-01-05", "description": "Dropped"}, (403, 403, 403, 302, 403, 403, 403)),
    ("change_status",      "/standards/{spare}/status/",                {"status": "retired", "reason": "Worn"},                  (403,   403,   302,   302,   302,   403,   403)),
    ("grant",              "/competence/grant/",                        {"person": "{alice}", "procedure_code": "QTHC-KL-01", "activity": "review", "valid_from": "2026-01-01", "valid_until": "", "evidence_kind": "training", "evidence": "Course"}, (403, 403, 403, 302, 403, 403, 403)),
    ("revoke",             "/competence/{authorisation}/revoke/",       {"on": "2026-06-01", "reason": "Left"},                   (403,   403,   403,   302,   403,   403,   403)),
    ("new_version",        "/procedures/{procedure}/new-version/",      {"change_note": "Seven points"},                          (403,   403,   302,   302,   403,   403,   403)),
    ("approve_procedure",  "/procedures/{draft_procedure}/approve/",    {"effective_on": "2026-01-01"},                           (403,   403,   403,   302,   403,   403,   403)),
    ("withdraw_procedure", "/procedures/{procedure}/withdraw/",         {"reason": "Obsolete"},                                   (403,   403,   403,   302,   403,   403,   403)),
    ("assign_job",         "/jobs/{job}/assign/",                       {"technician": "{alice}"},                                (302,   302,   302,   403,   302,   403,   403)),
    ("return_job",         "/jobs/{job}/return/",                       {"returned_on": "2026-01-01", "reason": "Damaged"},       (302,   302,   302,   403,   302,   403,   403)),
    ("cancel_request",     "/jobs/{requested_job}/cancel/",             {"reason": "Sold"},                                       (302,   302,   302,   403,   302,   302,   404)),
    ("request_job",        "/portal/request/",                          {"service": "calibration", "request": "Một cân"},         (403,   403,   403,   403,   403,   302,   302)),
    ("set_recall",         "/portal/instruments/{balance}/recall/",     {"months": "12", "reason": "Plan"},                       (403,   403,   403,   403,   403,   302,   404)),
    ("withdraw_certificate", "/certificates/{certificate}/withdraw/",  {"reason": "Issued in error", "password": PASSWORD},     (403,   403,   302,   302,   403,   403,   403)),
    ("correct_certificate", "/certificates/{certificate}/replace/",    {"kind": "replacement", "reason": "Typo", "changes": "Serial number", "password": PASSWORD}, (403, 403, 302, 302, 403, 403, 403)),
    ("typelist_in_force",  "/verification/types/{type_list}/in-force/", {"reason": "TT 03/2024"},                            (403,   403,   403,   302,   403,   403,   403)),
    ("revoke_card",        "/verification/cards/{card}/revoke/",        {"on": "2026-06-01", "reason": "Left"},                   (403,   403,   403,   302,   403,   403,   403)),
    ("receive_marks",      "/verification/marks/receive/",              {"kind": "stamp", "series": "U", "first": "1", "last": "5", "received_on": "2026-01-05"}, (403, 403, 302, 302, 302, 403, 403)),
    ("write_off_mark",     "/verification/marks/write-off/",            {"serial": "T0000002", "state": "spoiled", "reason": "Torn"}, (403, 403, 302, 302, 302, 403, 403)),
    ("issue_verification", "/verification/{verification}/issue/",       {"password": PASSWORD, "mark_serial": ""},                (400,   400,   400,   403,   403,   403,   403)),
    ("record_verification", "/verification/new/",                       {"instrument_type": "999999", "owner": "Bà Lan", "step": "tests"}, (400, 400, 400, 403, 403, 403, 403)),
    ("start_batch",        "/certificates/batches/new/",                {"calibrations": "{approved}", "reason": "Campaign"},     (403,   403,   302,   403,   403,   403,   403)),
]
# fmt: on


@pytest.mark.parametrize(("persona", "name", "url", "data", "expected"), cases(WRITES))
def test_who_may_write_to_the_register(lab, client, persona, name, url, data, expected):
    from standards.models import IntermediateCheck, OutOfTolerance

    counts = (IntermediateCheck.objects.count(), OutOfTolerance.objects.count())
    data = {key: value.format(**lab.pks) for key, value in data.items()}
    response = logged_in(client, lab, persona).post(url.format(**lab.pks), data)
    if expected == "login":
        assert_sent_to_login(response)
    else:
        assert response.status_code == expected
    if expected != 302:
        assert (IntermediateCheck.objects.count(), OutOfTolerance.objects.count()) == counts


def move_url(move, pk):
    return f"/certificates/issue/{pk}/" if move == "issue" else f"/calibrations/{pk}/{move}/"


def message_levels_of(response):
    return {message.level for message in get_messages(response.wsgi_request)}


@pytest.mark.parametrize(("persona", "name", "move", "on", "expected"), cases(MOVES))
def test_who_may_move_a_calibration(lab, client, persona, name, move, on, expected):
    calibration = lab.calibrations[on]
    before = Calibration.objects.get(pk=calibration.pk).state
    assert before == calibration.state  # as the lab built it: no test leaks into the next
    transitions = Transition.objects.filter(calibration=calibration).count()

    response = logged_in(client, lab, persona).post(
        move_url(move, calibration.pk),
        {"reason": "The 200 g readings need a second look.", "password": PASSWORD},
    )

    state = Calibration.objects.get(pk=calibration.pk).state
    if expected == "moved":
        assert state == MOVED_TO[move]
        assert Transition.objects.filter(calibration=calibration).count() == transitions + 1
        assert message_levels_of(response) == {message_levels.SUCCESS}
        if move == "issue":
            certificate = Certificate.objects.get(calibration=calibration)
            assert response["Location"] == f"/certificates/{certificate.pk}/"
        else:
            assert response["Location"] == f"/calibrations/{calibration.pk}/"
        return
    assert state == before
    assert Transition.objects.filter(calibration=calibration).count() == transitions
    if expected == "login":
        assert_sent_to_login(response)
    elif expected == "refused":
        assert response.status_code == 302
        assert response["Location"] == f"/calibrations/{calibration.pk}/"
        assert message_levels_of(response) == {message_levels.ERROR}
    else:
        assert response.status_code == expected


def offered_post_urls(html):
    return set(re.findall(r'<form method="post" action="([^"]+)"', html)) - {"/i18n/setlang/"}


@pytest.mark.parametrize(
    "on", ["draft", "submitted", "reviewed", "approved", "issued", "other_issued"]
)
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_calibration_page_offers_exactly_what_the_persona_may_do(lab, client, persona, on):
    calibration = lab.calibrations[on]
    may = {
        move_url(move, calibration.pk)
        for _, move, row_on, outcomes in MOVES
        if row_on == on and outcomes[PERSONAS.index(persona)] == "moved"
    }
    if persona == "alice" and on == "draft":
        may |= {
            f"/calibrations/{calibration.pk}/{page}/" for page in ("points", "conditions", "draft")
        }

    response = login(client, lab.people[persona]).get(f"/calibrations/{calibration.pk}/")

    if response.status_code == 404:
        assert not may
        return
    html = response.content.decode()
    offered = offered_post_urls(html) - {"/logout/"}
    assert offered == may
    assert ('id="grid"' in html) is (persona == "alice" and on == "draft")


def test_a_reviewer_cannot_return_a_calibration_without_saying_why(lab, client):
    calibration = lab.calibrations["submitted"]
    response = login(client, lab.people["rita"]).post(
        f"/calibrations/{calibration.pk}/return/", {"reason": " "}
    )
    assert message_levels_of(response) == {message_levels.ERROR}
    assert Calibration.objects.get(pk=calibration.pk).state == State.SUBMITTED


@pytest.mark.parametrize(
    ("move", "on"),
    [
        ("review", "bobs_submitted"),
        ("return", "bobs_submitted"),
        ("approve", "bobs_reviewed"),
        ("return", "bobs_reviewed"),
        ("issue", "bobs_approved"),
    ],
)
def test_a_technician_promoted_to_reviewer_cannot_pass_their_own_work(lab, client, move, on):
    bob = User.objects.get(pk=lab.people["bob"].pk)
    bob.role = Role.REVIEWER
    bob.save(update_fields=["role"])
    calibration = Calibration.objects.get(pk=lab.calibrations[on].pk)

    response = login(client, bob).post(move_url(move, calibration.pk), {"reason": "Looks fine."})

    assert response.status_code == 302
    assert message_levels_of(response) == {message_levels.ERROR}
    assert Calibration.objects.get(pk=calibration.pk).state == calibration.state
    assert not Certificate.objects.filter(calibration=calibration).exists()


def test_an_unknown_move_is_not_found(lab, client):
    response = login(client, lab.people["alice"]).post(f"/calibrations/{lab.pks['draft']}/publish/")
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/calibrations/{draft}/submit/",
        "/certificates/issue/{approved}/",
        "/calibrations/{draft}/points/",
        "/calibrations/{draft}/points/preview/",
    ],
)
def test_a_state_change_is_never_made_by_get(lab, client, url):
    response = login(client, lab.people["alice"]).get(url.format(**lab.pks))
    assert response.status_code == 405
    assert Calibration.objects.get(pk=lab.pks["draft"]).state == State.DRAFT


# --- Readings ------------------------------------------------------------------------------------

# Entering readings, saving or previewing a row, is for the technician who performed the
# calibration; the preview computes and writes nothing, but the grid is theirs alone.
# fmt: off
READINGS = [
    # name                      request          on           alice bob  rita quinn adam carol oscar
    ("points_save",             "save",          "draft",     (302, 403, 403, 403, 403, 403, 403)),
    ("points_save_submitted",   "save",          "submitted", (400, 403, 403, 403, 403, 403, 403)),
    ("points_save_issued",      "save",          "issued",    (400, 403, 403, 403, 403, 403, 403)),
    ("point_preview",           "preview",       "draft",     (200, 403, 403, 403, 403, 403, 403)),
]
# fmt: on


def grid_post(calibration, readings):
    refs = {value.label: value.pk for value in cal.allowed_references(calibration)}
    return {
        "rows": "2",
        "columns": "3",
        "p0-ref": str(refs["100 g"]),
        **{f"p0-r{j}": reading for j, reading in enumerate(readings)},
        "p1-ref": str(refs["200 g"]),
        **{f"p1-r{j}": reading for j, reading in enumerate(["199.9998", "199.9999", "199.9998"])},
    }


def saved_readings(calibration):
    return list(calibration.points.order_by("position").values_list("readings", flat=True))


@pytest.mark.parametrize(("persona", "name", "request_", "on", "expected"), cases(READINGS))
def test_who_may_enter_readings(lab, client, persona, name, request_, on, expected):
    calibration = lab.calibrations[on]
    before = saved_readings(calibration)
    new = ["100.0005", "100.0006", "100.0005"]
    data = grid_post(calibration, new)
    if request_ == "save":
        url = f"/calibrations/{calibration.pk}/points/"
    else:
        url = f"/calibrations/{calibration.pk}/points/preview/"
        data["row"] = "0"

    response = logged_in(client, lab, persona).post(url, data)

    if expected == "login":
        assert_sent_to_login(response)
    else:
        assert response.status_code == expected
    if request_ == "save" and expected == 302:
        assert saved_readings(calibration)[0] == new
    else:
        assert saved_readings(calibration) == before


# --- Creating records -----------------------------------------------------------------------------


def customer_form(lab):
    return {
        "name": "Công ty Xăng dầu Gia Lai",
        "tax_code": "5900123456",
        "address": "Pleiku",
        "sector": "fuel",
    }


def instrument_form(lab):
    return {
        "customer": lab.pks["customer"],
        "name": "Cân phân tích",
        "serial_number": "B-2",
        "resolution": "0.001",
        "unit": "g",
    }


def standard_form(lab):
    return {
        "asset_number": "E2-02",
        "name": "Quả cân 1 kg",
        "level": "working",
        "quantity": "mass",
        "unit": "g",
        "calibration_interval_months": "12",
    }


def standard_calibration_form(lab):
    return {
        "provider": lab.vmi.pk,
        "certificate_number": "V01.26.0999",
        "calibrated_on": (lab.today - dt.timedelta(days=1)).isoformat(),
        "due_on": (lab.today + dt.timedelta(days=364)).isoformat(),
        "conformity": "conforms",
        "values-TOTAL_FORMS": "1",
        "values-INITIAL_FORMS": "0",
        "values-MIN_NUM_FORMS": "1",
        "values-MAX_NUM_FORMS": "1000",
        "values-0-label": "500 g",
        "values-0-nominal": "500",
        "values-0-value": "500.00008",
        "values-0-expanded_uncertainty": "0.00025",
        "values-0-coverage_factor": "2",
        "values-0-conformity": "not_stated",
    }


def calibration_form(lab):
    return {
        "instrument": lab.pks["balance"],
        "procedure": lab.procedure.pk,
        "received_on": lab.today.isoformat(),
        "performed_on": lab.today.isoformat(),
        "place": "Phòng thí nghiệm",
        "temperature": "23.0",
        "humidity": "55",
        "standards": [lab.pks["weights"]],
    }


# fmt: off
CREATES = [
    # name                                  url                                        model                form                       alice bob  rita quinn adam carol oscar
    ("customer_new",                        "/customers/new/",                         Customer,            customer_form,             (403, 403, 302, 302, 302, 403, 403)),
    ("instrument_new",                      "/instruments/new/",                       Instrument,          instrument_form,           (302, 302, 302, 403, 302, 403, 403)),
    ("standard_new",                        "/standards/new/",                         Standard,            standard_form,             (403, 403, 302, 302, 302, 403, 403)),
    ("standard_incoming_calibration_new",   "/standards/{weights}/calibrations/new/",  StandardCalibration, standard_calibration_form, (403, 403, 302, 302, 302, 403, 403)),
    ("calibration_new",                     "/calibrations/new/",                      Calibration,         calibration_form,          (302, 302, 403, 403, 403, 403, 403)),
]
# fmt: on


@pytest.mark.parametrize(("persona", "name", "url", "model", "form", "expected"), cases(CREATES))
def test_who_may_create_each_record(lab, client, persona, name, url, model, form, expected):
    count = model.objects.count()

    response = logged_in(client, lab, persona).post(url.format(**lab.pks), form(lab))

    if expected == "login":
        assert_sent_to_login(response)
    else:
        assert response.status_code == expected, response.content.decode()[:2000]
    assert model.objects.count() == count + (1 if expected == 302 else 0)


# --- The services are the one door: they refuse on their own, whatever calls them ----------------


SERVICE_WRITES = {
    "customer_register": lambda lab, by: customer_register(by=by, **customer_form(lab)),
    "instrument_register": lambda lab, by: cal.instrument_register(
        by=by,
        customer=lab.balance.customer,
        name="Cân",
        serial_number="C-3",
        resolution=Decimal("0.1"),
        unit="g",
    ),
    "calibration_create": lambda lab, by: cal.calibration_create(
        by=by,
        instrument=lab.balance,
        procedure=lab.procedure,
        received_on=lab.today,
        performed_on=lab.today,
        temperature=Decimal("23"),
        humidity=Decimal("50"),
        standards=[lab.weights],
    ),
    "standard_register": lambda lab, by: standard_register(
        by=by, asset_number="E2-03", name="Quả cân 2 kg", quantity="mass", unit="g"
    ),
    "standard_calibration_record": lambda lab, by: standard_calibration_record(
        standard=lab.weights,
        provider=lab.vmi,
        certificate_number="V01.26.0998",
        calibrated_on=lab.today,
        due_on=lab.today + dt.timedelta(days=365),
        by=by,
        values=[
            {"label": "1 g", "nominal": "1", "value": "1.000001", "expanded_uncertainty": "0.00001"}
        ],
    ),
    "standard_set_status": lambda lab, by: standard_set_status(
        standard=Standard.objects.get(pk=lab.weights.pk),
        status=StandardStatus.QUARANTINED,
        by=by,
        reason="Dropped on the floor.",
    ),
}

# fmt: off
SERVICE_REFUSALS = [
    ("customer_register", "alice"), ("customer_register", "carol"),
    ("instrument_register", "quinn"), ("instrument_register", "carol"),
    ("calibration_create", "rita"), ("calibration_create", "carol"),
    ("standard_register", "alice"), ("standard_register", "carol"),
    ("standard_calibration_record", "alice"), ("standard_calibration_record", "carol"),
    ("standard_set_status", "alice"), ("standard_set_status", "carol"),
]
# fmt: on


@pytest.mark.parametrize(
    ("service", "persona"), SERVICE_REFUSALS, ids=[f"{s}-by-{p}" for s, p in SERVICE_REFUSALS]
)
def test_every_write_service_refuses_a_role_without_the_action(lab, service, persona):
    with pytest.raises(PermissionDenied):
        SERVICE_WRITES[service](lab, lab.people[persona])


# --- The permission table itself -------------------------------------------------------------------

# fmt: off
EXPECTED_PERMISSIONS = {
    # action                 technician reviewer quality_manager customer administrator
    "customer.view":         (True,      True,    True,           True,    True),
    "customer.edit":         (False,     True,    True,           False,   True),
    "standard.view":         (True,      True,    True,           False,   True),
    "standard.edit":         (False,     True,    True,           False,   True),
    "standard.check":        (True,      True,    True,           False,   True),
    "interval.decide":       (False,     False,   True,           False,   False),
    "lookback.assess":       (False,     False,   True,           False,   False),
    "procedure.view":        (True,      True,    True,           False,   True),
    "procedure.edit":        (False,     True,    True,           False,   False),
    "procedure.approve":     (False,     False,   True,           False,   False),
    "authorisation.view":    (True,      True,    True,           False,   True),
    "authorisation.grant":   (False,     False,   True,           False,   False),
    "job.view":              (True,      True,    True,           True,    True),
    "job.edit":              (True,      True,    False,          False,   True),
    "job.request":           (False,     False,   False,          True,    False),
    "instrument.view":       (True,      True,    True,           True,    True),
    "instrument.edit":       (True,      True,    False,          False,   True),
    "instrument.recall":     (False,     False,   False,          True,    False),
    "calibration.view":      (True,      True,    True,           True,    True),
    "calibration.edit":      (True,      False,   False,          False,   False),
    "calibration.submit":    (True,      False,   False,          False,   False),
    "calibration.review":    (False,     True,    False,          False,   False),
    "calibration.approve":   (False,     True,    False,          False,   False),
    "certificate.view":      (True,      True,    True,           True,    True),
    "certificate.issue":     (False,     True,    False,          False,   False),
    "certificate.replace":   (False,     True,    True,           False,   False),
    "certificate.withdraw":  (False,     True,    True,           False,   False),
    "batch.view":            (True,      True,    True,           False,   True),
    "verification.view":     (True,      True,    True,           False,   True),
    "verification.edit":     (True,      True,    False,          False,   False),
    "verifier.grant":        (False,     False,   True,           False,   False),
    "mark.manage":           (False,     True,    True,           False,   True),
    "typelist.edit":         (False,     False,   True,           False,   False),
    "campaign.edit":         (False,     True,    True,           False,   False),
    "report.view":           (False,     True,    True,           False,   True),
    "history.view":          (True,      True,    True,           False,   True),
    "traceability.view":     (True,      True,    True,           False,   True),
}
# fmt: on
ROLES = (Role.TECHNICIAN, Role.REVIEWER, Role.QUALITY_MANAGER, Role.CUSTOMER, Role.ADMINISTRATOR)


def test_the_expected_table_names_every_action_and_role_of_the_app():
    assert set(EXPECTED_PERMISSIONS) == set(PERMISSIONS)
    assert set(ROLES) == set(Role)


@pytest.mark.parametrize(
    ("action", "role", "allowed"),
    [
        pytest.param(action, role, allowed, id=f"{role}-{action}-{'yes' if allowed else 'no'}")
        for action, row in EXPECTED_PERMISSIONS.items()
        for role, allowed in zip(ROLES, row, strict=True)
    ],
)
def test_what_each_role_may_do(action, role, allowed):
    user = User(username="someone", role=role)
    assert can(user, action) is allowed
    if allowed:
        require(user, action)
    else:
        with pytest.raises(PermissionDenied):
            require(user, action)


@pytest.mark.parametrize("action", sorted(EXPECTED_PERMISSIONS))
def test_an_inactive_user_may_do_nothing(action):
    user = User(username="gone", role=Role.REVIEWER, is_active=False)
    assert can(user, action) is False
    with pytest.raises(PermissionDenied):
        require(user, action)


@pytest.mark.parametrize("action", sorted(EXPECTED_PERMISSIONS))
def test_an_anonymous_visitor_may_do_nothing(action):
    from django.contrib.auth.models import AnonymousUser

    assert can(AnonymousUser(), action) is False
    with pytest.raises(PermissionDenied):
        require(AnonymousUser(), action)


def test_it_refuses_to_guess_an_unknown_action():
    with pytest.raises(KeyError):
        can(User(role=Role.ADMINISTRATOR), "calibration.delete")


def test_a_session_no_longer_opens_pages_once_the_account_is_switched_off(lab, client):
    rita = User.objects.get(pk=lab.people["rita"].pk)
    rita.is_active = False
    rita.save(update_fields=["is_active"])
    client.force_login(rita)  # a session made before the account was switched off
    assert_sent_to_login(client.get("/calibrations/"))
