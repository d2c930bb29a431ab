"""Identity services in-process: password hashing, invitation expiry."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import override_settings
from django.utils import timezone, translation

from apps.accounts.errors import InvitationInvalidError
from apps.accounts.models import Invitation, RefreshToken, User
from apps.accounts.principal import Principal
from apps.accounts.services import (
    auth_check_credentials,
    auth_token_issue,
    invitation_accept,
    invitation_create,
    refresh_tokens_prune,
)
from config.settings import auth as auth_settings
from tests.api import PASSWORD

pytestmark = pytest.mark.django_db


def test_argon2_hashes_new_passwords_and_bcrypt_imports_sign_in(tenant, member):
    with override_settings(PASSWORD_HASHERS=auth_settings.PASSWORD_HASHERS):
        assert make_password("x").startswith("argon2")
        imported = make_password(PASSWORD, hasher="bcrypt_sha256")
        User.objects.filter(pk=member.user_id).update(password=imported)
        assert (
            auth_check_credentials(
                email=member.user.email, password=PASSWORD, tenant=tenant, ip="192.0.2.9"
            )
            == member
        )
        # Re-hashed with Argon2 on the way in.
        assert User.objects.get(pk=member.user_id).password.startswith("argon2")


def test_an_expired_invitation_cannot_be_accepted(
    tenant, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            tenant=tenant,
            email="late@example.com",
            role="member",
            actor=Principal.of_membership(owner),
            accept_url="http://x/invitations/",
        )
    token = re.search(r"/invitations/(\S+)", mail.outbox[-1].body).group(1)
    Invitation.objects.filter(email="late@example.com").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with translation.override("en"), pytest.raises(InvitationInvalidError, match="expired"):
        invitation_accept(raw_token=token, tenant=tenant, password="x" * 12, ip="192.0.2.1")
    assert not User.objects.filter(email="late@example.com").exists()


def test_expired_refresh_token_records_are_pruned(tenant, member):
    auth_token_issue(membership=member)
    auth_token_issue(membership=member)
    RefreshToken.objects.filter(pk=RefreshToken.objects.first().pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert refresh_tokens_prune() == 1
    assert RefreshToken.objects.count() == 1
