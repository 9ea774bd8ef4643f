from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from competence.forms import GrantForm, RevokeForm, lab_staff
from competence.models import Authorisation
from competence.services import authorisation_grant, authorisation_revoke
from lims.access import can, require
from lims.forms import add_service_error, is_small_number, message_refusal
from lims.models import Role, User
from lims.paging import page_of


def _with_standing(authorisations, today):
    """Each authorisation with whether it holds today and, if not, why."""
    for authorisation in authorisations:
        authorisation.why_not_today = authorisation.not_in_force_because(today)
        authorisation.in_force_today = not authorisation.why_not_today
    return authorisations


@login_required
def authorisation_list(request):
    require(request.user, "authorisation.view")
    today = timezone.localdate()
    authorisations = Authorisation.objects.select_related("person", "granted_by")
    person_id = request.GET.get("person", "")
    person_id = int(person_id) if is_small_number(person_id) else None
    if person_id:
        authorisations = authorisations.filter(person_id=person_id)
    code = request.GET.get("code", "").strip()
    if code:
        authorisations = authorisations.filter(procedure_code__icontains=code)
    page = page_of(request, authorisations)
    _with_standing(page, today)
    return render(
        request,
        "competence/authorisation_list.html",
        {
            "authorisations": page,
            "page": page,
            "today": today,
            "people": User.objects.filter(authorisations__isnull=False)
            .distinct()
            .order_by("last_name", "first_name", "username"),
            "person_id": person_id,
            "code": code,
            "can_grant": can(request.user, "authorisation.grant"),
        },
    )


@login_required
def competence_person(request, pk):
    require(request.user, "authorisation.view")
    person = get_object_or_404(User.objects.exclude(role=Role.CUSTOMER), pk=pk)
    today = timezone.localdate()
    authorisations = _with_standing(list(person.authorisations.select_related("granted_by")), today)
    current = [a for a in authorisations if a.in_force_today or a.valid_from > today]
    past = [a for a in authorisations if a not in current]
    can_grant = can(request.user, "authorisation.grant")
    if can_grant:
        for authorisation in current:
            if not authorisation.revoked_on:
                authorisation.revoke_form = RevokeForm(
                    initial={"on": today}, auto_id=f"id_revoke_{authorisation.pk}_%s"
                )
    return render(
        request,
        "competence/person.html",
        {
            "person": person,
            "current": current,
            "past": past,
            "today": today,
            "can_grant": can_grant,
        },
    )


@login_required
def grant(request):
    require(request.user, "authorisation.grant")
    initial = {"valid_from": timezone.localdate()}
    person_id = request.GET.get("person", "")
    if is_small_number(person_id) and lab_staff().filter(pk=person_id).exists():
        initial["person"] = int(person_id)
    if request.GET.get("code", "").strip():
        initial["procedure_code"] = request.GET["code"].strip()
    form = GrantForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            authorisation = authorisation_grant(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Authorisation granted."))
            return redirect("competence_person", pk=authorisation.person_id)
    return render(request, "lims/form.html", {"form": form, "title": _("Grant an authorisation")})


@login_required
@require_POST
def revoke(request, pk):
    require(request.user, "authorisation.grant")
    authorisation = get_object_or_404(Authorisation, pk=pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the day from which it is revoked and the reason."))
        return redirect("competence_person", pk=authorisation.person_id)
    try:
        authorisation_revoke(authorisation=authorisation, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        message_refusal(request, error)
    else:
        messages.success(request, _("Authorisation revoked."))
    return redirect("competence_person", pk=authorisation.person_id)
