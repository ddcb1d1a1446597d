import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

MODERATORS_GROUP = "moderators"


class Role(models.TextChoices):
    CLIENT = "client", "Client"
    PRACTITIONER = "practitioner", "Practitioner"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_by_natural_key(self, username):
        # E-mail is the login and is unique regardless of case.
        return self.get(email__iexact=username)

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).strip(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CLIENT)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Set when the account was deleted: personal data is wiped, financial records stay.
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # When the owner of `email` proved it (accounts.verification); None until then.
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # E.164 ("+4930123456") for SMS reminders, or empty.
    phone = models.CharField(max_length=16, blank=True, default="", db_default="")
    # Every session token carries the version it was issued under (accounts.tokens); raising
    # it ends them all at once. Raised with an UPDATE (F() + 1), never from a stale copy.
    token_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        # A new password (set_password, then save: the API, the admin, `changepassword`,
        # a shell) ends every session. `_password` is set only by set_password, not when
        # check_password re-hashes the same password with newer parameters.
        if self._password is not None and not self._state.adding:
            self.token_version = models.F("token_version") + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "token_version"}
            super().save(*args, **kwargs)
            self.refresh_from_db(fields=["token_version"])
            return
        super().save(*args, **kwargs)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_practitioner(self) -> bool:
        return self.role == Role.PRACTITIONER

    @property
    def is_moderator(self) -> bool:
        if self.is_staff:
            return True
        return self.groups.filter(name=MODERATORS_GROUP).exists()

    @property
    def public_name(self) -> str:
        """First name and initial of the last, as reviews show a client ("Anna K.")."""
        parts = self.name.split()
        if not parts:
            return "Anonymous"
        if len(parts) == 1:
            return parts[0]
        return f"{parts[0]} {parts[-1][0]}."
