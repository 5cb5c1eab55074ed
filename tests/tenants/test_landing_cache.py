"""The landing page's plan cards are rendered once per language, then served from the cache
until a plan changes."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.models import Plan

pytestmark = pytest.mark.django_db


def landing(client_for, language: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client_for(host="localhost").get("/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    plan_reads = [q["sql"] for q in queries.captured_queries if "billing_plan" in q["sql"]]
    return response.content.decode(), plan_reads


def test_the_plan_cards_are_read_once_per_language(client_for, platform):
    english, cold = landing(client_for, "en")
    assert "Starter" in english and cold
    again, warm = landing(client_for, "en")
    cards = re.search(r'<div class="plans">.*?</article>\s*</div>', english, re.S).group(0)
    assert cards in again and warm == []
    german, cold_de = landing(client_for, "de")
    assert cold_de  # another language, another fragment
    assert "Speicher" in german and "GB of storage" not in german


def test_a_changed_plan_is_on_the_next_landing_page(client_for, platform):
    landing(client_for, "en")
    landing(client_for, "fr")
    plan = Plan.objects.get(code="starter")
    plan.name_en, plan.name_fr, plan.storage_gb = "Starter Plus", "Débutant Plus", 150
    plan.save()
    english, _reads = landing(client_for, "en")
    french, _reads = landing(client_for, "fr")
    assert "Starter Plus" in english and "150 GB of storage" in english
    assert "Débutant Plus" in french
