"""Every list the API takes has a maximum, checked before any item is: a thousand times
the largest list answers as fast as a short one (413 when the body is over its limit,
400 naming the maximum when the list alone is)."""

import json
import time

import pytest
from django.conf import settings
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from rest_framework import serializers

from apps.accounts.services import auth_token_issue
from apps.core.fields import ItemsField
from tests.api import bearer, too_large

UPLOAD = "00000000-0000-4000-8000-000000000000"  # no such upload: sizes are checked first
ETAG = '"0123456789abcdef0123456789abcdef"'
DEFAULT = settings.KURA_MAX_BODY_BYTES
COMPLETE_LIMIT = settings.FILES_MAX_PARTS * 200
PER_CALL = settings.FILES_PART_URLS_PER_CALL


class CountingField(serializers.IntegerField):
    """An item's field that counts the items it validates."""

    def __init__(self) -> None:
        super().__init__()
        self.validated = 0

    def to_internal_value(self, data: object) -> int:
        self.validated += 1
        return super().to_internal_value(data)


@translation.override("en")
def test_a_list_over_its_maximum_is_refused_before_any_item_is_validated():
    child = CountingField()
    field = ItemsField(child=child, max_length=3)
    with pytest.raises(serializers.ValidationError) as refused:
        field.run_validation(["not a number"] * 100_000)
    assert refused.value.detail == ["Ensure this field has no more than 3 elements."]
    assert child.validated == 0


@translation.override("en")
def test_a_list_within_its_maximum_has_every_item_validated():
    child = CountingField()
    field = ItemsField(child=child, max_length=3)
    assert field.run_validation(["1", "2", "3"]) == [1, 2, 3]
    assert child.validated == 3
    with pytest.raises(serializers.ValidationError) as refused:
        field.run_validation(["1", "x"])
    assert refused.value.detail == ["item 2: A valid integer is required."]


def test_a_list_field_without_a_maximum_cannot_be_declared():
    with pytest.raises(TypeError):
        ItemsField(child=serializers.IntegerField())  # type: ignore[call-arg]


def _arrays(node: object, path: str = ""):
    if isinstance(node, dict):
        if node.get("type") == "array":
            yield path, node
        for key, value in node.items():
            yield from _arrays(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _arrays(value, f"{path}/{index}")


def test_every_list_in_a_request_shows_its_maximum_in_the_schema():
    schema = SchemaGenerator(urlconf="config.urls_tenant").get_schema(request=None, public=True)
    requests = {n: s for n, s in schema["components"]["schemas"].items() if n.endswith("Request")}
    arrays = dict(_arrays(requests))
    assert {path: array.get("maxItems") for path, array in arrays.items()} == {
        "/OrderListInputRequest/properties/lines": 50,
        "/PostDetailInputRequest/properties/attachment_ids": 10,
        "/ProductUpdateRequest/properties/image_ids": 10,
        "/PostListInputRequest/properties/attachment_ids": 10,
        "/PostScheduleInputRequest/properties/attachment_ids": 10,
        "/ProductInputRequest/properties/image_ids": 10,
        "/SynonymListInputRequest/properties/terms": 10,
        "/UploadCompleteInputRequest/properties/parts": settings.FILES_MAX_PARTS,
        "/UploadPartsInputRequest/properties/part_numbers": PER_CALL,
        "/UploadPartsInputRequest/properties/md5s": PER_CALL,
    }


def too_long(field: str, maximum: int) -> dict:
    return {
        "status": 400,
        "code": "invalid",
        "message": "Some fields are not valid.",
        "errors": {field: [f"Ensure this field has no more than {maximum} elements."]},
    }


PARTS = f"/api/upload/{UPLOAD}/parts"
PRODUCT = {"name": "pen", "sku": "PEN-1", "price": 100}
CASES = {
    # A thousand times the input, over the body limit: refused unread.
    "60k parts": (
        "/api/upload/complete",
        {"file_id": UPLOAD, "parts": [{"part_number": n, "etag": ETAG} for n in range(60_000)]},
        too_large(COMPLETE_LIMIT),
    ),
    "400k part numbers": (PARTS, {"part_numbers": list(range(400_000))}, too_large(DEFAULT)),
    "300k synonym terms": (
        "/api/search/synonyms",
        {"terms": [f"term{n}" for n in range(300_000)]},
        too_large(DEFAULT),
    ),
    "50k order lines": (
        "/api/orders",
        {"lines": [{"product_id": 1, "quantity": 1}] * 50_000, "idempotency_key": "k"},
        too_large(DEFAULT),
    ),
    # As long, each item small enough for the body to fit: refused by the list's length,
    # every item left unread (each one would be an error).
    "60k empty parts": (
        "/api/upload/complete",
        {"file_id": UPLOAD, "parts": [{}] * 60_000},
        too_long("parts", settings.FILES_MAX_PARTS),
    ),
    "100k part numbers 0": (
        PARTS,
        {"part_numbers": [0] * 100_000},
        too_long("part_numbers", PER_CALL),
    ),
    "50k md5s": (PARTS, {"part_numbers": [1], "md5s": [""] * 50_000}, too_long("md5s", PER_CALL)),
    "60k empty terms": ("/api/search/synonyms", {"terms": [""] * 60_000}, too_long("terms", 10)),
    "50k empty order lines": (
        "/api/orders",
        {"lines": [{}] * 50_000, "idempotency_key": "k"},
        too_long("lines", 50),
    ),
    "50k image ids": (
        "/api/products",
        {**PRODUCT, "image_ids": [""] * 50_000},
        too_long("image_ids", 10),
    ),
    "50k attachment ids": (
        "/api/posts",
        {"body": "hello", "attachment_ids": [""] * 50_000},
        too_long("attachment_ids", 10),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES)
def test_a_huge_list_is_refused_before_its_items_are_looked_at(tenant, owner, case):
    path, payload, expected = CASES[case]
    client = bearer(tenant, auth_token_issue(membership=owner).access_token)
    client.post(path, b"{}", content_type="application/json")  # the first loads the URLs
    body = json.dumps(payload, separators=(",", ":")).encode()
    started = time.perf_counter()
    response = client.post(path, body, content_type="application/json")
    elapsed = time.perf_counter() - started
    assert (response.status_code, response.json()) == (expected["status"], expected)
    assert elapsed < 0.5
