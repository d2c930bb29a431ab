from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.postgresql_backend.base import _check_schema_name

# Slugs become host names (<slug>.<BASE_DOMAIN>) and, prefixed, schema names.
GIB = 1024**3
# The largest object S3's CopyObject takes in one call: uploads are promoted out of the
# quarantine prefix with it (apps.files).
MAX_FILE_BYTES_LIMIT = 5 * GIB
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$"
RESERVED_SLUGS = frozenset(
    {"www", "admin", "api", "app", "static", "media", "mail", "public", "status", "docs", "help"}
)


class Plan(models.Model):  # type: ignore[django-manager-missing]
    """What a tenant's subscription allows: API request rates (per minute, or per
    THROTTLE_WINDOW_SECONDS where that is changed), the largest file and the storage."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    # Requests a minute for one person or API key, and for the whole tenant together.
    requests_per_minute = models.PositiveIntegerField(_("requests a minute per user"), default=120)
    tenant_requests_per_minute = models.PositiveIntegerField(
        _("requests a minute per tenant"), default=600
    )
    max_file_bytes = models.PositiveBigIntegerField(
        _("largest file (bytes)"),
        default=5 * GIB,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_FILE_BYTES_LIMIT)],
    )
    # Files stored and files still uploading count against it.
    storage_quota_bytes = models.PositiveBigIntegerField(
        _("storage quota (bytes)"), default=10 * GIB
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.name


# Tenants without a plan get these limits.
DEFAULT_PLAN = Plan(name="default")


class Tenant(TenantMixin):
    """A company. Its data lives in its own PostgreSQL schema, `t_<slug>`."""

    # TenantMixin's, as it is, with a name operators read in their language.
    schema_name = models.CharField(
        _("schema name"),
        max_length=63,
        unique=True,
        db_index=True,
        validators=[_check_schema_name],
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.CharField(
        _("slug"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(SLUG_PATTERN, _("Use lowercase letters, digits and hyphens."))],
        help_text=_("The company's sub-domain."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    plan = models.ForeignKey(
        Plan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tenants",
        verbose_name=_("plan"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Set when an owner deletes the company: it is deactivated at once and its data dropped
    # COMPANY_DELETE_DAYS later, unless operators restore it (apps.accounts.services.deletion).
    deleted_at = models.DateTimeField(
        _("deleted at"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("An owner deleted the company; its data is dropped later unless restored."),
    )
    # The owner's choice: every member signs in with two-factor (apps.accounts.policies).
    two_factor_required = models.BooleanField(_("two-factor required"), default=False)

    # Schemas are created by apps.tenants.services.tenant_create, never by save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def schema_name_for(slug: str) -> str:
        return "t_" + slug.replace("-", "_")


class Domain(DomainMixin):
    """A host name that routes to a tenant."""

    # DomainMixin's, as they are, with names operators read in their language.
    domain = models.CharField(_("domain"), max_length=253, unique=True, db_index=True)
    tenant = models.ForeignKey(
        "tenants.Tenant",
        db_index=True,
        related_name="domains",
        on_delete=models.CASCADE,
        verbose_name=_("tenant"),
    )
    is_primary = models.BooleanField(_("primary"), default=True, db_index=True)

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return self.domain
