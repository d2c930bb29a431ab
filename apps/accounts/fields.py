from typing import Any

from django.conf import settings
from django.db import models


def person_field(**kwargs: Any) -> models.ForeignKey:
    """A tenant model's link to a person (a global account in the public schema).

    No database constraint across schemas, and no cascade: Django would look for the tenant
    table from the public schema when a person is deleted.
    """
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        **kwargs,
    )
