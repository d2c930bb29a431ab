"""Sorts, and where a page of results starts: a page number up to MAX_WINDOW results deep,
or a signed position (`after`, the sort values of a result) beyond."""

from collections.abc import Sequence
from typing import Any, Literal

from django.utils.translation import gettext_lazy as _

from apps.core.errors import RefusedInputError
from apps.core.pagination import BadCursorError, CursorSigner
from apps.search.query.facets import Filters

Sort = Literal["relevance", "price", "-price", "newest"]
SORTS: tuple[Sort, ...] = ("relevance", "price", "-price", "newest")
# from + size never passes the index's max_result_window; deeper is `after`.
MAX_WINDOW = 10_000
AFTER_SALT = "kura.search.after"
MAX_AFTER_LENGTH = 1000


def sort_spec(sort: Sort, *, has_text: bool) -> list[Any]:
    """Each ends on the product id, unique within a company: positions are total."""
    newest = [{"created_at": "desc"}, {"product_id": "desc"}]
    if sort == "price":
        return [{"price": "asc"}, {"product_id": "asc"}]
    if sort == "-price":
        return [{"price": "desc"}, {"product_id": "desc"}]
    if sort == "relevance" and has_text:
        return [{"_score": "desc"}, *newest]
    return newest


class AfterCodec:
    """The sort values of a result as a position for one search: the company, the query
    text, the filters and the sort are the cursor signer's scope, so a token is refused
    anywhere else."""

    def __init__(self, *, tenant_id: int, q: str, filters: Filters, sort: Sort) -> None:
        scope = [tenant_id, q, filters.__dict__, sort]
        self.signer = CursorSigner(AFTER_SALT, scope, max_length=MAX_AFTER_LENGTH)

    def encode(self, values: Sequence[Any]) -> str:
        return self.signer.sign(list(values))

    def decode(self, token: str, *, length: int) -> list[Any]:
        invalid = RefusedInputError(
            {"after": [_("This position is not valid for this search; start again.")]}
        )
        try:
            values = self.signer.unsign(token)
        except BadCursorError:
            raise invalid from None
        if not isinstance(values, list) or len(values) != length:
            raise invalid
        if not all(isinstance(v, int | float | str) for v in values):
            raise invalid
        return values


def page_too_deep(*, page: int, size: int) -> bool:
    return page * size > MAX_WINDOW
