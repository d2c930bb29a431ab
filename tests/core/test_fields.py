"""apps/core/fields.py: a JSON body's values taken only in their fields' JSON types, as the
OpenAPI schema says (DRF's fields would take 0 for false, "1" for 1 and 0 for "0")."""

import pytest
from django.utils import translation
from rest_framework import serializers

from apps.core.fields import ItemsField, StrictSerializer, UniqueItemsValidator


class Line(StrictSerializer):
    product_id = serializers.IntegerField()


class Body(StrictSerializer):
    message = serializers.CharField(required=False)
    draft = serializers.BooleanField(required=False)
    count = serializers.IntegerField(required=False)
    at = serializers.DateTimeField(required=False)
    id = serializers.UUIDField(required=False)
    kind = serializers.ChoiceField(choices=["a", "b"], required=False)
    tags = ItemsField(child=serializers.CharField(), required=False, max_length=3)
    lines = ItemsField(child=Line(), required=False, max_length=10)
    note = serializers.CharField(required=False, allow_null=True)


def errors_of(data: object) -> dict:
    body = Body(data=data)
    assert not body.is_valid()
    return {key: [str(m) for m in value] for key, value in body.errors.items()}


@translation.override("en")
@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"draft": 0}, {"draft": ["Must be true or false."]}),
        ({"draft": "true"}, {"draft": ["Must be true or false."]}),
        ({"draft": "yes"}, {"draft": ["Must be true or false."]}),
        ({"message": 0}, {"message": ["Must be a string."]}),
        ({"message": 1.5}, {"message": ["Must be a string."]}),
        ({"count": "1"}, {"count": ["Must be a whole number."]}),
        ({"count": 1.0}, {"count": ["Must be a whole number."]}),
        ({"count": True}, {"count": ["Must be a whole number."]}),
        ({"at": 1767225600}, {"at": ["Must be a string."]}),
        ({"id": 5}, {"id": ["Must be a string."]}),
        ({"kind": 1}, {"kind": ["Must be a string."]}),
        (
            {"tags": ["a", 2, False]},
            {"tags": ["item 2: Must be a string.", "item 3: Must be a string."]},
        ),
        (
            {"lines": [{"product_id": "7"}]},
            {"lines": ["item 1: product_id: Must be a whole number."]},
        ),
    ],
)
def test_a_value_of_another_json_type_is_refused_naming_the_field(data, errors):
    assert errors_of(data) == errors


@translation.override("en")
def test_the_other_fields_errors_come_in_the_same_answer():
    assert errors_of({"draft": 1, "kind": "c"}) == {
        "draft": ["Must be true or false."],
        "kind": ['"c" is not a valid choice.'],
    }


def test_values_of_their_own_type_and_null_where_allowed_are_taken():
    body = Body(
        data={
            "message": "0",
            "draft": False,
            "count": 0,
            "at": "2026-11-01T12:00:00Z",
            "kind": "a",
            "tags": ["x"],
            "lines": [{"product_id": 1}],
            "note": None,
        }
    )
    assert body.is_valid(), body.errors
    assert (body.validated_data["draft"], body.validated_data["count"]) == (False, 0)


@translation.override("en")
def test_a_list_over_its_length_is_refused_for_it_before_its_items_are_looked_at():
    assert errors_of({"tags": [1, 2, 3, 4]}) == {
        "tags": ["Ensure this field has no more than 3 elements."]
    }


def test_unique_items():
    check = UniqueItemsValidator("Each once.")
    check([1, 2, 3])
    with pytest.raises(serializers.ValidationError) as refused:
        check([1, 2, 1])
    assert refused.value.detail == ["Each once."]
