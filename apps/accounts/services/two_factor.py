"""Two-factor sign-in: an authenticator app (TOTP, django-otp's otp_totp) and ten single-use
recovery codes (otp_static).

django-otp keeps the rules that matter: a TOTP code is accepted once (the device keeps the
time step of the last accepted code, `last_t`, and takes only later ones), failures slow
further tries down (ThrottlingMixin), and a recovery code is deleted as it is used. Every
check here locks the person's device rows, so two sign-ins racing with one code cannot both
pass.
"""

import math
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from time import time

import segno
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.models import Device, ThrottlingMixin, VerifyNotAllowed
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from apps.accounts.errors import (
    InvalidCredentialsError,
    OtpInvalidError,
    OtpRequiredError,
    OtpThrottledError,
    TwoFactorSetupRequiredError,
    TwoFactorStateError,
)
from apps.accounts.models import Membership, User
from apps.accounts.policies import (
    can_require_two_factor,
    membership_active,
    two_factor_setup_needed,
)
from apps.accounts.principal import Actor
from apps.accounts.services.signin import auth_check_password
from apps.audit.services import audit_record
from apps.core.errors import NotAllowedError
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_two_factor_required_set

RECOVERY_CODE_COUNT = 10
TOTP_DIGITS = 6
DEVICE_NAME = "authenticator"
RECOVERY_CODE_MAX_LENGTH = 16  # otp_static's StaticToken.token
MINUTE = 60


@dataclass(frozen=True)
class Enrolment:
    """A secret offered to a person until they confirm it with a code from their app."""

    user: User
    key: str  # hex, as django-otp stores it

    @property
    def uri(self) -> str:
        """The otpauth:// URI authenticator apps read from the QR code."""
        return str(TOTPDevice(user=self.user, key=self.key).config_url)

    @property
    def secret(self) -> str:
        """The same secret in base32, in groups of four, for typing it in by hand."""
        secret = b32encode(unhexlify(self.key.encode())).decode()
        return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))

    def qr_svg(self) -> str:
        """The QR code as inline SVG (no image file, nothing fetched from elsewhere)."""
        return str(
            segno.make(self.uri, error="m").svg_inline(
                scale=4, dark="#000", light="#fff", omitsize=True
            )
        )


def two_factor_enrolment_new(*, user: User) -> Enrolment:
    """A fresh secret for `user`; nothing is stored until two_factor_enable confirms it."""
    return Enrolment(user=user, key=random_hex(20))


def _normal(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _recovery_codes_replace(user: User) -> list[str]:
    """Ten new recovery codes; the earlier ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_enable(
    *, user: User, key: str, code: str, tenant: Tenant | None, ip: str
) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor on with the secret of `two_factor_enrolment_new`, once the person
    proves their app holds it with a current code; answers the device and the recovery
    codes, which are shown once."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one enrolment at a time
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise TwoFactorStateError(_("Two-factor sign-in is already on."))
    code = _normal(code)
    totp = TOTP(unhexlify(key.encode()), digits=TOTP_DIGITS)
    totp.time = time()
    if not (code.isdigit() and len(code) == TOTP_DIGITS and totp.verify(int(code), tolerance=1)):
        raise OtpInvalidError(
            _("That code does not match. Check the time on your phone and try the next code.")
        )
    TOTPDevice.objects.filter(user=user).delete()  # unconfirmed leftovers, if any
    device = TOTPDevice.objects.create(
        user=user,
        name=DEVICE_NAME,
        key=key,
        digits=TOTP_DIGITS,
        confirmed=True,
        last_t=totp.t(),  # the confirming code cannot sign in as well
        drift=totp.drift,
    )
    codes = _recovery_codes_replace(user)
    audit_record(action="two_factor.enabled", tenant=tenant, actor=user, ip=ip)
    return device, codes


def _refuse_if_throttled(device: ThrottlingMixin | None) -> None:
    """OtpThrottledError while django-otp's throttling refuses every code of `device`,
    saying how long it still does (its verify_is_allowed: the library keeps the count)."""
    if device is None:
        return
    allowed, data = device.verify_is_allowed()
    if allowed or not data or data.get("reason") != VerifyNotAllowed.N_FAILED_ATTEMPTS:
        return
    seconds = max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))
    if seconds < MINUTE:
        wait = ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    else:
        minutes = math.ceil(seconds / MINUTE)
        wait = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    raise OtpThrottledError(
        _("Too many wrong codes in a row. Wait %(wait)s, then try again.") % {"wait": wait},
        retry_after=seconds,
    )


def _device_matching(user: User, code: str, *, tenant: Tenant | None, ip: str) -> Device | None:
    """The device that accepts `code` (a TOTP code or a recovery code), used up; within the
    caller's transaction, with the person's devices locked. OtpThrottledError, without
    trying the code, while that device is throttled after wrong codes."""
    code = _normal(code)
    if code.isdigit() and len(code) == TOTP_DIGITS:
        totp = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        _refuse_if_throttled(totp)
        return totp if totp is not None and totp.verify_token(code) else None
    if not code or len(code) > RECOVERY_CODE_MAX_LENGTH:
        return None
    static = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    _refuse_if_throttled(static)
    if static is None or not static.verify_token(code):
        return None
    audit_record(
        action="two_factor.recovery_code_used",
        tenant=tenant,
        actor=user,
        ip=ip,
        data={"left": static.token_set.count()},
    )
    return static


def two_factor_verify(*, user: User, code: str, tenant: Tenant | None, ip: str) -> Device:
    """Check a second-step code of `user`: the device that accepted it, OtpInvalidError
    (wrong or already used) or OtpThrottledError (too many wrong codes just now: wait). A
    failure is kept (django-otp's throttling counts it) even though the caller sees an
    error."""
    with transaction.atomic():
        device = _device_matching(user, code, tenant=tenant, ip=ip)
    if device is None:
        audit_record(
            action="auth.sign_in_failed", tenant=tenant, actor=user, ip=ip, data={"reason": "otp"}
        )
        raise OtpInvalidError
    return device


def two_factor_sign_in_check(*, membership: Membership, code: str, ip: str) -> Device | None:
    """The second step of an API sign-in, after the password: the code of a person who
    uses two-factor, and the company's requirement for one who does not."""
    if TOTPDevice.objects.filter(user=membership.user, confirmed=True).exists():
        if not code.strip():
            raise OtpRequiredError
        return two_factor_verify(user=membership.user, code=code, tenant=membership.tenant, ip=ip)
    if two_factor_setup_needed(membership, has_device=False):
        raise TwoFactorSetupRequiredError
    return None


def two_factor_sign_in_finish(
    *, user_id: int, tenant: Tenant, code: str, ip: str
) -> tuple[Membership, Device]:
    """The second step of a web sign-in whose password (or identity provider) was accepted
    a few minutes ago: the membership must still open the company, then the code."""
    membership = (
        Membership.objects.select_related("user").filter(user_id=user_id, tenant=tenant).first()
    )
    if membership is not None:
        membership.tenant = tenant
    if not membership_active(membership):
        raise InvalidCredentialsError
    assert membership is not None  # noqa: S101 - membership_active(None) is False
    return membership, two_factor_verify(user=membership.user, code=code, tenant=tenant, ip=ip)


def two_factor_recovery_codes_regenerate(
    *, user: User, code: str, tenant: Tenant | None, ip: str
) -> list[str]:
    """Ten new recovery codes for a current code (a borrowed session alone cannot take the
    person's way back in); the earlier codes stop working."""
    with transaction.atomic():
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise TwoFactorStateError(_("Two-factor sign-in is off."))
        device = _device_matching(user, code, tenant=tenant, ip=ip)
        codes = _recovery_codes_replace(user) if device is not None else []
        if device is not None:
            audit_record(
                action="two_factor.recovery_codes_regenerated", tenant=tenant, actor=user, ip=ip
            )
    if device is None:
        raise OtpInvalidError
    return codes


def two_factor_disable(
    *, user: User, password: str, code: str, tenant: Tenant | None, ip: str
) -> None:
    """Turn two-factor off, with the password (the one password check and its limits) and
    a current code or a recovery code."""
    auth_check_password(email=user.email, password=password, ip=ip)
    with transaction.atomic():
        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise TwoFactorStateError(_("Two-factor sign-in is off."))
        device = _device_matching(user, code, tenant=tenant, ip=ip)
        if device is not None:
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            audit_record(action="two_factor.disabled", tenant=tenant, actor=user, ip=ip)
    if device is None:
        raise OtpInvalidError


def two_factor_device_of_session(*, user: User, persistent_id: str) -> Device | None:
    """The confirmed device of `user` a signed session names (django-otp's session key), so
    a sign-in carried to another host keeps its second step."""
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    return device


@transaction.atomic
def company_two_factor_required_set(
    *, tenant: Tenant, required: bool, actor: Actor, ip: str
) -> Tenant:
    """The owner's switch: every member of `tenant` signs in with two-factor, or not.

    Members without a device are sent to enrolment on their next page and their API
    sign-ins are refused until they enrol (apps.accounts.middleware, the login API).
    """
    if not can_require_two_factor(actor):
        raise NotAllowedError(_("Only owners decide whether two-factor is required."))
    if tenant_two_factor_required_set(tenant=tenant, required=required):
        audit_record(
            action="company.two_factor_required",
            tenant=tenant,
            principal=actor,
            ip=ip,
            data={"required": required},
        )
    return tenant
