"""Japan's consumption tax on an order, the way a qualified invoice (適格請求書) states it:
the tax-inclusive amounts of the order's lines are added up per rate, and the tax inside
each rate's total is worked out and rounded ONCE per rate per order, never per line (the
invoice rule: rounding each line would drift by a yen a line). How a fraction of a yen is
rounded is the company's choice (切り捨て by default, 四捨五入, 切り上げ).

And the qualified invoice issuer registration number (登録番号): `T` and the 13 digits of a
corporate number, whose first digit checks the other twelve (stdnum.jp.cn)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum.jp import cn

from apps.catalog.models import tax_included_in


class Rounding(models.TextChoices):
    DOWN = "down", _("Round down (切り捨て)")
    HALF_UP = "half_up", _("Round half up (四捨五入)")
    UP = "up", _("Round up (切り上げ)")


_DECIMAL_ROUNDING = {
    Rounding.DOWN: ROUND_FLOOR,
    Rounding.HALF_UP: ROUND_HALF_UP,
    Rounding.UP: ROUND_CEILING,
}


@dataclass(frozen=True)
class TaxLine:
    """One rate of an order: the tax-inclusive total of its lines and the tax inside it."""

    rate: Decimal
    taxable_amount: int
    tax: int


def tax_by_rate(amounts: Iterable[tuple[Decimal, int]], *, rounding: str) -> list[TaxLine]:
    """(rate, tax-inclusive amount) of each line -> one TaxLine per rate, lowest rate first,
    its tax rounded once with `rounding`."""
    totals: dict[Decimal, int] = {}
    for rate, amount in amounts:
        totals[rate] = totals.get(rate, 0) + amount
    mode = _DECIMAL_ROUNDING[Rounding(rounding)]
    return [
        TaxLine(
            rate=rate,
            taxable_amount=total,
            tax=int(tax_included_in(total, rate).quantize(Decimal(1), rounding=mode)),
        )
        for rate, total in sorted(totals.items())
    ]


def percent(rate: Decimal) -> str:
    """0.08 -> "8%"."""
    return f"{(rate * 100).normalize():f}%"


REGISTRATION_NUMBER = re.compile(r"T[0-9]{13}")


def validate_registration_number(value: str) -> None:
    """`T` and 13 digits whose first is the check digit of the other twelve."""
    if not REGISTRATION_NUMBER.fullmatch(value):
        raise ValidationError(
            _("A registration number is T and 13 digits, e.g. T1234567890123."),
            code="invalid",
        )
    if not cn.is_valid(value[1:]):
        raise ValidationError(
            _("%(value)s is not a registration number: its check digit does not match."),
            code="check_digit",
            params={"value": value},
        )
