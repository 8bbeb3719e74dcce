"""Checks a payload before it is sent: LinkedIn's own field rules, then stricter contact checks.

LinkedIn only pattern-checks emails (X@X.X) and not phones at all, yet the seeds (PageUp) name
invalid emails and phone numbers as the most likely reason a candidate fails to sync. So on top
of `linkedin_schema.validate_record` every email is checked with email-validator (syntax only,
never DNS) and every phone number with phonenumbers. A record is rejected as a whole with all
its reasons. Pure: no I/O, no clock (the caller passes `now_ms`), and nothing here raises on
any payload.

Both libraries are slow and see the same values again and again (a candidate's email is each
of its applications' candidateEmail; a change re-builds unchanged dependents), so answers are
cached per value, and a payload already found clean is not checked again (`fingerprint`).
Most emails are plain ASCII addresses, accepted by a pattern without the library at all.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from functools import cache, lru_cache
from typing import Any

import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from recruitlink.core.linkedin_schema import FieldError, validate_record

__all__ = ["EMAIL_FIELDS", "check", "email_problem", "phone_problem"]

# Top-level single-email fields per resource; candidates' emailAddresses is a list.
EMAIL_FIELDS: Mapping[str, str] = {
    "atsApplications": "candidateEmail",
    "simpleJobPostings": "requisitionOwnerEmail",
    "tcrmPipelines": "ownerEmailAddress",
}

_PHONE_PARSE_ERRORS: Mapping[int, str] = {
    phonenumbers.NumberParseException.INVALID_COUNTRY_CODE: "has no valid country code",
    phonenumbers.NumberParseException.NOT_A_NUMBER: "is not a phone number",
    phonenumbers.NumberParseException.TOO_SHORT_AFTER_IDD: "is too short",
    phonenumbers.NumberParseException.TOO_SHORT_NSN: "is too short",
    phonenumbers.NumberParseException.TOO_LONG: "is too long",
}
_POSSIBILITY: Mapping[int, str] = {
    phonenumbers.ValidationResult.INVALID_COUNTRY_CODE: "has an invalid country code",
    phonenumbers.ValidationResult.TOO_SHORT: "is too short",
    phonenumbers.ValidationResult.TOO_LONG: "is too long",
    phonenumbers.ValidationResult.INVALID_LENGTH: "has an invalid length",
}
_ERROR_NUMBER = re.compile(r"^\(\d+\)\s*")


def _show(text: str) -> str:
    """A value quoted for a message, cut short so a huge input makes a short message."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


_VALUES_CACHED = 2048
"""Distinct emails and phone numbers remembered (a few hundred bytes each)."""
_CLEAN_CACHED = 2048
"""Payload fingerprints remembered as clean."""


def email_problem(email: str) -> str | None:
    """Why `email` is not a valid address (syntax only, no DNS), or None."""
    if not isinstance(email, str):
        return _email_problem.__wrapped__(email)
    return None if _plain_email(email) else _email_problem(email)


# Most addresses are plain ASCII ones that email-validator accepts after a long walk (Unicode
# checks, IDNA remapping); sync sees thousands of distinct ones, more than any cache holds. This
# pattern is a subset of what it accepts (tests/unit/test_validation_email_fast.py proves it
# against the library); anything else still goes to the library, which stays the authority.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_%+'-]+(?:\.[A-Za-z0-9_%+'-]+)*")
_PLAIN_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
_PLAIN_EMAIL = re.compile(f"(?P<local>{_PLAIN_LOCAL.pattern})@(?P<domain>{_PLAIN_DOMAIN.pattern})")
# .test, .local, ...: refused by the library, as are their subdomains.
_SPECIAL_DOMAINS = frozenset(SPECIAL_USE_DOMAIN_NAMES)
_SPECIAL_SUFFIXES = tuple("." + name for name in SPECIAL_USE_DOMAIN_NAMES)


def _plain_email(email: str) -> bool:
    """True when `email` is certainly valid without asking email-validator (False: ask it):
    `_PLAIN_EMAIL` matches it, with at most 64 characters before the "@" and 254 in all, and
    its domain is not special-use. Read as local part and domain (neither holds an "@"): a
    sync's addresses share a few domains, each judged once (`_plain_domain`)."""
    local, _, domain = email.partition("@")
    return (len(email) <= 254 and len(local) <= 64 and _PLAIN_LOCAL.fullmatch(local) is not None
            and _plain_domain(domain))


@lru_cache(maxsize=256)
def _plain_domain(domain: str) -> bool:
    if _PLAIN_DOMAIN.fullmatch(domain) is None:
        return False
    domain = domain.lower()
    if "--" in domain:  # "ab--" labels are refused, "xn--" ones need an IDNA check
        return False
    return domain not in _SPECIAL_DOMAINS and not domain.endswith(_SPECIAL_SUFFIXES)


@lru_cache(maxsize=_VALUES_CACHED)
def _email_problem(email: str) -> str | None:
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as exc:
        return f"invalid email address: {exc}"
    except Exception as exc:  # never raise, whatever the library makes of the input
        return f"invalid email address: {type(exc).__name__}"
    return None


def phone_problem(number: str, region: str = "US") -> str | None:
    """Why `number` is not a possible phone number, or None. A number that does not start
    with "+" is read as a national number of `region`."""
    if isinstance(number, str) and isinstance(region, str):
        return _phone_problem(number, region)
    return _phone_problem.__wrapped__(number, region)


# "+", a country code, then digits in groups split by single spaces: how an ATS that keeps
# international numbers writes them.
_PLAIN_INTERNATIONAL = re.compile(r"\+[1-9][0-9]*(?: [0-9]+)*", re.ASCII)


def _plain_possible(number: str) -> bool:
    """True when phonenumbers certainly parses `number` into a possible number (False: ask
    it). Its parsing (~30 us, most of a candidate's checks) is skipped: the country code is
    read as it reads it (the known code of 1 to 3 digits), and the library itself judges the
    national number's length. Anything its parsing would rewrite (a national prefix to strip,
    a leading zero) or refuse (a length out of range) is left to it, so its answer is always
    the library's (tests/unit/test_validation_phone_fast.py)."""
    if len(number) > 40 or _PLAIN_INTERNATIONAL.fullmatch(number) is None:
        return False
    digits = number[1:].replace(" ", "")
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return False
    national = digits[size:]
    if not 2 <= len(national) <= 17 or national[0] == "0":
        return False
    known, prefix = _calling_code(code)
    if not known or (prefix is not None and prefix(national)):
        return False
    return _possible_length(code, len(national))


@cache  # one entry per calling code the library knows (~250)
def _calling_code(code: int) -> tuple[bool, Callable[[str], object] | None]:
    """Whether the library has metadata for `code`, and the match of its national prefix for
    parsing (None: it has none): looked up and compiled once per code, not per number."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        code, COUNTRY_CODE_TO_REGION_CODE[code][0])
    if metadata is None:
        return False, None
    prefix = metadata.national_prefix_for_parsing
    return True, re.compile(prefix).match if prefix else None


@cache  # at most one entry per calling code and length (2 to 17)
def _possible_length(code: int, length: int) -> bool:
    """The library's is_possible_number for a national number of `length` digits, no leading
    zero: it reads the number's length alone (its national significant number, the digits),
    so any number of that length gets this answer."""
    return bool(phonenumbers.is_possible_number(
        phonenumbers.PhoneNumber(country_code=code, national_number=10 ** (length - 1))))


@lru_cache(maxsize=_VALUES_CACHED)
def _phone_problem(number: str, region: str) -> str | None:
    if _plain_possible(number):
        return None
    international = number.lstrip().startswith("+")
    parse_region = None if international else region.upper() if isinstance(region, str) else None
    where = "" if international else f" (read as a number of region {region})"
    shown = _show(number)
    try:
        parsed = phonenumbers.parse(number, parse_region)
    except phonenumbers.NumberParseException as exc:
        why = _PHONE_PARSE_ERRORS.get(exc.error_type) or _ERROR_NUMBER.sub("", str(exc))
        return f"invalid phone number: {shown} {why}{where}"
    except Exception as exc:  # never raise, whatever the library makes of the input
        return f"invalid phone number: {shown} could not be parsed ({type(exc).__name__})"
    try:
        if phonenumbers.is_possible_number(parsed):
            return None
        reason = phonenumbers.is_possible_number_with_reason(parsed)
    except Exception as exc:  # never raise
        return f"invalid phone number: {shown} could not be checked ({type(exc).__name__})"
    why = _POSSIBILITY.get(reason, "is not a possible phone number")
    return f"invalid phone number: {shown} {why}{where}"


def check(
    resource: str,
    payload: Mapping[str, Any],
    *,
    now_ms: int,
    operation: str | None = None,
    phone_region: str = "US",
    fingerprint: str | None = None,
) -> list[FieldError]:
    """Every reason to reject `payload` (one record of `resource`); [] when it may be sent.

    The errors of linkedin_schema.validate_record, then one per invalid email address and
    phone number. An unknown resource is one error on the whole record, not an exception.

    `fingerprint` is a digest of the payload (e.g. its content hash): a payload found clean
    under the same fingerprint, resource, operation and region is clean again, and is not
    re-checked. Only clean answers are remembered: the one rule that depends on `now_ms`
    (a date must not be in the future) can only stop failing as time goes on, never start.
    """
    if fingerprint is None:
        return _check(resource, payload, now_ms=now_ms, operation=operation,
                      phone_region=phone_region)
    remembered = (resource, operation, phone_region, fingerprint)
    if _clean.pop(remembered, False) is None:  # found clean: now the newest entry
        _clean[remembered] = None
        return []
    errors = _check(resource, payload, now_ms=now_ms, operation=operation,
                    phone_region=phone_region)
    if not errors:
        _clean[remembered] = None
        if len(_clean) > _CLEAN_CACHED:
            try:
                _clean.popitem(last=False)
            except KeyError:  # another thread emptied it meanwhile
                return errors
    return errors


_clean: OrderedDict[tuple[str, str | None, str, str | None], None] = OrderedDict()
"""Payloads found clean, oldest first. Builds may run on several threads, without a lock: each
OrderedDict operation is one C call (its keys are tuples of strings, whose hashing and
comparing run no Python code), so it is atomic; between two of them another thread may add
or drop an entry, which only costs a check again or a slot."""


def _check(resource: str, payload: Mapping[str, Any], *, now_ms: int, operation: str | None,
           phone_region: str) -> list[FieldError]:
    try:
        errors = validate_record(resource, payload, now_ms=now_ms, operation=operation)
    except ValueError as exc:  # unknown resource
        return [FieldError("", str(exc), 400)]
    if not isinstance(payload, Mapping):
        return errors
    # Each email, then each phone number, in the record's order; a path is built only for a
    # problem (most records have none).
    candidate = resource == "atsCandidates"
    if candidate and isinstance(addresses := payload.get("emailAddresses"), list | tuple):
        for index, email in enumerate(addresses):
            if isinstance(email, str) and (problem := email_problem(email)) is not None:
                errors.append(FieldError(f"/emailAddresses/{index}", problem))
    field = EMAIL_FIELDS.get(resource)
    if field is not None and isinstance(email := payload.get(field), str) and (
            problem := email_problem(email)) is not None:
        errors.append(FieldError(f"/{field}", problem))
    if candidate and isinstance(phones := payload.get("phoneNumbers"), list | tuple):
        for index, phone in enumerate(phones):
            if isinstance(phone, Mapping) and isinstance(number := phone.get("number"), str) and (
                    problem := phone_problem(number, phone_region)) is not None:
                errors.append(FieldError(f"/phoneNumbers/{index}/number", problem))
    return errors
