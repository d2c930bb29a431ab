"""What Django's forms leave untyped: a form's fields are `Field`s to mypy, whatever class
they were declared with."""

from collections.abc import Iterable
from typing import Any

from django import forms


def choices_set(form: forms.BaseForm, name: str, choices: Iterable[tuple[Any, Any]]) -> None:
    """Give the choice field `name` of `form` its choices (read when the form is made)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    field.choices = list(choices)
