from rest_framework.parsers import JSONParser


class StrictJSONParser(JSONParser):
    """DRF's JSON parser with the rules of core.json_strict (the API's default parser)."""

    def parse(self, stream, media_type=None, parser_context=None):
        # Imported here: DRF reads DEFAULT_PARSER_CLASSES while core.errors (which
        # json_strict builds on) is still importing rest_framework.views.
        from core.json_strict import json_loads_strict

        return json_loads_strict(stream.read() if stream is not None else b"")
