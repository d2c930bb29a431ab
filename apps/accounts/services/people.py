"""Writes on people: their global account."""

import zoneinfo

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from apps.accounts.models import User


def user_create(*, email: str, password: str, full_name: str = "", validate: bool = True) -> User:
    """Create a person's global account. Password rules apply unless `validate` is off
    (demo data, imports)."""
    email = email.strip().lower()
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": _("An account with this email address already exists.")})
    if validate:
        validate_password(password, User(email=email, full_name=full_name))
    return User.objects.create_user(email=email, password=password, full_name=full_name)


def user_profile_update(*, user: User, full_name: str, time_zone: str) -> User:
    """A person's own name and time zone (reminder times are read and shown in it)."""
    if time_zone not in zoneinfo.available_timezones():
        raise ValidationError({"time_zone": [_("Choose a time zone from the list.")]})
    user.full_name = full_name.strip()
    user.time_zone = time_zone
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "time_zone"])
    return user
