"""What the person signed in may do, as templates ask it: `{% if perms.manage_members %}`.

Each name is one policy of an app's policies.py, asked of the request's principal (None for
nobody signed in, who may do nothing): templates never restate a rule (no `role == …`, no
model property). accounts registers its own names here; the apps above it register theirs
in their AppConfig.ready() with `perm_register`. A name asked for is answered once per
request, when a template first asks; a name nobody registered is an error, not a silent no.
"""

from collections.abc import Callable, Iterator, Mapping

from django.core.exceptions import ImproperlyConfigured

from apps.accounts import policies
from apps.accounts.principal import Actor

Policy = Callable[[Actor | None], bool]

_POLICIES: dict[str, Policy] = {
    "write": policies.can_write,
    "manage_members": policies.can_manage_members,
    "read_audit": policies.can_read_audit,
    "delete_company": policies.can_delete_company,
    "require_two_factor": policies.can_require_two_factor,
    "spread_access": policies.can_spread_access,
}


def perm_register(name: str, policy: Policy) -> None:
    """`perms.<name>` answers `policy(principal)` (an app's AppConfig.ready())."""
    if _POLICIES.get(name, policy) is not policy:
        raise ValueError(f"perms.{name} is another policy's already")
    _POLICIES[name] = policy


class Perms(Mapping[str, bool]):
    """The registered policies' answers for one actor, each asked on first use."""

    def __init__(self, actor: Actor | None) -> None:
        self._actor = actor
        self._answers: dict[str, bool] = {}

    def __getitem__(self, name: str) -> bool:
        if name not in self._answers:
            policy = _POLICIES.get(name)
            if policy is None:  # not a KeyError, which Django's templates read as False
                raise ImproperlyConfigured(f"no policy is registered as perms.{name}")
            self._answers[name] = policy(self._actor)
        return self._answers[name]

    def __contains__(self, name: object) -> bool:
        return name in _POLICIES

    def __iter__(self) -> Iterator[str]:
        return iter(_POLICIES)

    def __len__(self) -> int:
        return len(_POLICIES)
