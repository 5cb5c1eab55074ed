"""The billing page of an organisation's site and its owners' actions."""

from django.urls import path

from . import views

urlpatterns = [
    path("billing/", views.billing_page, name="billing"),
    path("billing/checkout/", views.checkout, name="billing_checkout"),
    path("billing/portal/", views.portal, name="billing_portal"),
    path("billing/currency/", views.change_currency, name="billing_currency"),
]
