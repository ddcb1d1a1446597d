"""The API's authentication class (DEFAULT_AUTHENTICATION_CLASSES); the work is in
accounts.tokens.

DRF imports this class while the apps load, from inside `core.errors`' own import of DRF,
so it imports accounts.tokens (which needs core.errors) only when it runs."""

from rest_framework_simplejwt.authentication import JWTAuthentication


class VersionedJWTAuthentication(JWTAuthentication):
    """`Authorization: Bearer <access>`: simplejwt's checks plus the token version, failing
    with 401 `token_expired` or `token_invalid`."""

    def get_validated_token(self, raw_token):
        from accounts.tokens import access_token_decoded

        return access_token_decoded(raw_token)

    def get_user(self, validated_token):
        from accounts.tokens import session_user

        return session_user(validated_token)
