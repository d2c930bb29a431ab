"""Usage tests reuse the search tests' index of this run and their shop (products made
through the catalog's services and indexed as the drain would)."""

import pytest

from apps.usage.models import RequestBatch, UsageDay
from tests.search.conftest import es, index, session_index, shop  # noqa: F401


@pytest.fixture(autouse=True)
def _no_usage_rows_before(django_db_blocker) -> None:  # type: ignore[no-untyped-def]
    """Each test starts from no usage rows: what a web process of the browser tests or an
    earlier run left is deleted (the tests count rows exactly)."""
    with django_db_blocker.unblock():
        UsageDay.objects.all().delete()
        RequestBatch.objects.all().delete()
