"""Phone numbers in E.164, parsed and checked by `phonenumbers` (libphonenumber's data)."""

import phonenumbers

from accounts.errors import PhoneInvalid


def phone_e164(raw: str | None) -> str:
    """The number in E.164 ("+4930123456"), or "" for no number; PhoneInvalid otherwise.

    Only international numbers (with their "+" and country code) are accepted: there is
    no country to assume a national number belongs to."""
    if raw is None or not raw.strip():
        return ""
    try:
        number = phonenumbers.parse(raw, None)
    except phonenumbers.NumberParseException as exc:
        raise PhoneInvalid(fields={"phone": [PhoneInvalid.message]}) from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneInvalid(fields={"phone": [PhoneInvalid.message]})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
