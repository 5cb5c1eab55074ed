"""Template context: the current organisation, membership and language direction."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from web.sites import public_base_url


def tenant(request: HttpRequest) -> dict[str, object]:
    current = getattr(request, "tenant", None)
    return {
        "tenant": current if current is not None and not current.is_public else None,
        "membership": getattr(request, "membership", None),
        "base_domain": settings.BASE_DOMAIN,
        "languages": settings.LANGUAGES,
        # The product's own site, for links from an organisation's pages (terms, contact).
        "site_url": public_base_url(),
        # The header's switcher reads its own name, so a page's "languages" cannot shadow it.
        "site_languages": settings.LANGUAGES,
    }
