"""A company's API keys."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.accounts import selectors, services
from apps.accounts.decorators import member_required, recent_auth_required
from apps.accounts.errors import EmailUnverifiedError
from apps.accounts.forms import ApiKeyForm
from apps.accounts.principal import Principal
from apps.accounts.request import MemberRequest
from apps.accounts.views.common import NEW_API_KEY


@member_required(manage=True)
@recent_auth_required(unsafe_only=True)
def api_keys_view(request: MemberRequest, principal: Principal) -> HttpResponse:
    """The company's keys, and a new one. The new key's secret is shown on the page the
    creation redirects to, once (kept in the session until then): a reload creates nothing."""
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            key, secret = services.api_key_create(
                tenant=request.tenant, actor=principal, **form.cleaned_data
            )
        except EmailUnverifiedError as exc:
            form.add_error(None, exc.message)
        else:
            request.session[NEW_API_KEY] = {"id": key.pk, "secret": secret}
            return redirect("api-keys")
    new_key = request.session.pop(NEW_API_KEY, None)
    keys = list(selectors.api_key_list(actor=principal))
    return render(
        request,
        "accounts/api_keys.html",
        {
            "keys": keys,
            "form": form,
            "new_key": new_key,
            "new_key_name": next((k.name for k in keys if new_key and k.pk == new_key["id"]), ""),
        },
    )


@member_required(manage=True)
def api_key_revoke_view(request: MemberRequest, principal: Principal, key_id: int) -> HttpResponse:
    """Revoking a key, after saying what it does."""
    key = selectors.api_key_get(actor=principal, key_id=key_id)
    if request.method == "POST":
        services.api_key_revoke(api_key=key, actor=principal)
        messages.success(
            request,
            _("The key “%(name)s” (%(prefix)s…) is revoked: calls with it are refused.")
            % {"name": key.name, "prefix": key.prefix},
        )
        return redirect("api-keys")
    return render(request, "accounts/api_key_revoke.html", {"key": key})
