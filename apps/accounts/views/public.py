"""The public site: signup and finding one's companies."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from apps.accounts import selectors, services
from apps.accounts.forms import (
    FindCompanyForm,
    SignupForm,
    slug_refusal,
)
from apps.accounts.views.common import page_language
from apps.core.clients import client_ip
from apps.core.errors import ServiceError, form_errors_from
from apps.core.hosts import here_url, host_url


def signup_view(request: HttpRequest) -> HttpResponse:
    """Public site: a new company and its owner, signed in on the company's host in the
    language they signed up in."""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tenant = services.company_signup(
                **form.cleaned_data,
                ip=client_ip(request),
                unlock_url=here_url(request, "/unlock"),
                verify_url=lambda tenant: host_url("/verify-email", slug=tenant.slug),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and {"slug", "schema_name"} & exc.error_dict.keys():
                # Taken between the form's check and the insert.
                form.add_error("slug", _("This address is already taken. Please choose another."))
            else:
                form_errors_from(form, exc)
        else:
            owner = selectors.owner_of(tenant=tenant)
            if page_language():
                services.user_language_set(user=owner, language=page_language())
            token = services.handoff_issue(user=owner, tenant=tenant)
            return HttpResponseRedirect(host_url(f"/handoff?token={token}", slug=tenant.slug))
    return render(
        request,
        "accounts/signup.html",
        {"form": form, **_address_note(form["slug"].value() or "", refusal=_slug_error(form))},
    )


def _slug_error(form: SignupForm) -> str | None:
    errors = form.errors.get("slug") if form.is_bound else None
    return " ".join(str(error) for error in errors) if errors else None


def _address_note(slug: str, *, refusal: str | None = None) -> dict[str, str | None]:
    """What is said under the address field: its problem, or the host it will be."""
    slug = slug.strip().lower()
    if slug and refusal is None:
        refusal = slug_refusal(slug)
    return {
        "address_problem": refusal,
        "address_host": f"{slug}.{settings.BASE_DOMAIN}" if slug and not refusal else "",
        "base_domain": settings.BASE_DOMAIN,
    }


@require_GET
def signup_address_view(request: HttpRequest) -> HttpResponse:
    """The note under the address field as it is typed (htmx): `<slug>.<domain>` and whether
    it is free."""
    return render(
        request, "accounts/signup_address.html", _address_note(request.GET.get("slug", ""))
    )


def find_company_view(request: HttpRequest) -> HttpResponse:
    """Public site: "which companies am I in?" The answer is the same whether or not the
    email has an account; the links go by email."""
    form = FindCompanyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.companies_email_links(
                email=form.cleaned_data["email"],
                ip=client_ip(request),
                login_url=lambda tenant: host_url(settings.LOGIN_URL, slug=tenant.slug),
                signup_url=host_url("/signup"),
            )
        except ServiceError as exc:
            form.add_error(None, exc.message)
            return render(request, "accounts/find_company.html", {"form": form}, status=429)
        messages.success(
            request,
            _(
                "If %(email)s belongs to a Kura account, we have emailed it a sign-in link to "
                "each of its companies. It can take a few minutes to arrive."
            )
            % {"email": form.cleaned_data["email"]},
        )
        return redirect("find-company")
    return render(request, "accounts/find_company.html", {"form": form})
