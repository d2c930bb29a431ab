"""Products from a CSV file, all or nothing.

The header names the columns: `sku`, `name` and `price` are required; `description`,
`stock`, `category` (`親 > 子`, or the name of a top-level category), `brand` and `active`
(true/false, 1/0, yes/no) may follow, in any order. A row whose SKU is in the catalog
updates that product; any other row creates one. A blank cell leaves the product's value
as it is (a new product gets the default: no description, category or brand, no stock,
active). Categories and brands the file names that do not exist yet are created in the
same transaction.

The file is UTF-8 (with or without a BOM) or Shift_JIS (Windows' CP932, what Excel writes
on a Japanese system), and holds at most MAX_ROWS rows of at most MAX_COLUMNS columns in
MAX_BYTES. When anything is wrong, nothing is written and the refusal lists the first
problems (bad rows counted as a spreadsheet does, the header being row 1) and counts them
all; the work and the answer grow at most linearly with the file, whatever it holds.
"""

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.principal import Actor
from apps.catalog.errors import ImportInvalidError, ImportTooLargeError
from apps.catalog.models import MAX_DESCRIPTION, MAX_PRICE, MAX_STOCK, Brand, Category, Product
from apps.catalog.policies import can_manage_catalog
from apps.catalog.services import PRODUCT
from apps.core.errors import NotAllowedError
from apps.search.services import outbox_add
from apps.tenants.models import Tenant

MAX_ROWS = 10_000
MAX_BYTES = 10 * 1024 * 1024
MAX_LISTED = 100  # row errors listed in a refusal; the message counts them all
REQUIRED = ("sku", "name", "price")
OPTIONAL = ("description", "stock", "category", "brand", "active")
COLUMNS = frozenset(REQUIRED + OPTIONAL)
# A header wider than this is no catalog file (it has 8 columns, each once): refused before
# its names are looked at.
MAX_COLUMNS = 32
MAX_NAMES_LISTED = 10  # column names a refusal repeats, each cut to MAX_NAME_SHOWN characters
MAX_NAME_SHOWN = 40
BATCH = 1_000
TRUE = frozenset({"true", "1", "yes"})
FALSE = frozenset({"false", "0", "no"})
DIGITS = re.compile(r"[0-9]{1,12}")
MAX_NAME = 200
MAX_SKU = 64
MAX_LABEL = 100  # a category's or brand's name
LEVELS = 2  # of categories


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int  # rows of products already exactly so: nothing written, nothing reindexed


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.message}"


@dataclass
class _Row:
    """One valid row: the fields it sets (blank cells absent) and where it is going."""

    number: int
    sku: str
    values: dict[str, Any]
    category: tuple[str, ...] | None
    brand: str | None


def products_import(*, tenant: Tenant, actor: Actor, file: IO[bytes]) -> ImportResult:
    """Create and update products from the CSV `file` in one transaction, with one outbox
    entry per product written (apps.search), or refuse it all with ImportInvalidError
    (which lists the bad rows) or ImportTooLargeError.
    """
    if not can_manage_catalog(actor):
        raise NotAllowedError(_("Only owners and admins change the catalog."))
    rows = _parse(_text(file))
    with transaction.atomic():
        return _write(tenant, rows)


# Reading ------------------------------------------------------------------------------------


def _refuse(field: str, message: str) -> ImportInvalidError:
    return ImportInvalidError(message, errors={field: [message]})


def _text(file: IO[bytes]) -> str:
    """The file decoded: strict UTF-8 first (a Shift_JIS file almost never is valid UTF-8),
    then CP932; anything else is refused rather than guessed."""
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ImportTooLargeError
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break  # binary, not text
        return text
    raise _refuse("file", _("The file is not CSV text in UTF-8 or Shift_JIS."))


def _records(text: str) -> Iterator[list[str]]:
    try:
        yield from csv.reader(io.StringIO(text, newline=""), strict=True)
    except csv.Error as error:
        raise _refuse(
            "file", _("The file is not valid CSV: %(error)s") % {"error": error}
        ) from None


def _parse(text: str) -> list[_Row]:
    records = _records(text)
    header = [unicodedata.normalize("NFKC", cell).strip().lower() for cell in next(records, [])]
    _check_header(header)
    rows: list[_Row] = []
    listed: list[RowError] = []  # the first MAX_LISTED errors
    error_count = 0
    first_row_of: dict[str, int] = {}
    count = 0
    for number, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue  # a blank line, as spreadsheets leave at the end
        count += 1
        if count > MAX_ROWS:
            raise _refuse(
                "file", _("A file to import holds at most %(max)d rows.") % {"max": MAX_ROWS}
            )
        row, row_errors = _row(number, header, record)
        if row is not None and row.sku in first_row_of:
            row_errors.append(
                RowError(number, "sku", _("Also on row %(row)d.") % {"row": first_row_of[row.sku]})
            )
        if row is None or row_errors:
            error_count += len(row_errors)
            listed.extend(row_errors[: MAX_LISTED - len(listed)])
            continue
        first_row_of[row.sku] = number
        rows.append(row)
    if error_count:
        raise ImportInvalidError(
            ngettext(
                "%(count)d error in the file; nothing was imported.",
                "%(count)d errors in the file; nothing was imported.",
                error_count,
            )
            % {"count": error_count},
            errors={"rows": [str(error) for error in listed]},
        )
    return rows


def _check_header(header: list[str]) -> None:
    """Refuse a header without the required columns, with unknown or repeated ones; each
    name is counted once and the refusal names at most MAX_NAMES_LISTED of each kind."""
    if len(header) > MAX_COLUMNS:
        problem = _(
            "The header has %(count)d columns; a file to import has at most %(max)d (the "
            "columns are %(known)s)."
        ) % {"count": len(header), "max": MAX_COLUMNS, "known": ", ".join(REQUIRED + OPTIONAL)}
        raise ImportInvalidError(problem, errors={"columns": [problem]})
    counts = Counter(header)  # in the order of first appearance
    problems = []
    missing = [name for name in REQUIRED if name not in counts]
    if missing:
        problems.append(_("Missing columns: %(names)s.") % {"names": ", ".join(missing)})
    unknown = [name for name in counts if name not in COLUMNS]
    if unknown:
        problems.append(
            _("Unknown columns: %(names)s (the columns are %(known)s).")
            % {"names": _names(unknown), "known": ", ".join(REQUIRED + OPTIONAL)}
        )
    repeated = sorted(name for name, count in counts.items() if count > 1)
    if repeated:
        problems.append(_("Repeated columns: %(names)s.") % {"names": _names(repeated)})
    if problems:
        raise ImportInvalidError(" ".join(problems), errors={"columns": problems})


def _names(names: list[str]) -> str:
    """Column names as a refusal repeats them: the first few, each cut short, and how many
    more there are."""
    shown = [
        name if len(name) <= MAX_NAME_SHOWN else f"{name[:MAX_NAME_SHOWN]}…"
        for name in names[:MAX_NAMES_LISTED]
    ]
    more = len(names) - len(shown)
    if more:
        shown.append(ngettext("%(count)d more", "%(count)d more", more) % {"count": more})
    return ", ".join(shown)


def _row(number: int, header: list[str], record: list[str]) -> tuple[_Row | None, list[RowError]]:
    if len(record) != len(header):
        message = _("%(got)d cells where the header has %(want)d.") % {
            "got": len(record),
            "want": len(header),
        }
        return None, [RowError(number, "row", message)]
    values: dict[str, Any] = {}
    errors: list[RowError] = []
    for field, raw in zip(header, record, strict=True):
        cell = raw.strip()
        if not cell:
            if field in REQUIRED:
                errors.append(RowError(number, field, _("Required.")))
            continue
        try:
            values[field] = CELLS[field](cell)
        except ValueError as error:
            errors.append(RowError(number, field, str(error)))
    if errors:
        return None, errors
    category, brand = values.pop("category", None), values.pop("brand", None)
    return _Row(number, values["sku"], values, category, brand), []


def _label(limit: int) -> Callable[[str], str]:
    def parse(cell: str) -> str:
        if len(cell) > limit:
            raise ValueError(_("At most %(max)d characters.") % {"max": limit})
        return cell

    return parse


def _whole_number(top: int) -> Callable[[str], int]:
    """`1980`, `1,980` or the same in full-width digits; no sign, decimals or yen mark."""

    def parse(cell: str) -> int:
        cell = unicodedata.normalize("NFKC", cell)
        if re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+", cell):
            cell = cell.replace(",", "")
        if not DIGITS.fullmatch(cell) or int(cell) > top:
            raise ValueError(_("A whole number from 0 to %(max)d.") % {"max": top})
        return int(cell)

    return parse


def _active(cell: str) -> bool:
    if cell.lower() not in TRUE | FALSE:
        raise ValueError(_("true or false (or 1/0, yes/no)."))
    return cell.lower() in TRUE


def _category_path(cell: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in cell.split(">"))
    if len(names) > LEVELS or any(not name or len(name) > MAX_LABEL for name in names):
        raise ValueError(
            _("`Parent > Child` or a top-level name, each of 1 to %(max)d characters.")
            % {"max": MAX_LABEL}
        )
    return names


# What each column's non-blank cell means, or why it is refused.
CELLS: dict[str, Callable[[str], Any]] = {
    "sku": _label(MAX_SKU),
    "name": _label(MAX_NAME),
    "price": _whole_number(MAX_PRICE),
    "stock": _whole_number(MAX_STOCK),
    "description": _label(MAX_DESCRIPTION),
    "active": _active,
    "category": _category_path,
    "brand": _label(MAX_LABEL),
}


# Writing ------------------------------------------------------------------------------------


def _write(tenant: Tenant, rows: list[_Row]) -> ImportResult:
    categories = _categories({row.category for row in rows if row.category})
    brands = _brands({row.brand for row in rows if row.brand})
    existing = Product.objects.select_for_update().in_bulk(
        [row.sku for row in rows], field_name="sku"
    )
    now = timezone.now()
    new: list[Product] = []
    changed: list[Product] = []
    for row in rows:
        fields = dict(row.values)
        if row.category:
            fields["category_id"] = categories[row.category].pk
        if row.brand:
            fields["brand_id"] = brands[row.brand].pk
        product = existing.get(row.sku)
        if product is None:
            new.append(Product(**fields, created_at=now))
        elif any(getattr(product, field) != value for field, value in fields.items()):
            for field, value in fields.items():
                setattr(product, field, value)
            product.updated_at = now  # bulk_update does not touch auto_now fields
            changed.append(product)
    try:
        with transaction.atomic():
            Product.objects.bulk_create(new, batch_size=BATCH)
    except IntegrityError:
        raise _refuse(
            "file", _("Another change added some of these SKUs at the same moment; try again.")
        ) from None
    Product.objects.bulk_update(
        changed,
        ["name", "description", "price", "stock", "active", "category", "brand", "updated_at"],
        batch_size=BATCH,
    )
    outbox_add(tenant=tenant, kind=PRODUCT, object_ids=[p.pk for p in (*new, *changed)])
    return ImportResult(
        created=len(new), updated=len(changed), unchanged=len(rows) - len(new) - len(changed)
    )


def _categories(paths: Iterable[tuple[str, ...]]) -> dict[tuple[str, ...], Category]:
    """Every category the paths name, the missing ones created (parents first)."""
    known: dict[tuple[str, ...], Category] = {
        (c.parent.name, c.name) if c.parent else (c.name,): c
        for c in Category.objects.select_related("parent")
    }
    paths = set(paths)
    tops = sorted({path[:1] for path in paths} - set(known))
    known.update(_created(Category, tops, [Category(name=name) for (name,) in tops]))
    children = sorted(path for path in paths if len(path) == LEVELS and path not in known)
    known.update(
        _created(
            Category,
            children,
            [Category(name=child, parent=known[(parent,)]) for parent, child in children],
        )
    )
    return known


def _brands(names: set[str]) -> dict[str, Brand]:
    known = {brand.name: brand for brand in Brand.objects.filter(name__in=names)}
    missing = sorted(names - set(known))
    known.update(_created(Brand, missing, [Brand(name=name) for name in missing]))
    return known


def _created(model: Any, keys: list[Any], objects: list[Any]) -> dict[Any, Any]:
    """Objects made in bulk under their keys; a name another change took at the same
    moment refuses the import (rolled back) rather than half-applying it."""
    try:
        with transaction.atomic():
            model.objects.bulk_create(objects, batch_size=BATCH)
    except IntegrityError:
        raise _refuse(
            "file",
            _("Another change added some of these categories or brands; try again."),
        ) from None
    return dict(zip(keys, objects, strict=True))
