"""Roles and API key scopes, through the permission classes the feature apps use."""

import pytest

from apps.accounts.principal import Principal
from apps.accounts.services import api_key_create, api_key_revoke
from apps.core.errors import NotAllowedError
from tests.accounts.factories import MembershipFactory
from tests.api import api_client, bearer, login

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.probe_urls")]


def keyed(tenant, raw: str):
    client = api_client(tenant)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


def test_anonymous_is_401(tenant):
    response = api_client(tenant).get("/api/probe")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize(
    ("role", "read", "write", "admin"),
    [
        ("owner", 200, 201, 200),
        ("admin", 200, 201, 200),
        ("member", 200, 201, 403),
        ("viewer", 200, 403, 403),
    ],
)
def test_roles(tenant, role, read, write, admin):
    membership = MembershipFactory(tenant=tenant, role=role)
    client = bearer(tenant, login(tenant, membership)["access_token"])
    assert client.get("/api/probe").status_code == read
    assert client.post("/api/probe").status_code == write
    assert client.get("/api/probe/admin").status_code == admin


def test_viewer_write_is_refused_in_the_error_shape(tenant, viewer):
    response = bearer(tenant, login(tenant, viewer)["access_token"]).post("/api/probe")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["message"] == "Your role in this company may only read."


def test_authors_change_their_own_objects_admins_any(tenant, member, owner):
    author = bearer(tenant, login(tenant, member)["access_token"])
    assert author.patch(f"/api/probe/authored/{member.user_id}").status_code == 200
    assert author.patch(f"/api/probe/authored/{owner.user_id}").status_code == 403
    admin = bearer(tenant, login(tenant, owner)["access_token"])
    assert admin.patch(f"/api/probe/authored/{member.user_id}").status_code == 200


def test_read_key_reads_but_cannot_write(tenant, owner):
    _key, raw = api_key_create(
        tenant=tenant, name="BI export", scope="read", actor=Principal.of_membership(owner)
    )
    client = keyed(tenant, raw)
    assert client.get("/api/probe").status_code == 200
    response = client.post("/api/probe")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_write_key_writes_and_records_its_use(tenant, owner):
    key, raw = api_key_create(
        tenant=tenant, name="Shop sync", scope="write", actor=Principal.of_membership(owner)
    )
    assert keyed(tenant, raw).post("/api/probe").status_code == 201
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert key.key_hash not in raw


def test_revoked_key_is_401(tenant, owner):
    key, raw = api_key_create(
        tenant=tenant, name="Old", scope="write", actor=Principal.of_membership(owner)
    )
    api_key_revoke(api_key=key, actor=Principal.of_membership(owner))
    response = keyed(tenant, raw).get("/api/probe")
    assert response.status_code == 401
    assert response.json()["code"] == "api_key_revoked"


def test_wrong_secret_is_401(tenant, owner):
    _key, raw = api_key_create(
        tenant=tenant, name="K", scope="read", actor=Principal.of_membership(owner)
    )
    prefix = raw.split(".")[0]
    response = keyed(tenant, f"{prefix}.not-the-secret").get("/api/probe")
    assert response.status_code == 401
    assert response.json()["code"] == "api_key_invalid"


def test_key_of_another_tenant_does_not_exist_there(tenant, other_tenant, owner):
    """Row-level security hides the other tenant's key from the lookup itself."""
    _key, raw = api_key_create(
        tenant=tenant, name="K", scope="read", actor=Principal.of_membership(owner)
    )
    response = keyed(other_tenant, raw).get("/api/probe")
    assert response.status_code == 401
    assert response.json()["code"] == "api_key_invalid"


def test_only_admins_create_keys(tenant, member):
    with pytest.raises(NotAllowedError):
        api_key_create(tenant=tenant, name="K", scope="read", actor=Principal.of_membership(member))
