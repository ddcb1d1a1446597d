from django.db import transaction
from django.utils.text import slugify

from accounts.models import User
from directory.models import PractitionerProfile


def _unique_slug(*, base: str, exclude_pk=None) -> str:
    root = slugify(base)[:100] or "practitioner"
    candidate, n = root, 1
    taken = PractitionerProfile.objects.exclude(pk=exclude_pk)
    while taken.filter(slug=candidate).exists():
        n += 1
        candidate = f"{root}-{n}"
    return candidate


def profile_create_for_practitioner(*, user: User) -> PractitionerProfile:
    """Every practitioner gets an unpublished profile at registration."""
    with transaction.atomic():
        return PractitionerProfile.objects.create(
            user=user,
            display_name=user.name,
            slug=_unique_slug(base=user.name or user.email.split("@")[0]),
        )
