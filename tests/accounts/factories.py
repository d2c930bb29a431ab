"""Accounts' rows for tests: people and their memberships, and the rows a test needs as
they are stored (invitations, API keys, refresh tokens, links to another sign-in provider,
authenticator devices) where the service that makes them is not what the test is about."""

import uuid
from datetime import timedelta

import factory
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.accounts.models import (
    ApiKey,
    ExternalIdentity,
    Invitation,
    Membership,
    RefreshToken,
    User,
)


def in_a_day():  # type: ignore[no-untyped-def]
    return timezone.now() + timedelta(days=1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name", locale="ja_JP")
    # An account as most are: its address verified (signup's unverified ones say so).
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    """An invitation as stored: the emailed token is not kept, only a hash of it."""

    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invited{n}@example.com")
    role = Membership.Role.MEMBER
    token_hash = factory.LazyFunction(lambda: uuid.uuid4().hex)
    expires_at = factory.LazyFunction(in_a_day)


class ApiKeyFactory(factory.django.DjangoModelFactory):
    """A key's row; its secret is unknown (api_key_create makes keys that sign in)."""

    class Meta:
        model = ApiKey

    name = "K"
    prefix = factory.LazyFunction(lambda: uuid.uuid4().hex[:12])
    key_hash = "x"


class RefreshTokenFactory(factory.django.DjangoModelFactory):
    """A refresh token's row, of a family of its own (auth_token_issue makes real ones)."""

    class Meta:
        model = RefreshToken

    jti = factory.LazyFunction(lambda: uuid.uuid4().hex)
    family = factory.LazyFunction(uuid.uuid4)
    expires_at = factory.LazyFunction(in_a_day)


class ExternalIdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExternalIdentity

    subject = factory.Sequence(lambda n: f"subject-{n}")


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed authenticator app, its key drawn by django-otp."""

    class Meta:
        model = TOTPDevice

    name = "authenticator"
    confirmed = True
