"""Every raw SQL statement of directory, by concern: `search` (the practitioner search)
and its `conditions`, `text` (the text index), `vocabulary` (its words), `facets` (counts
per filter value), `cards` (the search-card rewrite); `schema` names the tables and columns
from the models' `_meta`.
"""

from directory.sql.cards import update_search_cards
from directory.sql.search import (
    LOCATION_FEATURES,
    ORDER_DISTANCE,
    ORDER_INDEX,
    ORDER_PRICE,
    ORDER_RATING,
    ORDER_RELEVANCE,
    SearchCriteria,
    search_count,
    search_ids,
    search_page_sql,
    search_profiles,
)

__all__ = [
    "LOCATION_FEATURES",
    "ORDER_DISTANCE",
    "ORDER_INDEX",
    "ORDER_PRICE",
    "ORDER_RATING",
    "ORDER_RELEVANCE",
    "SearchCriteria",
    "search_count",
    "search_ids",
    "search_page_sql",
    "search_profiles",
    "update_search_cards",
]
