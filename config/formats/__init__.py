"""Date formats Django's own locales lack for a product language (FORMAT_MODULE_PATH): without
them a date with its time falls back to the American "N j, Y, P" ("نوفمبر 30, 2026, 9:23 م").
Each module holds only what Django's is missing; the rest still comes from Django."""
