"""Django REST framework and the OpenAPI schema."""

from config.settings.environment import env

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "apps.core.openapi.KuraAutoSchema",
    "EXCEPTION_HANDLER": "apps.core.exceptions.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON read within the view's body limit and nesting depth (never a RecursionError).
    "DEFAULT_PARSER_CLASSES": ["apps.core.parsers.JSONParser"],
    # Tokens first: integrators; the session serves the tenant's own web pages.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.accounts.authentication.TenantJWTAuthentication",
        "apps.accounts.authentication.ApiKeyAuthentication",
        "apps.accounts.authentication.TenantSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.accounts.permissions.IsTenantPrincipal"],
    "DEFAULT_THROTTLE_CLASSES": ["apps.accounts.throttles.PlanRateThrottle"],
    # Proxies in front of Kura whose X-Forwarded-For entries are trusted (0: none, so the
    # header cannot be used to dodge rate limits; 1 behind one load balancer).
    "NUM_PROXIES": env.int("KURA_NUM_PROXIES", default=0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Kura API",
    "DESCRIPTION": (
        # In backticks: Swagger UI reads Markdown, and would take a bare <slug> for HTML.
        "Per-tenant API of Kura. Call it on your company's host, `<slug>.<base domain>`. "
        "Every error has one shape: `Error`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # A PATCH body is what its serializer requires: Kura's views are APIViews, which validate
    # a PATCH with the serializer as built (partial only where it says so), not generic views.
    "COMPONENT_SPLIT_PATCH": False,
    # Posts and orders both have a `state`; each its own enum.
    "ENUM_NAME_OVERRIDES": {"OrderStateEnum": "apps.orders.models.Order.State"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.core.openapi.add_error_responses",
    ],
}
