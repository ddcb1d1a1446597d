"""Table and column names of directory's raw SQL, from the models' `_meta`, and the
great-circle distance the search and the facets compute."""

from __future__ import annotations

import math
from types import SimpleNamespace

from core import dialect
from directory.geo import EARTH_RADIUS_KM, Point
from directory.models import (
    Location,
    Modality,
    PractitionerProfile,
    SearchDocument,
    SearchTerm,
    Service,
)


def _columns(model, *names: str) -> SimpleNamespace:
    return SimpleNamespace(**{name: model._meta.get_field(name).column for name in names})


# The profile table stays unaliased (the statements always named it so); the others are
# aliased: l locations, s services, r ratings, d search documents, f their FTS5 rows.
P = PractitionerProfile._meta.db_table
_P = _columns(PractitionerProfile, "id", "is_published", "languages", "offers_online")
_P_TEXT = [
    PractitionerProfile._meta.get_field(name).column for name in ("display_name", "headline", "bio")
]
LOCATIONS = Location._meta.db_table
_L = _columns(
    Location,
    "practitioner",
    "latitude",
    "longitude",
    "is_active",
    "is_listed",
    "cell",
    "wheelchair_accessible",
    "parking",
    "public_transport_nearby",
)
SERVICES = Service._meta.db_table
_S = _columns(Service, "practitioner", "is_active", "mode", "price_amount")
_LINK_MODEL = PractitionerProfile.modalities.through
MODALITY_LINKS = _LINK_MODEL._meta.db_table
_ML = _columns(_LINK_MODEL, "practitionerprofile", "modality")
MODALITIES = Modality._meta.db_table
_M = _columns(Modality, "id", "slug", "name")
DOCUMENTS = SearchDocument._meta.db_table
_D = _columns(SearchDocument, "id", "practitioner")
# PostgreSQL: the weighted tsvector column of DOCUMENTS. SQLite: the FTS5 table whose
# rowid is the document's id, one column per field of directory.text.FIELDS.
DOCUMENT_VECTOR = "document"
DOCUMENTS_FTS = f"{DOCUMENTS}_fts"
TERMS = SearchTerm._meta.db_table
_T = _columns(SearchTerm, "id", "lexeme", "word", "documents")
TERMS_TRIGRAM = f"{TERMS}_trigram"

# The profile columns a search result shows (PractitionerSearchResultSerializer), its
# search card included: a page selects only these, not the bio or the booking policy.
# In the model's field order, which `Model.from_db` expects of a partial row.
RESULT_FIELDS = tuple(
    field
    for field in PractitionerProfile._meta.concrete_fields
    if field.attname
    in {"id", "slug", "display_name", "headline", "languages", "offers_online", "search_card"}
)
RESULT_ATTNAMES = tuple(field.attname for field in RESULT_FIELDS)
_RESULT_COLUMNS = ", ".join(f"{P}.{field.column}" for field in RESULT_FIELDS)


def great_circle_sql(
    point: Point, latitude_sql: str, longitude_sql: str, *, vendor: str
) -> tuple[str, list[float]]:
    """Haversine distance in km from point to two SQL column expressions: SQL and its params.

    Uses only SQL math functions both databases have (SQLite's built-in math
    functions, which Django registers itself where SQLite lacks them). The
    point's constants are bound, not inlined, so the statement's text is the
    same for every point and SQLite reuses its compiled form: compiling it
    cost as much as running it. The same formula as `directory.geo.great_circle_km`.
    """
    lat0 = math.radians(point.latitude)
    diameter, least = repr(2 * EARTH_RADIUS_KM), dialect.least_function(vendor=vendor)
    lat, lng = latitude_sql, longitude_sql
    sql = (
        f"({diameter} * ASIN(SQRT({least}((POWER(SIN((RADIANS({lat}) - %s) / 2), 2)"
        f" + %s * COS(RADIANS({lat})) * POWER(SIN((RADIANS({lng}) - %s) / 2), 2)), 1.0))))"
    )
    return sql, [lat0, math.cos(lat0), math.radians(point.longitude)]
