"""Certificate numbers: per kind and year, never duplicated, never reused, without gaps, also
with many issuers at once (ISO/IEC 17025 7.8.2.1 b: a unique identification)."""

import threading

import pytest
from django.db import connection, connections, transaction

from certificates.models import Counter, Kind
from certificates.numbering import number_next

WORKERS, EACH = 20, 50


def test_numbers_follow_per_kind_and_year(db):
    with transaction.atomic():
        taken = [number_next(kind=Kind.CALIBRATION, year=2026) for _ in range(3)]
        taken.append(number_next(kind=Kind.VERIFICATION, year=2026))
        taken.append(number_next(kind=Kind.CALIBRATION, year=2027))
    assert taken == [
        "HC-2026-00001",
        "HC-2026-00002",
        "HC-2026-00003",
        "KD-2026-00001",
        "HC-2027-00001",
    ]


def test_a_rolled_back_issue_gives_its_number_back(db):
    with transaction.atomic():
        number_next(kind=Kind.CALIBRATION, year=2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        number_next(kind=Kind.CALIBRATION, year=2026)
        raise RuntimeError("the PDF could not be rendered")
    with transaction.atomic():
        assert number_next(kind=Kind.CALIBRATION, year=2026) == "HC-2026-00002"


@pytest.mark.django_db(transaction=True)
def test_a_number_is_only_taken_inside_the_issuing_transaction():
    with pytest.raises(RuntimeError, match="inside the issuing transaction"):
        number_next(kind=Kind.CALIBRATION, year=2026)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite takes one writer at a time: nothing races"
)
def test_a_thousand_issues_from_twenty_workers_at_once_take_a_thousand_numbers_without_a_gap():
    numbers, failures = [], []
    start = threading.Barrier(WORKERS)

    def worker():
        try:
            start.wait()
            for _ in range(EACH):
                with transaction.atomic():
                    numbers.append(number_next(kind=Kind.CALIBRATION, year=2026))
        except Exception as error:  # reported below, with the others
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sorted(numbers) == [f"HC-2026-{n:05d}" for n in range(1, WORKERS * EACH + 1)]
    assert Counter.objects.get(kind=Kind.CALIBRATION, year=2026).last == WORKERS * EACH
