from rest_framework.permissions import BasePermission


class IsPractitioner(BasePermission):
    message = "Only practitioners can use this endpoint."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_practitioner)


class IsModerator(BasePermission):
    message = "Only moderators can use this endpoint."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_moderator)
