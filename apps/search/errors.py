"""Refusals of search, each with the status and code the API answers."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import ServiceError


class SearchUnavailableError(ServiceError):
    """Elasticsearch did not answer (or answered with an error of its own)."""

    status_code = 503
    code = "search_unavailable"
    default_message = _("Search is unavailable for a moment; try again shortly.")
