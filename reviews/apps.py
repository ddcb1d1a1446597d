from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from directory.ratings import register_rating_source
        from reviews.models import PractitionerRating

        # Directory's search and profile read ratings from reviews' table (directory.ratings).
        register_rating_source(
            model=PractitionerRating,
            practitioner="practitioner",
            average="rating_average",
            count="rating_count",
        )
