from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError

from lims.models import Customer


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = [
            "name",
            "short_name",
            "tax_code",
            "address",
            "province",
            "sector",
            "contact_name",
            "contact_phone",
            "contact_email",
        ]


def add_service_error(form: forms.Form, error) -> None:
    """Show a service's refusal on the form, whatever fields its messages concern."""
    for message in error.messages:
        form.add_error(None, message)


def message_refusal(request, error) -> None:
    """Show a service's refusal (a ValidationError or PermissionDenied) as page messages."""
    for message in getattr(error, "messages", [str(error)]):
        messages.error(request, message)


def is_small_number(text) -> bool:
    """ASCII digits only, and few of them: str.isdigit() alone admits '²' and 5000-digit runs."""
    text = str(text or "")
    return text.isascii() and text.isdigit() and len(text) <= 9


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows by their id that refuses, as a form error, an id no database
    integer holds (SQLite raises OverflowError on 99999999999999999999 in an ``IN``)."""

    def _check_values(self, value):
        if self.to_field_name is None and isinstance(value, list | tuple):
            for pk in value:
                if not is_small_number(pk):
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": str(pk)[:40]},
                    )
        return super()._check_values(value)
