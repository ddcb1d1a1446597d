"""The search-card rewrite (directory.search_cards)."""

from __future__ import annotations

from django.db import connections


def update_search_cards(profile_model, cards: list[tuple], *, using: str = "default") -> None:
    """Set each (profile id, card) pair's search card: one UPDATE per profile, sent together.

    Takes the model so that a migration can pass its historical one. Model instances and
    `bulk_update` took half an hour at a million profiles.
    """
    conn = connections[using]
    card_field, pk_field = profile_model._meta.get_field("search_card"), profile_model._meta.pk
    quote = conn.ops.quote_name
    update = (
        f"UPDATE {quote(profile_model._meta.db_table)} SET {quote(card_field.column)} = %s"
        f" WHERE {quote(pk_field.column)} = %s"
    )
    params = [
        (card_field.get_db_prep_save(card, conn), pk_field.get_db_prep_value(pk, conn))
        for pk, card in cards
    ]
    with conn.cursor() as cursor:
        cursor.executemany(update, params)
