"""The one pagination of every list: offset (page numbers), cursor (feeds, infinite
scroll) and keyset (deep traversal, exports); one module per idea, every public name
importable from here.

A view parses the query string with `OffsetParams`/`CursorParams`/`KeysetParams.from_query`
(input the OpenAPI parameters refuse is a Django ValidationError naming the field, a 400 in
the one error shape; a cursor or position of the right form not made for this list, or two
styles at once, a 422: `InvalidCursorError` or a RefusedInputError), pages a queryset with
`offset_page`/`cursor_page`/`keyset_page`, and serializes the page with the envelope from
`offset_envelope`/`cursor_envelope`/`keyset_envelope`, which is also what it declares to the
OpenAPI schema, beside `offset_parameters()`/`cursor_parameters()`/`keyset_parameters()`:

    @extend_schema(parameters=offset_parameters(), responses=offset_envelope(ItemSerializer))
    def get(self, request):
        params = OffsetParams.from_query(request.query_params)
        page = offset_page(selectors.item_list(user=request.user), params=params)
        return Response(offset_envelope(ItemSerializer)(page).data)

A server-rendered page does the same with `request.GET` and hands the page to its template.

- `params`: the limit, the style a request asked for (`style_of`);
- `offset`: pages by number, with an honest total; numbered pages of a web page's list;
- `positions`: the ordering key values of a row, and the rows after them (`position_after`);
- `signing`: the one cursor signer (`CursorSigner`), search's `after` tokens included;
- `cursor`, `keyset`: the two position styles;
- `openapi`: parameters and envelopes; `styles`: a list offering all three (`paginate`).
"""

from apps.core.pagination.cursor import (
    CURSOR_SALT,
    CursorPage,
    CursorParams,
    InvalidCursorError,
    cursor_page,
)
from apps.core.pagination.keyset import (
    KEYSET_POSITION_PATTERN,
    MAX_TOKEN_LENGTH,
    KeysetPage,
    KeysetParams,
    keyset_page,
    keyset_token,
    keyset_token_parse,
)
from apps.core.pagination.offset import (
    EXACT_COUNT_UP_TO,
    MAX_PAGE,
    MAX_PAGE_NUMBER,
    NumberedPage,
    OffsetPage,
    OffsetParams,
    numbered_page,
    offset_page,
)
from apps.core.pagination.openapi import (
    any_style_parameters,
    cursor_envelope,
    cursor_parameters,
    keyset_envelope,
    keyset_parameters,
    offset_envelope,
    offset_parameters,
)
from apps.core.pagination.params import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    STYLE_PARAMETERS,
    Style,
    style_of,
)
from apps.core.pagination.positions import RowComparison, position_after
from apps.core.pagination.signing import (
    CURSOR_PATTERN,
    MAX_CURSOR_LENGTH,
    SIGNED_CHARACTER,
    BadCursorError,
    CursorSigner,
)
from apps.core.pagination.styles import AnyPage, any_style_envelope, page_data, paginate

__all__ = [
    "CURSOR_PATTERN",
    "CURSOR_SALT",
    "DEFAULT_LIMIT",
    "EXACT_COUNT_UP_TO",
    "KEYSET_POSITION_PATTERN",
    "MAX_CURSOR_LENGTH",
    "MAX_LIMIT",
    "MAX_PAGE",
    "MAX_PAGE_NUMBER",
    "MAX_TOKEN_LENGTH",
    "SIGNED_CHARACTER",
    "STYLE_PARAMETERS",
    "AnyPage",
    "BadCursorError",
    "CursorPage",
    "CursorParams",
    "CursorSigner",
    "InvalidCursorError",
    "KeysetPage",
    "KeysetParams",
    "NumberedPage",
    "OffsetPage",
    "OffsetParams",
    "RowComparison",
    "Style",
    "any_style_envelope",
    "any_style_parameters",
    "cursor_envelope",
    "cursor_page",
    "cursor_parameters",
    "keyset_envelope",
    "keyset_page",
    "keyset_parameters",
    "keyset_token",
    "keyset_token_parse",
    "numbered_page",
    "offset_envelope",
    "offset_page",
    "offset_parameters",
    "page_data",
    "paginate",
    "position_after",
    "style_of",
]
