"""An organisation's security policy: which networks and countries may reach its site, and how
long a browser session lasts. Reading the rules (cached), checking a request's place against
them, and changing them (validated, refused when the editor would lock themselves out, audited).
Enforcement is tenants.enforcement; the client's place comes from web.client."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from accounts import access
from accounts.models import User
from compliance.services import field_changes, record_event
from web import cache as shared
from web.client import ClientPlace, IpNetwork, parse_address

from .countries import COUNTRY_CODES
from .models import Tenant, TenantSecurityPolicy

IP_NOT_ALLOWED = "ip_not_allowed"
COUNTRY_NOT_ALLOWED = "country_not_allowed"
FIELDS = (
    "allowed_countries",
    "blocked_countries",
    "allowed_ips",
    "blocked_ips",
    "require_2fa",
    "session_timeout_minutes",
)
NETWORK_FIELDS = ("allowed_ips", "blocked_ips")
COUNTRY_FIELDS = ("allowed_countries", "blocked_countries")
SESSION_TIMEOUT_RANGE = (5, 1440)
MAX_ENTRIES = 200
# A block list entry broader than this blocks a large part of the internet: an allow-list says
# that better, and a typo ("0.0.0.0/0") cannot shut everyone out.
NARROWEST_BLOCK_PREFIX = {4: 8, 6: 16}
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Rules:
    """A policy's rules in the form requests are checked against."""

    allowed_ips: tuple[IpNetwork, ...] = ()
    blocked_ips: tuple[IpNetwork, ...] = ()
    allowed_countries: frozenset[str] = frozenset()
    blocked_countries: frozenset[str] = frozenset()
    session_timeout_minutes: int = 720

    @classmethod
    def of(cls, policy: TenantSecurityPolicy | None) -> Rules:
        if policy is None:
            return cls()
        return cls(
            allowed_ips=tuple(ipaddress.ip_network(n) for n in policy.allowed_ips),
            blocked_ips=tuple(ipaddress.ip_network(n) for n in policy.blocked_ips),
            allowed_countries=frozenset(policy.allowed_countries),
            blocked_countries=frozenset(policy.blocked_countries),
            session_timeout_minutes=policy.session_timeout_minutes,
        )

    @property
    def limits_places(self) -> bool:
        return bool(
            self.allowed_ips or self.blocked_ips or self.allowed_countries or self.blocked_countries
        )

    def refusal(self, place: ClientPlace) -> tuple[str, str] | None:
        """None when `place` may reach the site; else (code, the field whose rule refuses).
        Every rule must pass. An unknown country passes a block list and fails an allow-list
        (decision 0021: fail closed)."""
        address = parse_address(place.ip)

        def within(networks: tuple[IpNetwork, ...]) -> bool:
            return address is not None and any(address in network for network in networks)

        if within(self.blocked_ips):
            return IP_NOT_ALLOWED, "blocked_ips"
        if self.allowed_ips and not within(self.allowed_ips):
            return IP_NOT_ALLOWED, "allowed_ips"
        if place.country is not None and place.country in self.blocked_countries:
            return COUNTRY_NOT_ALLOWED, "blocked_countries"
        if self.allowed_countries and place.country not in self.allowed_countries:
            return COUNTRY_NOT_ALLOWED, "allowed_countries"
        return None


def policy_refusal() -> str:
    return _("Only owners can change the organisation's security policy.")


def can_change_policy(*, tenant: Tenant, user: User) -> bool:
    """Owners of the organisation (and staff) may change its security policy."""
    return access.holds_role(user=user, tenant=tenant, roles=access.OWNER_ROLES)


def policy_of(tenant: Tenant) -> TenantSecurityPolicy:
    """The organisation's stored policy, or an unsaved one with the defaults."""
    policy = TenantSecurityPolicy.objects.filter(tenant_id=tenant.pk).first()
    return policy or TenantSecurityPolicy(tenant=tenant)


def _rules_key() -> str:
    return "security:rules"  # in the organisation's key space


@shared.prefetched_by
def _rules_entry(request: Any) -> tuple[str, ...]:
    return (_rules_key(),)


def rules_for(tenant: Tenant) -> Rules:
    """The organisation's rules; from the shared cache when the connection is on its schema."""
    own = connection.schema_name == tenant.schema_name
    found = shared.read(_rules_key()) if own else shared.MISS
    if found is shared.MISS:
        found = Rules.of(TenantSecurityPolicy.objects.filter(tenant_id=tenant.pk).first())
        if own:
            shared.fill(_rules_key(), found, CACHE_SECONDS)
    return found


def policy_changed(sender: type, instance: TenantSecurityPolicy, **kwargs: Any) -> None:
    """Model signal receiver (TenantsConfig.ready()): every write forgets the cached rules."""
    shared.forget([_rules_key()], schema=instance.tenant.schema_name)


def _networks(field: str, values: Any) -> list[str]:
    if not isinstance(values, list | tuple):
        raise ValidationError({field: _("Give a list of networks such as 192.0.2.0/24.")})
    if len(values) > MAX_ENTRIES:
        raise ValidationError(
            {field: _("Give at most %(count)d entries.") % {"count": MAX_ENTRIES}}
        )
    networks, errors = [], []
    for value in values:
        try:
            network = ipaddress.ip_network(str(value).strip())
        except ValueError:
            errors.append(
                _("%(value)s is not a network such as 192.0.2.0/24 or 2001:db8::/32.")
                % {"value": value}
            )
            continue
        if field == "blocked_ips" and network.prefixlen < NARROWEST_BLOCK_PREFIX[network.version]:
            errors.append(
                _(
                    "%(value)s would block too much of the internet. Block narrower ranges "
                    "(at most /%(prefix)d), or list the allowed networks instead."
                )
                % {"value": value, "prefix": NARROWEST_BLOCK_PREFIX[network.version]}
            )
            continue
        networks.append(str(network))
    if errors:
        raise ValidationError({field: errors})
    return list(dict.fromkeys(networks))


def _countries(field: str, values: Any) -> list[str]:
    if not isinstance(values, list | tuple):
        raise ValidationError({field: _("Give a list of country codes such as US or DE.")})
    if len(values) > MAX_ENTRIES:
        raise ValidationError(
            {field: _("Give at most %(count)d entries.") % {"count": MAX_ENTRIES}}
        )
    codes, errors = [], []
    for value in values:
        code = str(value).strip().upper()
        if code in COUNTRY_CODES:
            codes.append(code)
        else:
            errors.append(
                _("%(value)s is not a country code (ISO 3166-1, such as US or DE).")
                % {"value": value}
            )
    if errors:
        raise ValidationError({field: errors})
    return sorted(set(codes))


def clean_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The given fields in their stored form; ValidationError naming each bad field."""
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValidationError({name: _("This setting does not exist.") for name in unknown})
    cleaned, errors = {}, {}
    for field, value in changes.items():
        try:
            if field in NETWORK_FIELDS:
                cleaned[field] = _networks(field, value)
            elif field in COUNTRY_FIELDS:
                cleaned[field] = _countries(field, value)
            elif field == "require_2fa":
                if not isinstance(value, bool):
                    raise ValidationError({field: _("Answer true or false.")})
                cleaned[field] = value
            else:
                low, high = SESSION_TIMEOUT_RANGE
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int)
                    or not low <= value <= high
                ):
                    raise ValidationError(
                        {field: _("Use %(low)d to %(high)d minutes.") % {"low": low, "high": high}}
                    )
                cleaned[field] = value
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return cleaned


def lock_out_message(code: str, place: ClientPlace) -> str:
    if code == IP_NOT_ALLOWED:
        return _(
            "This policy would refuse your own address (%(ip)s) and lock you out. "
            "Add your network to the allowed ones, or remove it from the blocked ones."
        ) % {"ip": place.ip}
    if place.country is None:
        return _(
            "This policy would lock you out: the country of your address (%(ip)s) is unknown, "
            "and a country allow-list refuses unknown countries."
        ) % {"ip": place.ip}
    return _("This policy would refuse your own country (%(country)s) and lock you out.") % {
        "country": place.country
    }


def set_security_policy(
    *,
    tenant: Tenant,
    changes: Mapping[str, Any],
    acting_user: User | None,
    editor_place: ClientPlace | None = None,
) -> TenantSecurityPolicy:
    """Change the given fields of an organisation's policy (the others stay). Owners and staff
    may; a member who edits from `editor_place` may not make a policy that refuses it."""
    if acting_user is not None:
        access.require_role(
            user=acting_user,
            tenant=tenant,
            roles=access.OWNER_ROLES,
            message=policy_refusal(),
        )
    cleaned = clean_changes(changes)
    with transaction.atomic():
        policy, _created = TenantSecurityPolicy.objects.select_for_update().get_or_create(
            tenant=tenant
        )
        before = {field: getattr(policy, field) for field in FIELDS}
        for field, value in cleaned.items():
            setattr(policy, field, value)
        is_member = acting_user is not None and (
            access.membership_of(user=acting_user, tenant=tenant) is not None
        )
        if editor_place is not None and is_member:
            refused = Rules.of(policy).refusal(editor_place)
            if refused is not None:
                code, field = refused
                raise ValidationError({field: lock_out_message(code, editor_place)})
        changed = field_changes(before, policy, FIELDS)
        policy.save()
        record_event(
            action="tenant.security_policy_changed",
            actor=acting_user,
            tenant=tenant,
            target=tenant.slug,
            data=changed,
        )
    return policy
