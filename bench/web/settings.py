"""Settings of the web benchmark: the product's own, plus the bare JSON view in front of them.

The bare view lives here only, never in the product's URLs or middleware.
"""

from config.settings import *  # noqa: F403
from config.settings import MIDDLEWARE as PRODUCT_MIDDLEWARE

MIDDLEWARE = ["bench.web.bare.BareJsonMiddleware", *PRODUCT_MIDDLEWARE]
