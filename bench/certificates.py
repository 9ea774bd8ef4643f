"""Rendering a certificate, and issuing a batch of certificates on two background workers.

    .venv/bin/python bench/certificates.py                       # a SQLite file in a temp dir
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/certificates.py
    .venv/bin/python bench/certificates.py --count 100 --workers 1 --renders 10

Builds a lab in a throw-away database (a SQLite file in a temporary directory, or, with
DATABASE_URL, a PostgreSQL database it creates and drops), then prints:

1. the time to render one two-page certificate (`certificates.render.render_pdf`, with its DCC
   embedded, as the issue does): the first render in the process (cold: templates, fonts,
   WeasyPrint) and the mean and best of the next ones (warm); and whether the PDF's text, read
   back by pdftotext, keeps its Vietnamese diacritics;
2. the time to issue a batch of COUNT approved calibrations through `batches` on WORKERS
   `manage.py db_worker` processes started beforehand: certificates per second and seconds per
   certificate, from the first item started to the last finished (and the wall time from the
   batch's commit to the last certificate).

Building the approved calibrations (through the services, with real signatures) is set-up and is
not timed. Nothing here asserts anything.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings")
SCRATCH = Path(tempfile.mkdtemp(prefix="bench-certificates-"))
POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres:", "postgresql:"))
if not POSTGRES:
    os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

PASSWORD = "bench-password"
EXPECTED_TEXT = ["GIẤY CHỨNG NHẬN HIỆU CHUẨN", "Đạt", "Công ty Cổ phần Xăng dầu Bình Định"]


def build_lab():
    """A reviewer, a technician, a traceable weight set, a procedure with a tolerance (so that
    the certificate states a verdict: "Đạt"), and instruments of five customers."""
    import datetime as dt
    from decimal import Decimal

    from calibration import services as cal
    from calibration.models import Procedure, ScopeEntry
    from competence.services import authorisation_grant
    from lims.models import Customer, Role, Sector, User
    from standards.models import NationalStandard, Provider
    from standards.services import standard_calibration_record, standard_register

    today = timezone.localdate()
    people = {}
    for name, role, first, last in [
        ("an", Role.TECHNICIAN, "An", "Nguyễn Văn"),
        ("chau", Role.REVIEWER, "Châu", "Trần Thị Minh"),
        ("dung", Role.QUALITY_MANAGER, "Dũng", "Lê"),
    ]:
        user = User(username=name, role=role, first_name=first, last_name=last)
        user.set_password(PASSWORD)
        user.save()
        people[name] = user
    an, chau, dung = people["an"], people["chau"], people["dung"]
    vmi = Provider.objects.create(
        name="Viện Đo lường Việt Nam",
        short_name="VMI",
        is_nmi=True,
        accreditation_body="BoA",
        accreditation_number="VILAS 002",
    )
    national = NationalStandard.objects.create(
        institute="VMI",
        name="Chuẩn quốc gia về khối lượng",
        quantity="mass",
        cmc="1 kg: 0,05 mg (k = 2)",
        si_unit="kilogram (kg)",
    )
    weights = standard_register(
        by=dung, asset_number="E2-01", name="Bộ quả cân E2", quantity="mass", unit="g", grade="E2"
    )
    standard_calibration_record(
        standard=weights,
        provider=vmi,
        national_standard=national,
        certificate_number="V01.26.0001",
        calibrated_on=today - dt.timedelta(days=100),
        due_on=today + dt.timedelta(days=265),
        by=dung,
        values=[
            {
                "label": f"{n} g",
                "nominal": str(n),
                "value": f"{n}.000021",
                "expanded_uncertainty": "0.000050",
                "coverage_factor": "2",
            }
            for n in (50, 100, 200)
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
        tolerance_abs=Decimal("0.001"),
        tolerance_source="class",
    )
    ScopeEntry.objects.create(
        procedure_code=procedure.code,
        quantity="mass",
        unit="g",
        minimum=Decimal("0"),
        maximum=Decimal("220"),
        cmc_abs=Decimal("0.00005"),
    )
    for person, activities in [(an, ["perform"]), (chau, ["review", "approve"])]:
        for activity in activities:
            authorisation_grant(
                person=person,
                procedure_code=procedure.code,
                activity=activity,
                valid_from=dt.date(2000, 1, 1),
                evidence_kind="training",
                evidence="Khoá đào tạo",
                by=dung,
            )
    customers = [
        Customer.objects.create(
            name=name, short_name=short, tax_code=f"41000{i:05d}", address="Gia Lai", sector=sector
        )
        for i, (name, short, sector) in enumerate(
            [
                ("Công ty Cổ phần Xăng dầu Bình Định", "Xăng dầu BĐ", Sector.FUEL),
                ("Công ty Điện lực Gia Lai", "Điện lực GL", Sector.POWER),
                ("Công ty Cổ phần Cấp thoát nước Quy Nhơn", "Cấp nước QN", Sector.WATER),
                ("Công ty Thực phẩm Đồng Nai", "Thực phẩm ĐN", Sector.FOOD),
                ("Công ty Phân bón Miền Trung", "Phân bón MT", Sector.CHEMICALS),
            ]
        )
    ]
    instruments = [
        cal.instrument_register(
            customer=customers[i % len(customers)],
            by=an,
            name="Cân phân tích",
            manufacturer="Sartorius",
            model="Quintix224",
            serial_number=f"00345{i:05d}",
            measuring_range="0 – 220 g",
            resolution=Decimal("0.0001"),
            unit="g",
        )
        for i in range(50)
    ]
    return an, chau, weights, procedure, instruments


def approved_calibrations(count, an, chau, weights, procedure, instruments):
    """`count` calibrations, three points each, submitted, reviewed and approved (signed)."""
    from decimal import Decimal

    from calibration import services as cal
    from calibration import workflow as flow

    today = timezone.localdate()
    made = []
    for i in range(count):
        calibration = cal.calibration_create(
            instrument=instruments[i % len(instruments)],
            procedure=procedure,
            by=an,
            received_on=today,
            performed_on=today,
            temperature=Decimal("23.0"),
            humidity=Decimal("55"),
            standards=[weights],
        )
        refs = {v.label: v for v in cal.allowed_references(calibration)}
        for position, (label, readings) in enumerate(
            [
                ("50 g", ["50.0002", "50.0001", "50.0002"]),
                ("100 g", ["100.0002", "100.0001", "100.0002"]),
                ("200 g", ["199.9998", "199.9999", "199.9998"]),
            ],
            start=1,
        ):
            cal.calibration_set_point(
                calibration=calibration,
                position=position,
                reference=refs[label],
                readings=readings,
                by=an,
            )
        flow.calibration_submit(calibration=calibration, by=an)
        flow.calibration_review(calibration=calibration, by=chau, password=PASSWORD)
        flow.calibration_approve(calibration=calibration, by=chau, password=PASSWORD)
        made.append(calibration)
    return made


def pdf_facts(data: bytes) -> tuple[str, str]:
    """(pages, text) of a PDF by poppler's pdfinfo and pdftotext, or ('?', '') without them."""
    path = SCRATCH / "certificate.pdf"
    path.write_bytes(data)
    if not (shutil.which("pdfinfo") and shutil.which("pdftotext")):
        return "?", ""
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    pages = next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    return pages, text


def bench_render(calibration, chau, renders):
    """Render the certificate of `calibration` as the issue does, without issuing it."""
    import secrets

    from certificates.dcc import dcc_xml
    from certificates.models import Certificate, Kind
    from certificates.render import render_pdf

    certificate = Certificate(
        number=f"HC-{timezone.localdate().year}-99999",
        kind=Kind.CALIBRATION,
        calibration=calibration,
        issued_at=timezone.now(),
        issued_by=chau,
        token=secrets.token_urlsafe(32),
    )
    dcc = dcc_xml(certificate)
    start = time.perf_counter()
    data = render_pdf(certificate, dcc=dcc)
    cold = time.perf_counter() - start
    warm = []
    for _ in range(renders):
        start = time.perf_counter()
        render_pdf(certificate, dcc=dcc)
        warm.append(time.perf_counter() - start)
    return cold, warm, data


def worker_database_url() -> str:
    """The address of the database this process works in, for the worker processes."""
    if not POSTGRES:
        return os.environ["DATABASE_URL"]
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + settings.DATABASES["default"]["NAME"]))


def start_workers(count):
    env = {**os.environ, "DATABASE_URL": worker_database_url(), "DJANGO_DEBUG": "0"}
    workers = []
    for n in range(count):
        log = open(SCRATCH / f"worker-{n}.log", "w+")  # noqa: SIM115 (closed in stop_workers)
        process = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval=0.1",
                f"--worker-id=bench-{n}",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        workers.append((process, log))
    deadline = time.monotonic() + 60
    for process, log in workers:  # ready when it says so: Django set up, polling the queue
        while "Starting worker" not in Path(log.name).read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"a worker did not start:\n{Path(log.name).read_text()}")
            time.sleep(0.1)
    return workers


def stop_workers(workers):
    for process, _log in workers:
        process.terminate()  # SIGTERM: the worker stops between two tasks
    for process, log in workers:
        process.wait(timeout=60)
        log.close()


def bench_batch(calibrations, chau, workers_count):
    from batches.models import Batch, BatchItem
    from batches.services import batch_start
    from certificates.models import Certificate

    workers = start_workers(workers_count)
    try:
        start = time.perf_counter()
        batch = batch_start(
            calibrations=calibrations,
            by=chau,
            reason="Đợt kiểm định lưu động (bench)",
            language="vi",
        )
        committed = time.perf_counter()
        while BatchItem.objects.filter(batch=batch, finished_at__isnull=True).exists():
            time.sleep(0.2)
        done = time.perf_counter()
    finally:
        stop_workers(workers)
    batch = Batch.objects.with_progress().get(pk=batch.pk)
    span = (batch.last_finished_at - batch.first_started_at).total_seconds()
    numbers = list(Certificate.objects.values_list("number", flat=True))
    refusals = list(
        BatchItem.objects.filter(batch=batch, certificate__isnull=True).values_list(
            "refusal", flat=True
        )[:3]
    )
    sample = Certificate.objects.order_by("?").first()
    return {
        "enqueue": committed - start,
        "wall": done - committed,
        "span": span,
        "issued": batch.issued,
        "refused": batch.refused,
        "refusals": refusals,
        "distinct": len(set(numbers)) == len(numbers),
        "sample": sample,
    }


def main(args):
    from calibration.models import Calibration, State

    print(f"database: {connection.vendor}; {args.count} certificates on {args.workers} workers")
    started = time.perf_counter()
    an, chau, weights, procedure, instruments = build_lab()
    first = approved_calibrations(1, an, chau, weights, procedure, instruments)[0]

    cold, warm, data = bench_render(first, chau, args.renders)
    pages, text = pdf_facts(data)
    kept = [words for words in EXPECTED_TEXT if words in text]
    mean, median = statistics.mean(warm), statistics.median(warm)
    print("\n1. One certificate rendered (render_pdf: HTML, WeasyPrint, PDF/A-3b, DCC inside)")
    print(f"   pages: {pages}; PDF {len(data) / 1024:.0f} KiB")
    print(f"   cold (first in the process): {cold:6.3f} s")
    print(
        f"   warm, mean of {len(warm)}:          {mean:6.3f} s "
        f"(median {median:.3f} s, best {min(warm):.3f} s)"
    )
    print(
        f"   Vietnamese read back by pdftotext: {len(kept)}/{len(EXPECTED_TEXT)} "
        + ", ".join(f"“{words}”" for words in EXPECTED_TEXT)
        + ("" if text else " (pdftotext missing: not checked)")
    )

    calibrations = [first] + approved_calibrations(
        args.count - 1, an, chau, weights, procedure, instruments
    )
    approved = Calibration.objects.filter(pk__in=[c.pk for c in calibrations], state=State.APPROVED)
    assert approved.count() == args.count
    print(
        f"\n   (set-up, not timed: {args.count} approved calibrations in "
        f"{time.perf_counter() - started:.0f} s)"
    )

    result = bench_batch(calibrations, chau, args.workers)
    span, count = result["span"], result["issued"]
    print(f"\n2. A batch of {args.count} on {args.workers} db_worker processes")
    print(
        f"   queued (batch, items, {args.count} tasks, one transaction): {result['enqueue']:.2f} s"
    )
    print(f"   issued {count}, refused {result['refused']}; numbers distinct: {result['distinct']}")
    for refusal in result["refusals"]:
        print(f"   refusal: {refusal}")
    if count:
        print(f"   first started → last finished: {span:6.1f} s")
        print(f"   certificates per second:       {count / span:6.2f}")
        print(f"   seconds per certificate:       {span / count:6.3f}")
        print(
            f"   wall time, commit → last seen: {result['wall']:6.1f} s "
            f"({count / result['wall']:.2f} per second)"
        )
        _pages, sample_text = pdf_facts(bytes(result["sample"].pdf))
        kept = [words for words in EXPECTED_TEXT[:2] if words in sample_text]
        print(
            f"   {result['sample'].number} read back: {len(kept)}/2 of "
            f"“{EXPECTED_TEXT[0]}”, “{EXPECTED_TEXT[1]}”"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=500, help="certificates in the batch")
    parser.add_argument("--workers", type=int, default=2, help="db_worker processes")
    parser.add_argument("--renders", type=int, default=20, help="warm renders to average")
    arguments = parser.parse_args()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    try:
        if POSTGRES:  # a database of its own, never the one DATABASE_URL names
            connection.settings_dict["TEST"]["NAME"] = f"bench_certificates_{os.getpid()}"
            name = connection.creation.create_test_db(verbosity=0)
        else:
            call_command("migrate", verbosity=0)
        try:
            main(arguments)
        finally:
            if POSTGRES:
                connection.creation.destroy_test_db(name, verbosity=0)
    finally:
        shutil.rmtree(SCRATCH, ignore_errors=True)
