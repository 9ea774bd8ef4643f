"""The demo lab shows legal verification at work: issued certificates, a notice, a campaign."""

from io import StringIO

from django.core.management import call_command

from verification.campaigns import campaign_summary
from verification.models import Campaign, Mark, MarkState, Verification
from verification.typelists import in_force


def test_the_demo_verifies_an_enterprises_meters_and_a_market_and_runs_twice_alike(db):
    call_command("demo", stdout=StringIO())
    assert in_force().types.filter(recommendation="oiml_r76").exists()
    assert all(Verification.objects.values_list("number", flat=True))  # every one issued
    assert Verification.objects.filter(number__startswith="TB-").count() == 2  # a scale, a stall
    market = Campaign.objects.get()
    summary = campaign_summary(market)
    assert (summary.verified, summary.passed, summary.failed, summary.signed) == (12, 11, 1, 12)
    assert len(summary.marks) == 11
    used = Mark.objects.filter(state=MarkState.USED)
    assert used.count() == 13 and Mark.objects.filter(state=MarkState.SPOILED).count() == 1
    before = list(Verification.objects.order_by("pk").values_list("pk", "number", "sha256"))
    call_command("demo", stdout=StringIO())
    assert list(Verification.objects.order_by("pk").values_list("pk", "number", "sha256")) == before
