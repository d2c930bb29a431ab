"""Writes on people: their global account."""

import zoneinfo

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.accounts.models import User


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
