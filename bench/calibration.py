"""Recomputing a calibration, and the queries of its entry page, on a throw-away database.

    .venv/bin/python bench/calibration.py

Builds, in a fresh in-memory SQLite database (or the PostgreSQL of DATABASE_URL, in a test
database it creates and drops), a standard with 50 calibrated values and a 50-point × 10-reading
calibration of an instrument, then prints:

- the time to compute the 50 results (GUM budget, CMC floor, ILAC P14 rounding, verdict) from
  readings already parsed: what the engine costs;
- the time to save the whole grid through `calibration_set_points` (parse, check, compute,
  store with history), as the entry page and the import do;
- the time to recompute the 50 stored results from their own inputs (`results.recompute`);
- the time of one point where the procedure asks for Monte Carlo (adaptive, JCGM 101 7.9, with
  the validation of the GUM interval);
- the number of SQL queries of the calibration page with 5 and with 50 points.

Times are the best of several repeats. Nothing here asserts anything.
"""

import datetime as dt
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings")
os.environ.setdefault("DATABASE_URL", "sqlite://:memory:")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

POINTS, READINGS, REPEATS = 50, 10, 5


def best(fn, repeats=REPEATS):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def build():
    from calibration import services as cal
    from calibration.models import Procedure, ScopeEntry
    from competence.services import authorisation_grant
    from lims.models import Customer, Role, Sector, User
    from standards.models import NationalStandard, Provider
    from standards.services import standard_calibration_record, standard_register

    today = timezone.localdate()
    people = {}
    for name, role in [("tech", Role.TECHNICIAN), ("qm", Role.QUALITY_MANAGER)]:
        people[name] = User.objects.create(username=name, role=role, first_name=name)
    tech, qm = people["tech"], people["qm"]
    customer = Customer.objects.create(
        name="Bench", short_name="Bench", tax_code="0000000001", sector=Sector.OTHER
    )
    vmi = Provider.objects.create(name="VMI", short_name="VMI", is_nmi=True)
    national = NationalStandard.objects.create(
        institute="VMI", name="mass", quantity="mass", cmc="0.05 mg", si_unit="kg"
    )
    weights = standard_register(
        by=qm, asset_number="B-01", name="Weights", quantity="mass", unit="g"
    )
    standard_calibration_record(
        standard=weights,
        provider=vmi,
        national_standard=national,
        certificate_number="B-1",
        calibrated_on=today - dt.timedelta(days=10),
        due_on=today + dt.timedelta(days=300),
        by=qm,
        values=[
            {
                "label": f"{n} g",
                "nominal": str(n),
                "value": f"{n}.00002",
                "expanded_uncertainty": "0.00005",
            }
            for n in range(1, 201)
        ],
    )
    procedure = Procedure.objects.create(
        code="B-KL",
        title_vi="Cân",
        title_en="Balances",
        quantity="mass",
        unit="g",
        status="approved",
        effective_on=today - dt.timedelta(days=100),
    )
    ScopeEntry.objects.create(
        procedure_code="B-KL", quantity="mass", unit="g", minimum=0, maximum=220, cmc_abs="0.0001"
    )
    authorisation_grant(
        person=tech,
        procedure_code="B-KL",
        activity="perform",
        valid_from=today - dt.timedelta(days=100),
        evidence_kind="training",
        evidence="bench",
        by=qm,
    )
    instrument = cal.instrument_register(
        customer=customer,
        by=tech,
        name="Balance",
        serial_number="B",
        resolution=Decimal("0.0001"),
        unit="g",
    )

    def calibration():
        return cal.calibration_create(
            instrument=instrument,
            procedure=procedure,
            by=tech,
            received_on=today,
            performed_on=today,
            temperature=Decimal("23"),
            humidity=Decimal("50"),
            standards=[weights],
        )

    return tech, calibration


def rows_for(calibration, count):
    from calibration import services as cal

    references = {r.nominal: r for r in cal.allowed_references(calibration)}
    spec = cal.ranges_of(calibration).first()
    return [
        cal.Row(
            spec,
            "as_left",
            references[Decimal(n)],
            [f"{n}.000{(n + j) % 4 + 1}" for j in range(READINGS)],
        )
        for n in range(1, count + 1)
    ]


def main():
    from calibration import services as cal
    from calibration.results import recompute
    from metrology.readings import summarize  # noqa: F401  (warm the import)

    tech, open_calibration = build()
    calibration = open_calibration()
    rows = rows_for(calibration, POINTS)
    computation = cal.computation_for(calibration)
    parsed = [[cal.parse_reading(r) for r in row.readings] for row in rows]

    def compute_only():
        for row, values in zip(rows, parsed, strict=True):
            cal.compute_point(
                computation, range=row.range, reference=row.reference, readings=values
            )

    def save_new():  # timed on a fresh calibration each time: every point is written
        fresh = open_calibration()
        fresh_rows = rows_for(fresh, POINTS)
        start = time.perf_counter()
        cal.calibration_set_points(calibration=fresh, rows=fresh_rows, by=tech)
        return time.perf_counter() - start

    edits = [rows, [row._replace(readings=[f"{r}1" for r in row.readings]) for row in rows]]

    turns = iter(range(10**6))

    def save_changed():  # every point's readings change, from one set to the other
        rows_now = edits[next(turns) % 2]
        cal.calibration_set_points(calibration=calibration, rows=rows_now, by=tech)

    monte_carlo = computation._replace(
        method=computation.method.__class__(
            model=computation.method.model, budget=computation.method.budget, monte_carlo=True
        )
    )

    def one_by_monte_carlo():
        cal.compute_point(
            monte_carlo, range=rows[0].range, reference=rows[0].reference, readings=parsed[0]
        )

    compute = best(compute_only)
    by_mc = best(one_by_monte_carlo, repeats=3)
    save = min(save_new() for _ in range(REPEATS))
    cal.calibration_set_points(calibration=calibration, rows=rows, by=tech)
    change = best(save_changed)
    results = [p.result for p in calibration.points.all()]
    again = best(lambda: [recompute(r) for r in results])

    client = Client()
    client.force_login(tech)
    counts = {}
    for count in (5, 50):
        small = open_calibration()
        cal.calibration_set_points(calibration=small, rows=rows_for(small, count), by=tech)
        client.get(f"/calibrations/{small.pk}/")  # warm templates
        with CaptureQueriesContext(connection) as queries:
            status = client.get(f"/calibrations/{small.pk}/").status_code
        counts[count] = (len(queries), status)

    vendor = connection.vendor
    print(f"database: {vendor}; {POINTS} points × {READINGS} readings; best of {REPEATS}")
    print(f"compute 50 results (GUM, CMC, rounding, verdict): {compute * 1000:7.1f} ms")
    print(f"save a new grid (parse, check, compute, store):   {save * 1000:7.1f} ms")
    print(f"save the grid with every reading changed:         {change * 1000:7.1f} ms")
    print(f"recompute 50 stored results from their inputs:    {again * 1000:7.1f} ms")
    print(f"one point by adaptive Monte Carlo and validation: {by_mc * 1000:7.1f} ms")
    for count, (n, status) in counts.items():
        print(f"calibration page with {count:2d} points: {n} queries (HTTP {status})")


if __name__ == "__main__":
    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0)
    try:
        main()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)
