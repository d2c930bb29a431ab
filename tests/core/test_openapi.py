"""The OpenAPI schema generates without a warning and validates (drf-spectacular)."""

import yaml
from django.core.management import call_command


def test_schema_is_valid_and_warning_free(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    operations = {op["operationId"] for item in schema["paths"].values() for op in item.values()}
    assert {
        "auth_login",
        "auth_refresh",
        "auth_logout",
        "profile",
        "reminders_create",
    } <= operations
    assert set(schema["components"]["securitySchemes"]) == {"bearer", "apiKey", "session"}
