"""Writes on accounts."""

from django.contrib.auth.password_validation import validate_password

from apps.accounts.models import User


def user_create(*, email: str, password: str, full_name: str = "", validate: bool = True) -> User:
    """Create a person's global account. Password rules apply unless `validate` is off
    (demo data, imports)."""
    if validate:
        validate_password(password, User(email=email, full_name=full_name))
    return User.objects.create_user(email=email, password=password, full_name=full_name)
