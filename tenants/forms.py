"""Forms of organisations: signup (an organisation, its address, its first owner) and settings."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from accounts.forms import language_choices
from accounts.models import User

from .models import Region, Tenant
from .services import BASE_NAME_LANGUAGE, validate_slug


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=120)
    slug = forms.CharField(
        label=_("Your site's address"),
        max_length=40,
        help_text=format_lazy(
            _(
                "Suggested from the organisation's name; you may change it. Lowercase letters, "
                "digits and hyphens: your site will be at address.{domain}"
            ),
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
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args: object, user: User | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.user = user if user is not None and user.is_authenticated else None
        if self.user is not None:
            for field in ("full_name", "email", "password"):
                del self.fields[field]
        # static/js/signup.js fills the address from the name until the visitor types one.
        self.fields["slug"].widget.attrs.update(
            {
                "autocapitalize": "none",
                "spellcheck": "false",
                "dir": "ltr",
                "data-suggest-from": "name",
            }
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


class TenantSettingsForm(forms.Form):
    """Name and default language of an organisation; optional names per other language."""

    name = forms.CharField(
        label=_("Organisation name"),
        max_length=120,
        help_text=_("Shown in every language that has no name of its own below."),
        error_messages={"required": _("Enter the organisation's name.")},
    )
    default_language = forms.ChoiceField(
        label=_("Default language"),
        help_text=_("Used for invitations and for visitors whose language is not offered."),
        error_messages={"invalid_choice": _("Choose one of the offered languages.")},
    )

    def __init__(self, *args: object, tenant: Tenant, **kwargs: object) -> None:
        initial = {
            "name": getattr(tenant, build_localized_fieldname("name", BASE_NAME_LANGUAGE)) or "",
            "default_language": tenant.default_language,
        }
        for code in self.translated_languages():
            field = build_localized_fieldname("name", code)
            initial[field] = getattr(tenant, field) or ""
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["default_language"].choices = language_choices()
        self.fields["name"].widget.attrs["dir"] = "auto"
        for code in self.translated_languages():
            info = get_language_info(code)
            self.fields[build_localized_fieldname("name", code)] = forms.CharField(
                label=format_lazy(_("Name in {language}"), language=info["name_translated"]),
                max_length=120,
                required=False,
                widget=forms.TextInput(attrs={"lang": code, "dir": "auto"}),
            )

    @staticmethod
    def translated_languages() -> list[str]:
        return [code for code in settings.LANGUAGE_CODES if code != BASE_NAME_LANGUAGE]

    def translated_fields(self) -> list[forms.BoundField]:
        return [
            self[build_localized_fieldname("name", code)] for code in self.translated_languages()
        ]

    def has_translated_input(self) -> bool:
        """Whether the per-language names hold something worth showing unfolded."""
        return any(field.errors or field.value() for field in self.translated_fields())

    def translated_names(self) -> dict[str, str]:
        return {
            code: self.cleaned_data[build_localized_fieldname("name", code)]
            for code in self.translated_languages()
        }


def _entries(text: str) -> list[str]:
    """Entries typed one per line or separated by commas or spaces."""
    return [entry for entry in text.replace(",", " ").split() if entry]


class SecurityPolicyForm(forms.Form):
    """The organisation's security policy as owners edit it; tenants.security validates it."""

    allowed_countries = forms.CharField(
        label=_("Allowed countries"),
        required=False,
        help_text=_("Two-letter codes such as US, CA, MX. Empty: every country."),
    )
    blocked_countries = forms.CharField(
        label=_("Blocked countries"), required=False, help_text=_("Two-letter codes such as RU.")
    )
    allowed_ips = forms.CharField(
        label=_("Allowed networks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One network per line, such as 192.0.2.0/24 or 2001:db8::/32. Empty: any."),
    )
    blocked_ips = forms.CharField(
        label=_("Blocked networks"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One network per line."),
    )
    require_2fa = forms.BooleanField(label=_("Require two-factor authentication"), required=False)
    session_timeout_minutes = forms.IntegerField(
        label=_("Session timeout (minutes)"),
        help_text=_("A browser signed in but idle for this long is signed out (5 to 1440)."),
        error_messages={"required": _("Enter a number of minutes."),
                        "invalid": _("Enter a number of minutes.")},
    )  # fmt: skip

    def __init__(self, *args: object, policy: object, **kwargs: object) -> None:
        initial = {
            "allowed_countries": ", ".join(policy.allowed_countries),
            "blocked_countries": ", ".join(policy.blocked_countries),
            "allowed_ips": "\n".join(policy.allowed_ips),
            "blocked_ips": "\n".join(policy.blocked_ips),
            "require_2fa": policy.require_2fa,
            "session_timeout_minutes": policy.session_timeout_minutes,
        }
        super().__init__(*args, initial=initial, prefix="security", **kwargs)
        for name in ("allowed_countries", "blocked_countries", "allowed_ips", "blocked_ips"):
            self.fields[name].widget.attrs.update({"dir": "ltr", "spellcheck": "false"})

    def changes(self) -> dict[str, object]:
        data = self.cleaned_data
        return {
            "allowed_countries": _entries(data["allowed_countries"]),
            "blocked_countries": _entries(data["blocked_countries"]),
            "allowed_ips": _entries(data["allowed_ips"]),
            "blocked_ips": _entries(data["blocked_ips"]),
            "require_2fa": data["require_2fa"],
            "session_timeout_minutes": data["session_timeout_minutes"],
        }
