"""Pages of on-site campaigns: the list, planning and changing one, its summary, closing it,
the entry page with its JSON endpoints (preview, rows), and signing the rows in one go."""

import json
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from lims.access import can, require
from lims.forms import add_service_error, is_small_number, message_refusal
from lims.paging import page_of
from verification import campaign_entry as entry
from verification.campaign_forms import CampaignForm, CloseForm, SignForm
from verification.campaigns import (
    campaign_close,
    campaign_create,
    campaign_row_record,
    campaign_rows_sign,
    campaign_summary,
    campaign_update,
    is_member,
    may_enter,
    rows_to_sign,
)
from verification.models import Campaign, Mark, Verification

MAX_BODY = 64 * 1024  # one row as JSON is well under a kilobyte


def _campaign(pk) -> Campaign:
    return get_object_or_404(
        Campaign.objects.select_related("leader").prefetch_related("team", "standards"), pk=pk
    )


@login_required
def campaign_list(request):
    require(request.user, "verification.view")
    campaigns = Campaign.objects.select_related("leader").annotate(
        verified=Count("verifications"),
        passed=Count("verifications", filter=Q(verifications__passed=True)),
        failed=Count("verifications", filter=Q(verifications__passed=False)),
    )
    page = page_of(request, campaigns.order_by("-starts_on", "-pk"))
    return render(
        request,
        "verification/campaign_list.html",
        {"campaigns": page, "page": page, "may_plan": can(request.user, "campaign.edit")},
    )


def _form_data(form) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "site": data["site"],
        "address": data["address"],
        "province": data["province"],
        "starts_on": data["starts_on"],
        "ends_on": data["ends_on"],
        "leader": data["leader"],
        "team": list(data["team"]),
        "standards": list(data["standards"]),
        "notes": data["notes"],
    }


@login_required
def campaign_create_view(request):
    require(request.user, "campaign.edit")
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_create(by=request.user, **_form_data(form))
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Campaign planned."))
            return redirect("campaign", pk=campaign.pk)
    return render(
        request,
        "verification/campaign_form.html",
        {"form": form, "title": _("Plan a campaign")},
        status=400 if form.errors else 200,
    )


@login_required
def campaign_edit(request, pk):
    require(request.user, "campaign.edit")
    campaign = _campaign(pk)
    if campaign.closed_at is not None:
        messages.error(request, _("The campaign is closed: it takes no more changes."))
        return redirect("campaign", pk=campaign.pk)
    initial = {
        "name": campaign.name,
        "site": campaign.site,
        "address": campaign.address,
        "province": campaign.province,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "leader": campaign.leader,
        "team": list(campaign.team.all()),
        "standards": list(campaign.standards.all()),
        "notes": campaign.notes,
    }
    form = CampaignForm(request.POST or None, initial=initial, reason_needed=True)
    if request.method == "POST" and form.is_valid():
        try:
            campaign_update(
                campaign=campaign,
                by=request.user,
                reason=form.cleaned_data["reason"],
                **_form_data(form),
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Campaign changed."))
            return redirect("campaign", pk=campaign.pk)
    return render(
        request,
        "verification/campaign_form.html",
        {"form": form, "title": _("Change the campaign"), "campaign": campaign},
        status=400 if form.errors else 200,
    )


@login_required
def campaign_detail(request, pk):
    """The campaign, its summary and its rows."""
    require(request.user, "verification.view")
    campaign = _campaign(pk)
    rows = (
        Verification.objects.filter(campaign=campaign)
        .select_related("instrument_type", "verifier")
        .defer("pdf")
        .prefetch_related(Prefetch("marks", Mark.objects.order_by("serial")))
        .order_by("pk")
    )
    page = page_of(request, rows, per_page=200)
    user = request.user
    to_sign = rows_to_sign(campaign, user).count() if can(user, "verification.edit") else 0
    return render(
        request,
        "verification/campaign_detail.html",
        {
            "campaign": campaign,
            "summary": campaign_summary(campaign),
            "rows": page,
            "page": page,
            "may_enter": may_enter(campaign, user),
            "may_edit": can(user, "campaign.edit") and campaign.closed_at is None,
            "to_sign": to_sign,
            "close_form": CloseForm(),
        },
    )


@login_required
@require_POST
def campaign_close_view(request, pk):
    require(request.user, "campaign.edit")
    campaign = _campaign(pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the campaign is closed."))
        return redirect("campaign", pk=campaign.pk)
    try:
        campaign_close(campaign=campaign, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        message_refusal(request, error)
    else:
        messages.success(request, _("Campaign closed: it takes no more rows."))
    return redirect("campaign", pk=campaign.pk)


# --- Signing --------------------------------------------------------------------------------


def _sign_context(request, campaign, form, outcome=None):
    rows = rows_to_sign(campaign, request.user).select_related("instrument_type").defer("pdf")
    return {"campaign": campaign, "form": form, "rows": rows, "outcome": outcome}


@login_required
def campaign_sign(request, pk):
    """The verifier signs their unsigned rows of the campaign, password once.

    A form post signs them all in this request (each row in its own transaction) and lists the
    refusals; the page's script posts the same form in parts (`after`, `limit`, JSON answer) to
    show progress on a campaign of hundreds of rows.
    """
    require(request.user, "verification.edit")
    campaign = _campaign(pk)
    form = SignForm(request.POST or None)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if request.method != "POST":
        return render(
            request, "verification/campaign_sign.html", _sign_context(request, campaign, form)
        )
    if not form.is_valid():
        if wants_json:
            return JsonResponse({"error": _("Type your password to sign.")}, status=400)
        return render(
            request,
            "verification/campaign_sign.html",
            _sign_context(request, campaign, form),
            status=400,
        )
    after = request.POST.get("after", "0")
    limit = request.POST.get("limit", "")
    started = time.monotonic()
    try:
        outcome, remaining = campaign_rows_sign(
            campaign=campaign,
            by=request.user,
            password=form.cleaned_data["password"],
            after=int(after) if is_small_number(after) else 0,
            **({"limit": int(limit)} if is_small_number(limit) and len(limit) < 5 else {}),
        )
    except (ValidationError, PermissionDenied) as error:
        if wants_json:
            return JsonResponse(
                {"error": " ".join(getattr(error, "messages", [str(error)]))}, status=400
            )
        add_service_error(form, error)
        return render(
            request,
            "verification/campaign_sign.html",
            _sign_context(request, campaign, form),
            status=400,
        )
    seconds = round(time.monotonic() - started, 2)
    lines = [
        {
            "pk": row.pk,
            "serial": row.serial_number,
            "owner": row.owner,
            "number": row.number or "",
            "passed": row.passed,
            "refusal": refusal or "",
        }
        for row, refusal in outcome
    ]
    if wants_json:
        return JsonResponse(
            {
                "rows": lines,
                "last": outcome[-1][0].pk,
                "remaining": remaining,
                "seconds": seconds,
            }
        )
    signed = sum(1 for line in lines if not line["refusal"])
    refused = [line for line in lines if line["refusal"]]
    if signed:
        messages.success(
            request,
            _("%(count)d rows signed in %(seconds)s s.") % {"count": signed, "seconds": seconds},
        )
    if not refused:
        return redirect("campaign", pk=campaign.pk)
    return render(
        request,
        "verification/campaign_sign.html",
        _sign_context(request, campaign, SignForm(), outcome=refused),
    )


# --- The entry page and its endpoints --------------------------------------------------------


def _entry_campaign(request, pk) -> Campaign:
    """The campaign for a team member who verifies; 403 for anyone else."""
    require(request.user, "verification.edit")
    campaign = _campaign(pk)
    if not is_member(campaign, request.user):
        raise PermissionDenied(_("Only a member of the campaign's team can record its rows."))
    return campaign


WORKER_VERSION = "1"


@login_required
@cache_control(no_cache=True)
def campaign_offline_worker(request):
    """The service worker that lets a tablet reopen an entry page without a connection (it holds
    no data; the browser fetches it with the session of the page that registers it)."""
    return render(
        request,
        "verification/campaign_offline.js",
        {
            "version": WORKER_VERSION,
            "static_prefix": settings.STATIC_URL
            if settings.STATIC_URL.startswith("/")
            else "/" + settings.STATIC_URL,
        },
        content_type="text/javascript; charset=utf-8",
    )


@login_required
def campaign_entry(request, pk):
    campaign = _entry_campaign(request, pk)
    return render(
        request,
        "verification/campaign_entry.html",
        {"campaign": campaign, **entry.page_context(campaign, request.user)},
    )


def _json_body(request) -> dict:
    if len(request.body) > MAX_BODY:
        raise ValidationError(_("The row is too large."))
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(_("The row is not readable JSON.")) from None
    if not isinstance(body, dict):
        raise ValidationError(_("The row is not readable JSON."))
    return body


@login_required
@require_POST
def campaign_preview(request, pk):
    """The tests the procedure asks for a row's instrument, and the verdict of what is typed so
    far, computed by the same rules as the recorded verification. Nothing is saved."""
    campaign = _entry_campaign(request, pk)
    try:
        body = _json_body(request)
    except ValidationError as error:
        return JsonResponse({"errors": {"__all__": error.messages}}, status=400)
    return JsonResponse(entry.preview(campaign, body))


@login_required
def campaign_rows(request, pk):
    """GET: the rows this person recorded in the campaign (for a reloaded page).
    POST: record one row, idempotent by its client key: 201 recorded, 200 already recorded,
    400 with the message per field."""
    campaign = _entry_campaign(request, pk)
    if request.method == "GET":
        return JsonResponse({"rows": entry.rows_of(campaign, request.user)})
    if request.method != "POST":
        return JsonResponse({"errors": {"__all__": [_("Send a row with POST.")]}}, status=405)
    try:
        body = _json_body(request)
        known = entry.recorded(campaign, body)
        if known is not None:  # sent again: the answer to the first send was lost
            return JsonResponse(entry.row_answer(known), status=200)
        fields = entry.parse_row(campaign, body)
    except ValidationError as error:
        return JsonResponse({"errors": entry.errors_of(error)}, status=400)
    try:
        verification, created = campaign_row_record(campaign=campaign, by=request.user, **fields)
    except PermissionDenied as error:
        return JsonResponse({"errors": {"__all__": [str(error)]}}, status=403)
    except ValidationError as error:
        return JsonResponse({"errors": entry.errors_of(error)}, status=400)
    return JsonResponse(entry.row_answer(verification), status=201 if created else 200)
