"""Recap jobs: the state machine (states, transitions), the lease a worker holds while it runs a
stage, the adapters to the pure pipeline, and the queue. Only Celery imports `tasks.py`."""
