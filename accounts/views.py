from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import passwords, services, tokens, verification
from accounts.serializers import (
    DetailSerializer,
    EmailVerifiedSerializer,
    EmailVerifySerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    RefreshSerializer,
    RegisterSerializer,
    TokenPairSerializer,
    UserSerializer,
    UserUpdateSerializer,
)

RESET_REQUESTED = (
    "If an account uses this address, we have sent it a link to choose a new password."
)


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "auth"

    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer})
    def post(self, request):
        """Create an account; a link to verify the address is e-mailed to it."""
        user = services.user_register(**_validated(RegisterSerializer, request))
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class _SessionTokenView(APIView):
    """Authenticated by the refresh token in the body, not by a header."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "auth"

    def get_authenticate_header(self, request):
        # A bad token is a 401 (with this challenge), not DRF's 403 for header-less views.
        return 'Bearer realm="api"'


class TokenRefresh(_SessionTokenView):
    @extend_schema(request=RefreshSerializer, responses=TokenPairSerializer)
    def post(self, request):
        """Trade a refresh token for a new pair. Each refresh token works once: use the new
        one next time. 401 `token_expired` or `token_invalid`: log in again."""
        pair = tokens.session_refresh(raw_refresh=_validated(RefreshSerializer, request)["refresh"])
        return Response(pair)


class LogoutView(_SessionTokenView):
    @extend_schema(request=RefreshSerializer, responses={204: None})
    def post(self, request):
        """End this session: its refresh token stops working (its access token lapses
        within its short lifetime). 401 `token_invalid` for a token already used."""
        tokens.session_logout(raw_refresh=_validated(RefreshSerializer, request)["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailVerifyView(APIView):
    permission_classes = [AllowAny]
    throttle_scope = "auth"

    @extend_schema(request=EmailVerifySerializer, responses=EmailVerifiedSerializer)
    def post(self, request):
        """Verify the address with the key of the e-mailed link; again with the same key
        answers the same. 400 `token_invalid`: the key is expired, altered, for an address
        the account no longer has, or (when logged in) for another account."""
        key = _validated(EmailVerifySerializer, request)["key"]
        user = request.user if request.user.is_authenticated else None
        verification.email_verify(key=key, user=user)
        return Response({"email_verified": True})


class EmailResendView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "auth"

    @extend_schema(request=None, responses={202: DetailSerializer})
    def post(self, request):
        """E-mail a new verification link. 409 `email_already_verified`."""
        verification.email_verification_resend(user=request.user)
        return Response(
            {"detail": "We have sent a new verification link."}, status=status.HTTP_202_ACCEPTED
        )


class PasswordResetView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "auth"

    @extend_schema(request=PasswordResetSerializer, responses={202: DetailSerializer})
    def post(self, request):
        """Ask for a link to choose a new password. The answer is the same whether or not
        an account uses the address."""
        email = _validated(PasswordResetSerializer, request)["email"]
        passwords.password_reset_request(email=email)
        return Response({"detail": RESET_REQUESTED}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "auth"

    @extend_schema(request=PasswordResetConfirmSerializer, responses=DetailSerializer)
    def post(self, request):
        """Set a new password with the `uid` and `token` of the e-mailed link; every session
        of the account ends. 400 `token_invalid` (used, expired or altered link), or field
        errors under `new_password` for a password that is too weak."""
        passwords.password_reset_confirm(**_validated(PasswordResetConfirmSerializer, request))
        return Response({"detail": "Your password is changed; log in with the new one."})


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_scope = "auth"

    @extend_schema(request=PasswordChangeSerializer, responses=TokenPairSerializer)
    def post(self, request):
        """Change the password. Every session ends, this one included: continue with the
        returned pair. 400 `password_incorrect` for a wrong `old_password`, or field errors
        under `new_password` for a password that is too weak."""
        user = passwords.password_change(
            user=request.user, **_validated(PasswordChangeSerializer, request)
        )
        # The new session is as strong as this one: a second factor stays proven.
        return Response(
            tokens.token_pair_for(user, mfa_verified=tokens.token_has_mfa(request.auth))
        )


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=UserUpdateSerializer, responses=UserSerializer)
    def patch(self, request):
        user = services.user_update(user=request.user, **_validated(UserUpdateSerializer, request))
        return Response(UserSerializer(user).data)

    @extend_schema(responses={204: None})
    def delete(self, request):
        """Delete the account: personal data is anonymised, financial records are kept."""
        services.user_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
