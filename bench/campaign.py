"""An on-site campaign: the rows of the entry page sent to the server, then signed in one go.

    .venv/bin/python bench/campaign.py                   # 30 scales, a SQLite file in a temp dir
    .venv/bin/python bench/campaign.py --count 200 --part 25
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/campaign.py

Builds a lab in a throw-away database (a SQLite file in a temporary directory, or, with
DATABASE_URL, a PostgreSQL database it creates and drops): a verifier with a card for market
scales, an M1 weight set traceable to VMI, a stock of marks and a campaign. Then prints:

1. the time to send COUNT rows of 30 kg shop scales as the entry page does (one JSON POST per
   row to /verification/campaigns/<pk>/rows/, through Django's test client, so without the
   network): each row is checked, evaluated by the rules and recorded as a draft; then the
   time to send them all again (each answered from its key, nothing recorded twice);
2. the time to sign them as the sign page does: the verifier's password once, the rows in parts
   of PART (one request each), each row issued in its own transaction with its number, its mark
   and its PDF rendered by WeasyPrint.

Nothing here asserts anything.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lims.settings")
SCRATCH = Path(tempfile.mkdtemp(prefix="bench-campaign-"))
POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres:", "postgresql:"))
if not POSTGRES:
    os.environ["DATABASE_URL"] = f"sqlite:///{SCRATCH / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

PASSWORD = "bench-password"
SPEC = {"max": "30", "e": "0.005", "class": "III", "unit": "kg"}
# the readings the procedure asks of a 30 kg × 5 g scale, every one right
CELLS = {
    **{f"weighing.{i}.indication": load for i, load in enumerate(["0.1", "2.5", "10", "30"])},
    **{f"eccentricity.{i}.indication": "10" for i in range(5)},
    **{f"repeatability.{i}.indication": "15" for i in range(3)},
    "discrimination.0.indication": "0.1",
    "discrimination.0.after": "0.105",
    "discrimination.1.indication": "30",
    "discrimination.1.after": "30.005",
}


def build_lab(count):
    import datetime as dt

    from lims.models import Role, User
    from standards.models import NationalStandard, Provider
    from standards.services import standard_calibration_record, standard_register
    from verification.campaigns import campaign_create
    from verification.cards import card_record
    from verification.marks import batch_receive
    from verification.models import InstrumentType, ListStatus, TypeList

    today = timezone.localdate()
    people = {}
    for name, role in [
        ("an", Role.TECHNICIAN),
        ("chau", Role.REVIEWER),
        ("dung", Role.QUALITY_MANAGER),
    ]:
        user = User(username=name, role=role, first_name=name.title(), last_name="Nguyễn")
        user.set_password(PASSWORD)
        user.save()
        people[name] = user
    an, chau, dung = people["an"], people["chau"], people["dung"]
    vmi = Provider.objects.create(name="Viện Đo lường Việt Nam", short_name="VMI", is_nmi=True)
    national = NationalStandard.objects.create(
        institute="VMI", name="Chuẩn quốc gia khối lượng", quantity="mass", si_unit="kilogram (kg)"
    )
    weights = standard_register(
        by=dung, asset_number="M1-01", name="Bộ quả cân M1", quantity="mass", unit="kg", grade="M1"
    )
    standard_calibration_record(
        standard=weights,
        provider=vmi,
        national_standard=national,
        certificate_number="V01.26.0420",
        calibrated_on=today - dt.timedelta(days=60),
        due_on=today + dt.timedelta(days=305),
        by=dung,
        values=[
            {
                "label": "10 kg",
                "nominal": "10",
                "value": "10.00012",
                "expanded_uncertainty": "0.00016",
            }
        ],
    )
    type_list = TypeList.objects.create(
        title="Danh mục phương tiện đo nhóm 2",
        legal_basis="Thông tư 23/2013/TT-BKHCN",
        effective_on=dt.date(2020, 1, 1),
        status=ListStatus.IN_FORCE,
    )
    scale = InstrumentType.objects.create(
        type_list=type_list,
        code="can-dong-ho-lo-xo",
        number="4.4",
        name_vi="Cân đồng hồ lò xo",
        name_en="Spring dial scale",
        interval_months=12,
        recommendation="oiml_r76",
    )
    card_record(
        person=an,
        card_number="KĐV-0001",
        type_code=scale.code,
        issued_by="Tổng cục Tiêu chuẩn Đo lường Chất lượng",
        valid_from=dt.date(2020, 1, 1),
        valid_until=today + dt.timedelta(days=365),
        by=dung,
    )
    batch_receive(kind="stamp", series="A", first=1, last=count + 10, received_on=today, by=dung)
    campaign = campaign_create(
        by=chau,
        name="Kiểm định cân chợ Đầm",
        site="Chợ Đầm Quy Nhơn",
        province="Bình Định",
        starts_on=today,
        ends_on=today,
        leader=chau,
        team=[an],
        standards=[weights],
    )
    return an, scale, campaign


def rows(count, scale):
    return [
        {
            "key": str(uuid.uuid4()),
            "type": str(scale.pk),
            "kind": "periodic",
            "owner": f"Hộ kinh doanh {n}",
            "stall": f"A-{n}",
            "manufacturer": "Nhơn Hòa",
            "model": "",
            "serial": f"NH-{n:04d}",
            "spec": SPEC,
            "cells": CELLS,
            "mark": f"A{n:07d}",
            "verified_on": timezone.localdate().isoformat(),
        }
        for n in range(1, count + 1)
    ]


def send(client, url, bodies):
    times, statuses = [], []
    for body in bodies:
        started = time.perf_counter()
        response = client.post(url, json.dumps(body), content_type="application/json")
        times.append(time.perf_counter() - started)
        statuses.append(response.status_code)
    return times, statuses


def main(args):
    from verification.models import Verification

    print(f"database: {connection.vendor}; {args.count} scales, signed in parts of {args.part}")
    an, scale, campaign = build_lab(args.count)
    client = Client()
    client.force_login(an)
    url = f"/verification/campaigns/{campaign.pk}/rows/"
    bodies = rows(args.count, scale)

    times, statuses = send(client, url, bodies)
    recorded = Verification.objects.filter(campaign=campaign).count()
    print(f"\n1. {args.count} rows sent (one JSON POST each: checked, evaluated, recorded)")
    print(
        f"   answers: {dict((s, statuses.count(s)) for s in sorted(set(statuses)))}; recorded {recorded}"
    )
    print(
        f"   total {sum(times):6.2f} s; per row mean {statistics.mean(times) * 1000:5.0f} ms, "
        f"median {statistics.median(times) * 1000:5.0f} ms, first {times[0] * 1000:5.0f} ms"
    )
    again, statuses = send(client, url, bodies)
    recorded = Verification.objects.filter(campaign=campaign).count()
    print(
        f"   sent again: answers {dict((s, statuses.count(s)) for s in sorted(set(statuses)))}; recorded {recorded}"
    )
    print(f"   total {sum(again):6.2f} s; per row mean {statistics.mean(again) * 1000:5.0f} ms")

    sign = f"/verification/campaigns/{campaign.pk}/sign/"
    after, parts, signed, refused = 0, [], 0, []
    started = time.perf_counter()
    while True:
        part_started = time.perf_counter()
        answer = client.post(
            sign,
            {"password": PASSWORD, "after": str(after), "limit": str(args.part)},
            HTTP_ACCEPT="application/json",
        ).json()
        parts.append((len(answer["rows"]), time.perf_counter() - part_started))
        signed += sum(1 for row in answer["rows"] if not row["refusal"])
        refused += [row["refusal"] for row in answer["rows"] if row["refusal"]]
        if not answer["remaining"]:
            break
        after = answer["last"]
    total = time.perf_counter() - started
    print(f"\n2. {args.count} rows signed, password once, in {len(parts)} requests")
    print(f"   signed {signed}, refused {len(refused)}" + (f": {refused[0]}" if refused else ""))
    print(f"   total {total:6.2f} s; per row {total / max(signed, 1):6.3f} s")
    print("   requests: " + ", ".join(f"{n} rows in {s:.1f} s" for n, s in parts))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=30, help="scales in the campaign")
    parser.add_argument("--part", type=int, default=25, help="rows signed per request")
    arguments = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    try:
        if POSTGRES:  # a database of its own, never the one DATABASE_URL names
            connection.settings_dict["TEST"]["NAME"] = f"bench_campaign_{os.getpid()}"
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
