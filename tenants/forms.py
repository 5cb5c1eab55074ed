"""The signup form: an organisation, its address and its first owner."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from .models import Region
from .services import validate_slug


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=120)
    slug = forms.CharField(
        label=_("Address"),
        max_length=40,
        help_text=format_lazy(
            _("Lowercase letters, digits and hyphens; your site will be at address.{domain}"),
            domain=settings.BASE_DOMAIN,
        ),
    )
    region = forms.ChoiceField(
        label=_("Data region"),
        choices=Region.choices,
        initial=Region.EU_WEST_1,
        help_text=_("Where your movies and recaps are stored. It cannot be changed later."),
    )
    full_name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(render_value=False)
    )

    def __init__(self, *args: object, user: User | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        if self.user is not None:
            for field in ("full_name", "email", "password"):
                del self.fields[field]
        self.fields["slug"].widget.attrs.update(
            {"autocapitalize": "none", "spellcheck": "false", "dir": "ltr"}
        )
        if "email" in self.fields:
            self.fields["email"].widget.attrs.update({"autocomplete": "email", "dir": "ltr"})
            self.fields["password"].widget.attrs["autocomplete"] = "new-password"

    def clean_slug(self) -> str:
        return validate_slug(self.cleaned_data["slug"])

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email=email).exists():
            raise ValidationError(
                _(
                    "An account with this email already exists. Sign in first, then create the "
                    "organisation."
                ),
                code="email_taken",
            )
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password and self.user is None:
            candidate = User(email=cleaned.get("email", ""), full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned
