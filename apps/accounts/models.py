from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """One global account per person (public schema); email is the login."""

    class Language(models.TextChoices):
        JA = "ja", _("Japanese")
        EN = "en", _("English")

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("operator"), default=False, help_text=_("May sign in to the operators' admin.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Asia/Tokyo",
        help_text=_("IANA name, e.g. Asia/Tokyo."),
    )
    # Pages follow it on every company's host; empty: the browser's (or the cookie's) choice.
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=Language.choices,
        blank=True,
        help_text=_("Empty: the language of the browser."),
    )
    # When the person proved the address is theirs (the emailed link, or accepting an emailed
    # invitation); empty until then (apps/accounts/policies.py: email_verification_overdue).
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email


class Membership(models.Model):
    """A person's place in one tenant, with the role that decides what they may do."""

    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")
        MEMBER = "member", _("Member")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("tenant"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    suspended_until = models.DateTimeField(_("suspended until"), null=True, blank=True)
    # Bumped whenever what a token says about this membership stops being true (suspension,
    # removal of access): every token carrying an older version is refused at once.
    token_version = models.PositiveIntegerField(_("token version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant"], name="membership_unique_user_tenant")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant} ({self.role})"

    def is_suspended(self, *, now: datetime | None = None) -> bool:
        return self.suspended_until is not None and self.suspended_until > (now or timezone.now())


class Invitation(models.Model):
    """An emailed link that makes its bearer a member of a tenant once accepted."""

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("tenant"),
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=16, choices=Membership.Role.choices)
    # Only a hash is stored: the database alone is not enough to accept an invitation.
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} → {self.tenant}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class RefreshToken(models.Model):
    """One issued refresh token. Tokens descended from one sign-in share a family; presenting
    a retired token again revokes the whole family (it has been stolen or replayed).
    `revoked_at` is the lasting record of a revoked sign-in (apps/accounts/revocations.py)."""

    jti = models.CharField(_("token id"), max_length=64, unique=True)
    family = models.UUIDField(_("family"), db_index=True)
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("membership")
    )
    expires_at = models.DateTimeField(_("expires at"))
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Where the sign-in (or the refresh that issued this token) came from, for the person's
    # list of their sign-ins.
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True, default="")
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["expires_at"]),
            # The sign-ins revoked lately, to rebuild Redis' deny entries from (few rows).
            models.Index(
                fields=["revoked_at"],
                name="refreshtoken_revoked_at",
                condition=models.Q(revoked_at__isnull=False),
            ),
        ]
        verbose_name = _("refresh token")
        verbose_name_plural = _("refresh tokens")

    def __str__(self) -> str:
        return f"refresh {self.jti} (family {self.family})"


class ApiKey(models.Model):
    """A tenant's service account for integrations: `Authorization: Api-Key <prefix>.<secret>`."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    tenant = models.ForeignKey(
        "tenants.Tenant",
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("tenant"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices, default=Scope.READ)
    created_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def can_write(self) -> bool:
        return self.scope == self.Scope.WRITE


class ExternalIdentity(models.Model):
    """A person's account at an OpenID provider, linked to theirs. Once linked, the provider's
    `(iss, sub)` names the account for good, whatever email the provider shows later."""

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="external_identities",
        verbose_name=_("user"),
    )
    issuer = models.URLField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="external_identity_unique_issuer_subject"
            ),
            # One link per provider: another subject with this person's email is someone else.
            models.UniqueConstraint(
                fields=["user", "issuer"], name="external_identity_unique_user_issuer"
            ),
        ]
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")

    def __str__(self) -> str:
        return f"{self.user} ← {self.issuer} {self.subject}"
