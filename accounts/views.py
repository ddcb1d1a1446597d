from django.db import transaction
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts import services
from accounts.serializers import RegisterSerializer, UserSerializer, UserUpdateSerializer
from bookings.selectors import user_has_open_bookings
from core.errors import Conflict
from directory.services import (
    profile_close_for_deleted_account,
    profile_create_for_practitioner,
)


class RegisterView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_scope = "auth"

    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer})
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic(durable=True):
            user = services.user_create(**serializer.validated_data)
            if user.is_practitioner:
                profile_create_for_practitioner(user=user)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenView(TokenObtainPairView):
    throttle_scope = "auth"


class TokenRefresh(TokenRefreshView):
    throttle_scope = "auth"


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=UserSerializer)
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=UserUpdateSerializer, responses=UserSerializer)
    def patch(self, request):
        serializer = UserUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, **serializer.validated_data)
        return Response(UserSerializer(user).data)

    @extend_schema(responses={204: None})
    def delete(self, request):
        """Delete the account: personal data is anonymised, financial records are kept."""
        with transaction.atomic(durable=True):
            # Checked inside the transaction that deletes, so no booking slips in between.
            if user_has_open_bookings(user=request.user, now=timezone.now()):
                raise Conflict(
                    "Cancel your upcoming bookings before deleting the account.",
                    code="open_bookings",
                )
            if request.user.is_practitioner:
                profile_close_for_deleted_account(user=request.user)
            services.user_anonymise(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
