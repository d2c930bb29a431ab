"""Hooks into code Kura does not own: Django's sign-in (every web sign-in — password, second
step, OpenID Connect, the hand-off between companies, the operators' admin — ends in
`login()`) and the admin's own change log (every operator's add, change and delete, in any
ModelAdmin). Kura's own services call `audit_record` directly."""

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name

from apps.audit.services import audit_record
from apps.tenants.models import Tenant
from apps.tenants.selectors import tenant_get

ADMIN_ACTIONS = {ADDITION: "admin.added", CHANGE: "admin.changed", DELETION: "admin.deleted"}


def _company_of(request: HttpRequest | None) -> Tenant | None:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return None
    return tenant


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def _signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    backend = getattr(user, "backend", "") or ""
    audit_record(
        action="auth.signed_in",
        tenant=_company_of(request),
        actor=user,
        data={"via": "web", "method": "oidc" if "oidc" in backend.lower() else "password"},
    )


@receiver(user_logged_out, dispatch_uid="audit_signed_out")
def _signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(
            action="auth.signed_out", tenant=_company_of(request), actor=user, data={"via": "web"}
        )


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """Django's authenticate() failing: the operators' admin login form."""
    audit_record(
        action="auth.sign_in_failed",
        tenant=_company_of(request),
        data={"email": str(credentials.get("username") or credentials.get("email") or "")},
    )


def _tenant_of_object(entry: LogEntry) -> Tenant | None:
    """The company an operator's change concerns: the company itself, or the owner of a
    row keyed by tenant; None for everything else (plans, people, operators)."""
    model = entry.content_type.model_class() if entry.content_type is not None else None
    if model is None or entry.object_id is None:
        return None
    if issubclass(model, Tenant):
        return tenant_get(tenant_id=int(entry.object_id))
    if not any(field.name == "tenant" for field in model._meta.get_fields()):  # noqa: SLF001
        return None
    tenant_id = (
        model._default_manager.filter(pk=entry.object_id)  # noqa: SLF001
        .values_list("tenant_id", flat=True)
        .first()
    )
    return tenant_get(tenant_id=tenant_id) if tenant_id else None


@receiver(post_save, sender=LogEntry, dispatch_uid="audit_admin_action")
def _admin_action(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    audit_record(
        action=ADMIN_ACTIONS.get(instance.action_flag, "admin.changed"),
        tenant=_tenant_of_object(instance),
        actor=instance.user,
        target=f"{instance.content_type.app_label}.{instance.content_type.model} "
        f"{instance.object_id}: {instance.object_repr}"
        if instance.content_type is not None
        else instance.object_repr,
        data={"change": instance.get_change_message()} if instance.change_message else {},
    )
