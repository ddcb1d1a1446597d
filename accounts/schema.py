"""OpenAPI (drf-spectacular) descriptions of accounts' simplejwt subclasses; imported by
AccountsConfig.ready() so the schema generator finds them."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme


class VersionedJWTScheme(SimpleJWTScheme):
    target_class = "accounts.authentication.VersionedJWTAuthentication"
