"""Forms for signing in, the team page, invitations and a person's own profile."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from .models import Role, User


def language_choices() -> list[tuple[str, str]]:
    """Product languages, each named in itself (a reader finds their own language at a glance)."""
    return [(code, get_language_info(code)["name_local"]) for code in settings.LANGUAGE_CODES]


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "dir": "ltr"})
    )

    error_messages = {
        "invalid_login": _("The email or the password is not right. Both are case-sensitive."),
        "inactive": _("This account is inactive."),
    }


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput(attrs={"dir": "ltr"}))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class JoinForm(forms.Form):
    """Creates the account of an invitee who has none yet; the email is the invited one."""

    full_name = forms.CharField(label=_("Your name"), max_length=150, required=False)
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: object, email: str, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        candidate = User(email=self.email, full_name=self.data.get("full_name", ""))
        password_validation.validate_password(password, candidate)
        return password


class ProfileForm(forms.Form):
    full_name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        error_messages={"required": _("Enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name", "dir": "auto"}),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        help_text=_("Pages and emails use this language on every device you sign in on."),
        error_messages={"invalid_choice": _("Choose one of the offered languages.")},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices()


class OwnPasswordForm(PasswordChangeForm):
    """Django's password change, with the browser hints password managers rely on."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        self.fields["new_password1"].widget.attrs["autocomplete"] = "new-password"
        self.fields["new_password2"].widget.attrs["autocomplete"] = "new-password"
        # Plain sentences: the default help is an HTML list, which cannot sit inside <small>.
        self.fields["new_password1"].help_text = " ".join(
            password_validation.password_validators_help_texts()
        )


class OtpCodeForm(forms.Form):
    """A code from the authenticator app (six digits), or a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        error_messages={"required": _("Enter the code.")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autocapitalize": "off",
                "spellcheck": "false",
                "dir": "ltr",
                "autofocus": True,
            }
        ),
    )


class PasswordConfirmForm(forms.Form):
    """The person's password, asked again before a change to their sign-in."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        error_messages={"required": _("Enter your password.")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
