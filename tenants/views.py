"""Public-site pages (landing, signup) and the organisation dashboard."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.entry import sign_in, tenant_entry_url
from billing.models import Plan

from . import services
from .forms import SignupForm


def landing(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.filter(is_public=True)
    return render(request, "tenants/landing.html", {"plans": plans})


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tenant, owner = services.signup_tenant(
            slug=data["slug"],
            name=data["name"],
            region=data["region"],
            owner_email=data.get("email", ""),
            owner_password=data.get("password"),
            owner_name=data.get("full_name", ""),
            language=request.LANGUAGE_CODE,
            existing_user=form.user,
        )
        if form.user is None:
            sign_in(request, owner)
        messages.success(request, _("Welcome to %(name)s.") % {"name": tenant.name})
        return HttpResponseRedirect(tenant_entry_url(request, tenant, owner))
    return render(
        request, "tenants/signup.html", {"form": form}, status=400 if form.errors else 200
    )


def dashboard(request: HttpRequest) -> HttpResponse:
    from billing import quotas
    from media_pipeline.models import ACTIVE_STATES, Movie, Recap, RecapJob

    tenant = request.tenant
    usage = quotas.usage_of(tenant)
    plan = tenant.plan
    context = {
        "movie_count": Movie.objects.count(),
        "member_count": tenant.memberships.count(),
        "active_jobs": RecapJob.objects.filter(state__in=ACTIVE_STATES).select_related("movie")[
            :10
        ],
        "recent_recaps": Recap.objects.select_related("movie")[:6],
        "plan": plan,
        "storage_used_gb": usage.storage_bytes / quotas.GB,
        "processing_used_hours": usage.processing_seconds_this_month / 3600,
    }
    return render(request, "tenants/dashboard.html", context)
