"""The policies as truth tables (pure functions: no database). The system (a SystemActor: a
job, a command, an operator in the admin) has an owner's rights, acts for every person on
their own things, and is not a person; the callers' answers are those the access matrix
(tests/test_access_matrix.py) checks route by route."""

from datetime import timedelta

import pytest
from django.http import HttpRequest
from django.utils import timezone

from apps.accounts import policies
from apps.accounts.models import ApiKey, Membership, User
from apps.accounts.principal import Principal, SystemActor
from apps.catalog.policies import can_manage_catalog, can_see_catalog
from apps.files.models import File
from apps.files.policies import (
    can_continue_upload,
    can_delete_file,
    can_see_file,
    can_upload,
    is_uploader,
)
from apps.notifications.models import Notification
from apps.notifications.policies import can_see_notification
from apps.orders.models import Order
from apps.orders.policies import (
    can_cancel_order,
    can_manage_payments,
    can_order,
    can_pay_demo,
    can_see_all_orders,
    can_see_order,
    can_see_orders,
)
from apps.posts.models import Post
from apps.posts.policies import can_change_post, can_post, can_see_post
from apps.reminders.models import Reminder
from apps.reminders.policies import can_cancel_reminder, can_see_reminder, can_set_reminders
from apps.search.policies import can_manage_synonyms, can_search
from apps.tenants.models import Tenant
from apps.usage.policies import can_see_usage

TENANT = Tenant(pk=7, schema_name="t_policies", slug="policies", name="Policies")
SOMEONE = 99  # a person of the company other than the actor
ME = 1  # the acting person's user id
KEY = 5  # the acting key's id


def person(role: str, *, pk: int = 11, user_id: int = ME) -> Principal:
    user = User(pk=user_id, email=f"{user_id}@example.com", date_joined=timezone.now())
    return Principal.of_membership(Membership(pk=pk, user=user, tenant=TENANT, role=role))


def key(scope: str) -> Principal:
    return Principal.of_api_key(ApiKey(pk=KEY, tenant=TENANT, scope=scope, name="k", prefix="ab12"))


SYSTEM = SystemActor(tenant=TENANT, reason="tests")
CALLERS = {
    "owner": person("owner"),
    "admin": person("admin"),
    "member": person("member"),
    "viewer": person("viewer"),
    "read key": key("read"),
    "write key": key("write"),
    "nobody": None,
}


def draft(author_id: int) -> Post:
    return Post(state=Post.State.DRAFT, author_id=author_id)


def pending(buyer_id: int) -> Order:
    return Order(state=Order.State.PENDING_PAYMENT, buyer_id=buyer_id)


# What the system may do: everything an owner may, for everyone's things, except what
# needs a person (authoring a post, ordering, setting a reminder).
SYSTEM_TABLE = [
    (policies.is_system, (), True),
    (policies.can_read, (), True),
    (policies.can_write, (), True),
    (policies.can_manage_members, (), True),
    (policies.is_owner, (), True),
    (policies.is_person, (), False),
    (policies.is_own, (SOMEONE,), False),
    (policies.acts_for, (SOMEONE,), True),
    (policies.acts_for, (None,), True),
    (policies.can_change_authored, (SOMEONE,), True),
    (policies.can_manage_member, (Membership(pk=3, role="owner"),), True),
    (policies.can_read_audit, (), True),
    (policies.can_delete_company, (), True),
    (policies.can_require_two_factor, (), True),
    (policies.can_spread_access, (), True),
    (can_post, (), False),
    (can_see_post, (draft(SOMEONE),), True),
    (can_change_post, (draft(SOMEONE),), True),
    (can_change_post, (Post(state=Post.State.PUBLISHED, author_id=SOMEONE),), True),
    (can_set_reminders, (), False),
    (can_see_reminder, (Reminder(user_id=SOMEONE),), True),
    (can_cancel_reminder, (Reminder(user_id=SOMEONE),), True),
    (can_see_notification, (Notification(user_id=SOMEONE),), True),
    (can_order, (), False),
    (can_see_orders, (), True),
    (can_see_all_orders, (), True),
    (can_see_order, (pending(SOMEONE),), True),
    (can_cancel_order, (pending(SOMEONE),), True),
    (can_pay_demo, (pending(SOMEONE),), True),
    (can_pay_demo, (Order(state=Order.State.PAID, buyer_id=SOMEONE),), False),
    (can_manage_payments, (), True),
    (can_upload, (), True),
    (can_see_file, (File(uploader_id=SOMEONE),), True),
    (is_uploader, (File(uploader_id=SOMEONE),), True),
    (is_uploader, (File(uploader_id=None, api_key_id=KEY),), True),
    (can_continue_upload, (File(uploader_id=None, api_key_id=KEY),), True),
    (can_delete_file, (File(uploader_id=SOMEONE),), True),
    (can_see_catalog, (), True),
    (can_manage_catalog, (), True),
    (can_search, (), True),
    (can_manage_synonyms, (), True),
    (can_see_usage, (), True),
]


@pytest.mark.parametrize(
    ("policy", "args", "expected"),
    SYSTEM_TABLE,
    ids=[f"{policy.__name__}-{n}" for n, (policy, _args, _e) in enumerate(SYSTEM_TABLE)],
)
def test_what_the_system_may_do(policy, args, expected):
    assert policy(SYSTEM, *args) is expected


# Callers, in CALLERS' order: owner, admin, member, viewer, read key, write key, nobody.
CALLER_TABLE = [
    (policies.is_system, (), [False] * 7),
    (policies.is_owner, (), [True, False, False, False, False, False, False]),
    (policies.acts_for, (ME,), [True, True, True, True, False, False, False]),
    (policies.acts_for, (SOMEONE,), [False] * 7),
    (policies.can_read_audit, (), [True, False, False, False, False, False, False]),
    (policies.can_delete_company, (), [True, False, False, False, False, False, False]),
    (policies.can_require_two_factor, (), [True, False, False, False, False, False, False]),
    (
        policies.can_manage_member,
        (Membership(pk=3, role="member"),),
        [True, True, False, False, False, False, False],
    ),
    (
        policies.can_manage_member,
        (Membership(pk=3, role="owner"),),
        [True, False, False, False, False, False, False],
    ),
    (policies.can_manage_member, (Membership(pk=11, role="viewer"),), [False] * 7),  # themselves
    (can_see_orders, (), [True, True, True, True, False, False, False]),
    (can_see_all_orders, (), [True, True, False, False, False, False, False]),
    (can_see_order, (pending(ME),), [True, True, True, True, False, False, False]),
    (can_see_order, (pending(SOMEONE),), [True, True, False, False, False, False, False]),
    (can_cancel_order, (pending(ME),), [True, True, True, False, False, False, False]),
    (can_manage_payments, (), [True, True, False, False, False, False, False]),
    (can_see_usage, (), [True, True, False, False, False, False, False]),
    (can_see_reminder, (Reminder(user_id=ME),), [True, True, True, True, False, False, False]),
    (can_cancel_reminder, (Reminder(user_id=ME),), [True, True, True, False, False, False, False]),
    (can_cancel_reminder, (Reminder(user_id=SOMEONE),), [False] * 7),
    (
        can_see_notification,
        (Notification(user_id=ME),),
        [True, True, True, True, False, False, False],
    ),
    (can_see_notification, (Notification(user_id=SOMEONE),), [False] * 7),
    (can_see_post, (draft(ME),), [True, True, True, True, False, False, False]),
    (can_see_post, (draft(SOMEONE),), [False] * 7),
    (can_change_post, (draft(ME),), [True, True, True, False, False, False, False]),
    (is_uploader, (File(uploader_id=ME),), [True, True, True, True, False, False, False]),
    (is_uploader, (File(uploader_id=None, api_key_id=KEY),), [False] * 4 + [True, True, False]),
    (is_uploader, (File(uploader_id=None),), [False] * 7),
    (
        can_continue_upload,
        (File(uploader_id=None, api_key_id=KEY),),
        [False, False, False, False, False, True, False],
    ),
    (
        can_delete_file,
        (File(uploader_id=SOMEONE),),
        [True, True, False, False, False, False, False],
    ),
    (can_manage_catalog, (), [True, True, False, False, False, True, False]),
]


@pytest.mark.parametrize(
    ("policy", "args", "expected"),
    CALLER_TABLE,
    ids=[f"{policy.__name__}-{n}" for n, (policy, _args, _e) in enumerate(CALLER_TABLE)],
)
def test_what_each_caller_may_do(policy, args, expected):
    assert [policy(caller, *args) for caller in CALLERS.values()] == expected


def test_an_address_unverified_past_the_grace_spreads_no_access(settings):
    settings.EMAIL_VERIFY_GRACE_DAYS = 7
    late = person("owner")
    late.member.user.date_joined = timezone.now() - timedelta(days=8)
    on_time = person("owner")
    on_time.member.user.date_joined = timezone.now() - timedelta(days=6)
    assert (policies.can_spread_access(late), policies.can_spread_access(on_time)) == (False, True)


def test_the_audit_log_records_the_system_its_reason_or_its_operator():
    operator = User(pk=4, email="ops@kura.example", is_staff=True, is_active=True)
    request = HttpRequest()
    request.user = operator
    assert SYSTEM.recorded_as() == (None, "Kura (tests)")
    assert SystemActor.of_operator(request, TENANT, "delete a post").recorded_as() == (
        operator,
        "ops@kura.example",
    )
    assert person("member").recorded_as()[1] == f"{ME}@example.com"
    assert key("read").recorded_as() == (None, "API key k (ab12)")
