"""Schema helpers for views: document error responses with the codes each can carry."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Every error body: a stable machine-readable `code` and a human `detail`.

    Named so that it is the `Error` component config.schema declares for every operation.
    """

    code = serializers.CharField()
    detail = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


def error_responses(described: dict[int, str]) -> dict:
    """{status: OpenApiResponse} for extend_schema, each described with the codes it carries."""
    return {
        status_code: OpenApiResponse(ErrorSerializer, description=text)
        for status_code, text in described.items()
    }
