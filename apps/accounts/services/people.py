"""Writes on people: their global account."""

import zoneinfo

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.accounts.errors import InvalidCredentialsError
from apps.accounts.models import User
from apps.accounts.services.signin import auth_check_password


def user_create(
    *, email: str, password: str, full_name: str = "", language: str = "", validate: bool = True
) -> User:
    """Create a person's global account. Password rules apply unless `validate` is off
    (demo data, imports). `language`: the one they signed up in, kept for every host."""
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": _("An account with this email address already exists.")})
    if validate:
        try:
            validate_password(password, User(email=email, full_name=full_name))
        except ValidationError as exc:
            raise ValidationError({"password": exc.messages}) from exc
    return User.objects.create_user(
        email=email, password=password, full_name=full_name, language=language
    )


def operator_create(*, email: str, password: str, full_name: str = "") -> User:
    """An operator: signs in to the operators' admin (/admin/), in no company."""
    return User.objects.create_superuser(email, password, full_name=full_name)


def signup_owner(
    *, email: str, password: str, full_name: str, ip: str, unlock_url: str | None = None
) -> tuple[User, bool]:
    """Who owns a company being signed up for: a new account for `email` (True), or the
    existing one that `password` proves (False); ValidationError on `password` otherwise.

    Whether `email` has an account shows neither in the refusal nor in the work done. A
    password that breaks the rules is refused with the rules, account or not, unless it
    is the account's own (rules change; an account keeps its password); every refusal
    goes through the one password check, whose hash, counting and locks are the same for
    an email without an account. Only a good password for an unknown email makes one.
    """
    email = email.strip().lower()
    try:
        validate_password(password, User(email=email, full_name=full_name))
        broken: list[str] = []
    except ValidationError as exc:
        broken = list(exc.messages)
    if not broken and not User.objects.filter(email=email).exists():
        # The rules were just checked, against the same unsaved account.
        user = user_create(email=email, password=password, full_name=full_name, validate=False)
        return user, True
    try:
        user = auth_check_password(email=email, password=password, ip=ip, unlock_url=unlock_url)
    except InvalidCredentialsError as exc:
        if broken:
            hint = _("If this email address already has a Kura account, enter its password.")
            raise ValidationError({"password": [*broken, hint]}) from exc
        raise ValidationError({"password": [str(exc.message)]}) from exc
    return user, False


def user_profile_update(*, user: User, full_name: str, time_zone: str, language: str) -> User:
    """A person's own name, time zone (reminder times are read and shown in it) and
    language (empty: the browser's)."""
    if time_zone not in zoneinfo.available_timezones():
        raise ValidationError({"time_zone": [_("Choose a time zone from the list.")]})
    user.full_name = full_name.strip()
    user.time_zone = time_zone
    user.language = language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "time_zone", "language"])
    return user


def user_language_set(*, user: User, language: str) -> User:
    """The language a signed-in person switched to: their pages follow it on every host."""
    if language not in User.Language.values:
        raise ValidationError({"language": [_("Choose Japanese or English.")]})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
