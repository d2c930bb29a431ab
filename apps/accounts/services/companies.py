"""Finding one's companies from the public site: an email with a sign-in link to each."""

from collections.abc import Callable

from django.core.mail import send_mail
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from apps.accounts.errors import LoginThrottledError
from apps.accounts.models import User
from apps.accounts.selectors import memberships_of_user
from apps.core.ratelimit import Counter, digest, hit
from apps.tenants.models import Tenant

WINDOW_SECONDS = 3600
# Emails a window to one address (an inbox is not flooded) and requests from one network.
PER_EMAIL = 3
PER_ADDRESS = 20
NETWORK = 0  # the counter of the network, before the email's


def companies_email_links(
    *, email: str, ip: str, login_url: Callable[[Tenant], str], signup_url: str
) -> None:
    """Email `email` a sign-in link (`login_url(tenant)`) to each open company its account
    belongs to, or the signup page if none.

    The caller answers the same whatever happens here: nothing is sent for an email
    without an account, nor past PER_EMAIL a window (counted whether or not the account
    exists). Only a network over PER_ADDRESS requests is refused (429).
    """
    email = email.strip().lower()
    hits = hit(
        Counter.window(
            f"kura:find-company:address:{digest(ip)}", limit=PER_ADDRESS, seconds=WINDOW_SECONDS
        ),
        Counter.window(
            f"kura:find-company:email:{digest(email)}", limit=PER_EMAIL, seconds=WINDOW_SECONDS
        ),
    )
    if hits.over == NETWORK:
        minutes = hits.retry_after_minutes
        raise LoginThrottledError(
            ngettext(
                "Too many requests from your network. Try again in %(minutes)d minute.",
                "Too many requests from your network. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes},
            retry_after=hits.retry_after,
        )
    user = User.objects.filter(email=email, is_active=True).first()
    if not hits.allowed or user is None:
        return
    lines = [f"- {m.tenant.name}: {login_url(m.tenant)}" for m in memberships_of_user(user=user)]
    if lines:
        body = _("Your Kura account belongs to these companies. Sign in to each here:")
        body += "\n\n" + "\n".join(lines)
    else:
        body = _(
            "Your Kura account does not belong to any company at the moment. To start one: %(link)s"
        ) % {"link": signup_url}
    body += "\n\n" + _("If you did not ask for this, you can ignore this email.")
    transaction.on_commit(
        lambda: send_mail(
            subject=_("Your companies on Kura"),
            message=body,
            from_email=None,
            recipient_list=[user.email],
        )
    )
