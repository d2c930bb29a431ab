"""Identity services in-process: password hashing, invitation expiry, lock and unlock."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import override_settings
from django.utils import timezone, translation

from apps.accounts.exceptions import AccountLockedError, InvitationInvalidError
from apps.accounts.models import Invitation, User
from apps.accounts.services import (
    account_unlock,
    auth_check_credentials,
    invitation_accept,
    invitation_create,
)
from apps.jobs.models import Job
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
            actor=owner,
            accept_url="http://x/invitations/",
        )
    token = re.search(r"/invitations/(\S+)", mail.outbox[-1].body).group(1)
    Invitation.objects.filter(email="late@example.com").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with translation.override("en"), pytest.raises(InvitationInvalidError, match="expired"):
        invitation_accept(raw_token=token, tenant=tenant, password="x" * 12)
    assert not User.objects.filter(email="late@example.com").exists()


def test_a_lock_schedules_its_own_unlock_which_emails_the_person(
    tenant, member, settings, django_capture_on_commit_callbacks
):
    settings.LOGIN_FAILURE_LIMIT = 2
    for _ in range(2):
        with pytest.raises(Exception):  # noqa: B017, PT011 - invalid, then locked
            auth_check_credentials(email=member.user.email, password="no", tenant=tenant, ip="x")
    user = User.objects.get(pk=member.user_id)
    job = Job.objects.get(kind="account.unlock", payload__user_id=user.pk)
    assert job.run_at == user.locked_until
    with pytest.raises(AccountLockedError):
        auth_check_credentials(email=user.email, password=PASSWORD, tenant=tenant, ip="x")

    account_unlock(user_id=user.pk)  # too early: the lock stands
    assert User.objects.get(pk=user.pk).locked_until is not None
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        account_unlock(user_id=user.pk)
    assert User.objects.get(pk=user.pk).locked_until is None
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_expired_refresh_token_records_are_pruned(tenant, member):
    from apps.accounts.models import RefreshToken
    from apps.accounts.services import auth_token_issue, refresh_tokens_prune

    auth_token_issue(membership=member)
    auth_token_issue(membership=member)
    RefreshToken.objects.filter(pk=RefreshToken.objects.first().pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert refresh_tokens_prune() == 1
    assert RefreshToken.objects.count() == 1
