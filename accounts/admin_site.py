"""The admin asks for a second factor: password, then a code from the authenticator app.

The site is django-otp's OTPAdminSite (a session counts only once an OTP device has
verified it) with a login form of one more field. Staff without an authenticator are
told to set one up through the API first. Wrong passwords and wrong codes count
towards the same lockout as the API's sign-in (accounts.lockout); a locked account
gets a 403 page with Retry-After.
"""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django_otp.admin import OTPAdminSite

from accounts import lockout, mfa
from accounts.selectors import user_mfa_enabled


class MfaAdminLoginForm(AdminAuthenticationForm):
    otp_token = forms.CharField(
        label="Authentication code",
        required=False,
        max_length=mfa.CODE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
        help_text="The six-digit code from your authenticator app, or a recovery code.",
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "mfa_setup": (
            "The admin needs two-factor authentication. Set up an authenticator app first: "
            "sign in to the API and call POST /api/v1/auth/mfa/totp/, then "
            "POST /api/v1/auth/mfa/totp/confirm/ with its first code."
        ),
        "otp_required": "Enter the code from your authenticator app.",
        "otp_invalid": "That code is wrong or was already used.",
    }

    def clean(self):
        cleaned_data = super().clean()  # the password (axes sees the request), is_staff
        user = self.get_user()
        if not user_mfa_enabled(user):
            raise forms.ValidationError(self.error_messages["mfa_setup"], code="mfa_setup")
        code = cleaned_data.get("otp_token")
        if not code:
            raise forms.ValidationError(self.error_messages["otp_required"], code="otp_required")
        device = mfa.code_device(user=user, code=code)
        if device is None:
            # A lockout reached here turns this page into the lockout page (axes middleware).
            lockout.count_failure(self.request, username=cleaned_data.get("username"))
            raise forms.ValidationError(self.error_messages["otp_invalid"], code="otp_invalid")
        # django-otp's user_logged_in receiver stores the device in the session.
        user.otp_device = device
        return cleaned_data


class MfaAdminSite(OTPAdminSite):
    login_form = MfaAdminLoginForm
    login_template = "accounts/admin_login.html"

    def __init__(self, name="admin"):
        # The default name, not django-otp's "otpadmin": URLs reverse as admin:...
        super().__init__(name)
