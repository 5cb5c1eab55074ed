"""Load benchmark of the web side: the product behind gunicorn as the Procfile starts it, against
a bare Django JSON view served by the same workers (see bench/README.md)."""
