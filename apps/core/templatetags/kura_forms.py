"""Form fields as Pico CSS shows them, without classes: the label, the control, and under
it the field's own error (`aria-invalid="true"` + `<small>`) and its help.

    {% load kura_forms %}
    {% field form.email %}
    {% field form.password autocomplete="new-password" %}
"""

from typing import Any

from django import forms, template
from django.forms import BoundField
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

register = template.Library()

CHOICE_GROUPS = (forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.simple_tag
def field(bound: BoundField, **attrs: Any) -> SafeString:
    """One field; keyword arguments become attributes of its control (`data_x` is `data-x`:
    template keywords cannot hold a hyphen)."""
    attrs = {name.replace("_", "-"): value for name, value in attrs.items()}
    notes: list[tuple[str, Any]] = []
    if bound.errors:
        attrs["aria-invalid"] = "true"
        notes.append(
            (
                f"{bound.auto_id}-error",
                format_html_join(" ", "{}", ((error,) for error in bound.errors)),
            )
        )
    if bound.help_text:
        notes.append((f"{bound.auto_id}-help", bound.help_text))
    described = " ".join(note_id for note_id, _text in notes)
    small = format_html_join("", '<small id="{}">{}</small>', notes)
    if isinstance(bound.field.widget, CHOICE_GROUPS):
        # A group of choices is a fieldset named by its legend, as Pico lays them out.
        return format_html(
            "<fieldset{}><legend>{}</legend>{}{}</fieldset>",
            format_html(' aria-describedby="{}"', described) if described else "",
            bound.label,
            bound.as_widget(attrs=attrs),
            small,
        )
    if described:
        attrs["aria-describedby"] = described
    if isinstance(bound.field.widget, forms.CheckboxInput):
        return format_html(
            "<label>{} {}</label>{}", bound.as_widget(attrs=attrs), bound.label, small
        )
    return format_html(
        "{}{}{}", bound.label_tag(label_suffix=""), bound.as_widget(attrs=attrs), small
    )


@register.simple_tag
def form_errors(form: forms.Form) -> SafeString:
    """Errors about the form as a whole (not one field), as an alert at its top."""
    errors = form.non_field_errors()
    if not errors:
        return SafeString("")
    return format_html(
        '<p role="alert">{}</p>',
        format_html_join(" ", "{}", ((error,) for error in errors)),
    )
