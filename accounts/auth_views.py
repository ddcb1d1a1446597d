"""Sign-in (`/auth/token/`) and two-factor set-up (`/auth/mfa/totp/...`)."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import login, mfa
from accounts.auth_serializers import (
    LoginSerializer,
    MfaCodeSerializer,
    RecoveryCodesSerializer,
    TotpSetupSerializer,
)
from accounts.serializers import TokenPairSerializer
from core.openapi import error_responses

_LOCKED = (
    "`account_locked`: too many failed sign-ins (wrong passwords and codes count "
    "together); see Retry-After. Also `throttled`."
)


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "auth"

    @extend_schema(
        operation_id="auth_token_create",
        request=LoginSerializer,
        responses={
            200: TokenPairSerializer,
            **error_responses(
                {
                    400: "`invalid` (field errors), or `mfa_invalid`: the code is wrong or "
                    "was already used.",
                    401: "`no_active_account`: wrong e-mail or password; `mfa_required`: "
                    "the account uses two-factor authentication, send `otp`.",
                    429: _LOCKED,
                }
            ),
        },
        tags=["auth"],
    )
    def post(self, request):
        """Sign in with e-mail and password; accounts with two-factor authentication also
        send `otp`. Repeated failures lock the account for a while (429)."""
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tokens = login.login(request=request._request, **serializer.validated_data)
        return Response(tokens)


class TotpView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "auth"

    @extend_schema(
        operation_id="auth_mfa_totp_create",
        request=None,
        responses={
            201: TotpSetupSerializer,
            **error_responses({409: "`mfa_already_enabled`."}),
        },
        tags=["auth"],
    )
    def post(self, request):
        """Start setting up an authenticator app: returns its secret. Two-factor
        authentication is on only once a code from the app is confirmed (`.../confirm/`);
        starting again replaces an unconfirmed secret."""
        setup = mfa.totp_setup_start(user=request.user)
        return Response(TotpSetupSerializer(setup).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="auth_mfa_totp_destroy",
        request=None,
        responses={
            204: None,
            **error_responses(
                {
                    400: "`invalid`: no `otp` in the body; `mfa_invalid`: wrong code.",
                    409: "`mfa_not_enabled`.",
                    429: _LOCKED,
                }
            ),
        },
        tags=["auth"],
    )
    def delete(self, request):
        """Turn two-factor authentication off. The JSON body is `{"otp": ...}` with a
        current code from the app or a recovery code; wrong codes count towards the
        sign-in lockout."""
        serializer = MfaCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        mfa.totp_disable(
            request=request._request, user=request.user, code=serializer.validated_data["otp"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TotpConfirmView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "auth"

    @extend_schema(
        operation_id="auth_mfa_totp_confirm",
        request=MfaCodeSerializer,
        responses={
            200: RecoveryCodesSerializer,
            **error_responses(
                {
                    400: "`invalid` (field errors) or `mfa_invalid`: not the app's current code.",
                    409: "`mfa_setup_not_started` or `mfa_already_enabled`.",
                }
            ),
        },
        tags=["auth"],
    )
    def post(self, request):
        """Turn two-factor authentication on with the app's current code. Returns the
        recovery codes, this once. Sign in again with a code to get a token that counts
        as two-factor (moderation requires one)."""
        serializer = MfaCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        codes = mfa.totp_setup_confirm(user=request.user, code=serializer.validated_data["otp"])
        return Response(RecoveryCodesSerializer({"recovery_codes": codes}).data)
