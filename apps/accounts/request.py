"""The request as Kura's middlewares leave it on a company's host: typed, so pages read who
is signed in without ignoring the attributes' types."""

from django.contrib.auth.models import AnonymousUser

from apps.accounts.models import Membership, User
from apps.accounts.principal import Principal
from apps.tenants.request import TenantRequest


class MemberRequest(TenantRequest):
    """A request after apps.accounts.middleware.MembershipMiddleware: on a company's host,
    `membership` is the signed-in person's membership there and `principal` the same person
    as the policies see them; both None for nobody signed in, and on the public site. Only
    an annotation: Django makes the request, the middlewares set the attributes."""

    user: User | AnonymousUser
    membership: Membership | None
    principal: Principal | None
