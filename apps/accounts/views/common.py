"""What the account pages share: safe redirects, how a person is named."""

from django.http import HttpRequest
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

from apps.accounts.models import User

NEW_API_KEY = "kura_new_api_key"


def safe_next(request: HttpRequest, default: str = "/") -> str:
    """`?next=` only when it is a path on this host: never a redirect to another site."""
    target = request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


def page_language() -> str:
    """The language this page is in, as a person's saved language ("" if it is none)."""
    language = translation.get_language() or ""
    return language if language in User.Language.values else ""


def person_label(user: User) -> str:
    """How pages name a person in a sentence: their name and email, or the email."""
    return f"{user.full_name} ({user.email})" if user.full_name else user.email
