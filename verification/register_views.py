"""Pages of the verification registers: the Group-2 list versions, verifier cards, marks stock."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lims.access import can, require
from lims.forms import add_service_error, is_small_number, message_refusal
from lims.paging import page_of
from verification.cards import card_record, card_revoke
from verification.marks import batch_receive, carrier_of, mark_write_off
from verification.models import (
    ListStatus,
    MarkBatch,
    MarkState,
    TypeList,
    VerifierCard,
)
from verification.register_forms import (
    CardForm,
    CardRevokeForm,
    MarkBatchForm,
    MarkWriteOffForm,
    TypeListImportForm,
)
from verification.typelists import (
    typelist_csv,
    typelist_import,
    typelist_put_in_force,
    types_in_force,
)


@login_required
def typelists(request):
    require(request.user, "verification.view")
    lists = TypeList.objects.annotate(n=Count("types")).order_by("-effective_on", "-pk")
    return render(
        request,
        "verification/typelists.html",
        {"lists": lists, "can_edit": can(request.user, "typelist.edit")},
    )


@login_required
def typelist(request, pk):
    require(request.user, "verification.view")
    type_list = get_object_or_404(TypeList, pk=pk)
    return render(
        request,
        "verification/typelist.html",
        {
            "type_list": type_list,
            "types": type_list.types.order_by("pk"),
            "can_edit": can(request.user, "typelist.edit") and type_list.status == ListStatus.DRAFT,
        },
    )


@login_required
def typelist_export(request, pk):
    require(request.user, "verification.view")
    type_list = get_object_or_404(TypeList, pk=pk)
    response = HttpResponse(typelist_csv(type_list), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="group2-{type_list.effective_on}.csv"'
    return response


@login_required
def typelist_import_view(request):
    require(request.user, "typelist.edit")
    form = TypeListImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            type_list = typelist_import(
                title=data["title"],
                legal_basis=data["legal_basis"],
                effective_on=data["effective_on"],
                data=data["file"].read(),
                by=request.user,
            )
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Draft list imported: check it, then put it in force."))
            return redirect("verification_typelist", pk=type_list.pk)
    return render(
        request,
        "verification/typelist_import.html",
        {"form": form, "title": _("Import a version of the list")},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def typelist_in_force(request, pk):
    require(request.user, "typelist.edit")
    type_list = get_object_or_404(TypeList, pk=pk)
    try:
        typelist_put_in_force(
            type_list=type_list, by=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        message_refusal(request, error)
    else:
        messages.success(request, _("The list is in force; the version before is superseded."))
    return redirect("verification_typelist", pk=type_list.pk)


def _standing(card, today) -> str:
    if card.revoked_on and card.revoked_on <= today:
        return "revoked"
    if card.valid_until < today:
        return "expired"
    if card.valid_from > today:
        return "not_yet"
    return "in_force"


@login_required
def cards(request):
    require(request.user, "verification.view")
    today = timezone.localdate()
    listed = VerifierCard.objects.select_related("person")
    person = request.GET.get("person", "")
    if is_small_number(person):
        listed = listed.filter(person_id=int(person))
    code = request.GET.get("type", "").strip()[:60]
    if code:
        listed = listed.filter(type_code=code)
    page = page_of(request, listed)
    names = {t.code: t for t in types_in_force()}
    for card in page:
        card.standing = _standing(card, today)
        card.type = names.get(card.type_code)
        if can(request.user, "verifier.grant") and card.standing in ("in_force", "not_yet"):
            card.revoke_form = CardRevokeForm(
                initial={"on": today}, auto_id=f"id_revoke_{card.pk}_%s"
            )
    return render(
        request,
        "verification/cards.html",
        {
            "cards": page,
            "page": page,
            "types": names.values(),
            "code": code,
            "can_grant": can(request.user, "verifier.grant"),
        },
    )


@login_required
def card_record_view(request):
    require(request.user, "verifier.grant")
    form = CardForm(
        request.POST or None,
        types=types_in_force().order_by("pk"),
        initial={"valid_from": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            card_record(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Verifier card recorded."))
            return redirect("verifier_cards")
    return render(
        request,
        "lims/form.html",
        {"form": form, "title": _("Record a verifier card")},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def card_revoke_view(request, pk):
    require(request.user, "verifier.grant")
    card = get_object_or_404(VerifierCard, pk=pk)
    form = CardRevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day from which it is revoked and the reason."))
        return redirect("verifier_cards")
    try:
        card_revoke(card=card, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        message_refusal(request, error)
    else:
        messages.success(request, _("Verifier card revoked."))
    return redirect("verifier_cards")


@login_required
def marks(request):
    """The stock by batch, the lookup of one serial, and the forms to receive and write off."""
    require(request.user, "verification.view")
    batches = (
        MarkBatch.objects.select_related("received_by")
        .annotate(
            **{state: Count("marks", filter=Q(marks__state=state)) for state in MarkState.values}
        )
        .order_by("-received_on", "-pk")
    )
    serial = request.GET.get("serial", "").strip()[:30]
    found = carrier_of(serial) if serial else None
    may = can(request.user, "mark.manage")
    return render(
        request,
        "verification/marks.html",
        {
            "batches": page_of(request, batches),
            "serial": serial,
            "found": found,
            "history": found.history.select_related("history_user").order_by("history_date")
            if found
            else [],
            "may_manage": may,
            "receive_form": MarkBatchForm(initial={"received_on": timezone.localdate()})
            if may
            else None,
            "write_off_form": MarkWriteOffForm() if may else None,
        },
    )


@login_required
@require_POST
def mark_receive(request):
    require(request.user, "mark.manage")
    form = MarkBatchForm(request.POST)
    if form.is_valid():
        try:
            batch = batch_receive(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            message_refusal(request, error)
        else:
            messages.success(
                request,
                _("%(n)d marks received: %(batch)s.")
                % {"n": batch.last - batch.first + 1, "batch": batch},
            )
    else:
        for field, errors in form.errors.items():
            for error in errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect("marks")


@login_required
@require_POST
def mark_write_off_view(request):
    require(request.user, "mark.manage")
    form = MarkWriteOffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the serial, what happened and why."))
        return redirect("marks")
    try:
        mark = mark_write_off(by=request.user, **form.cleaned_data)
    except ValidationError as error:
        message_refusal(request, error)
        return redirect("marks")
    messages.success(
        request,
        _("Mark %(serial)s recorded %(state)s.")
        % {"serial": mark.serial, "state": mark.get_state_display().lower()},
    )
    return redirect(f"{reverse('marks')}?serial={mark.serial}")
