"""Translated error pages for both URLconfs."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    context = {
        "status": 404,
        "title": _("Page not found"),
        "message": _("This page does not exist, or you do not have access to it."),
    }
    return render(request, "error.html", context, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    context = {
        "status": 500,
        "title": _("Something went wrong"),
        "message": _("We have been told about it. Please try again in a moment."),
    }
    return render(request, "error.html", context, status=500)
