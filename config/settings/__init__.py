"""Settings, read from the environment with working development defaults, one module per topic.

Production and development differ only in environment variables; `DJANGO_ENV=production`
changes the defaults to the safe ones and requires a real SECRET_KEY. Each topic module imports
the names it builds on from the others, so the order below carries no meaning.
"""

from .api import *  # noqa: F403
from .base import *  # noqa: F403
from .billing import *  # noqa: F403
from .celery import *  # noqa: F403
from .i18n import *  # noqa: F403
from .mail import *  # noqa: F403
from .product import *  # noqa: F403
from .security import *  # noqa: F403
from .storage import *  # noqa: F403
from .tenancy import *  # noqa: F403
from .two_factor import *  # noqa: F403
