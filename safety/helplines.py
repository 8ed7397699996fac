"""Crisis resources by country. Admins edit them in Django admin; helplines.toml
beside this file seeds the database and is what the help page falls back to when
the database can't be reached, so help shows when nothing else does."""

import logging
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import DatabaseError

DATA_FILE = Path(__file__).with_name("helplines.toml")
DEFAULT = "default"


@dataclass(frozen=True)
class Resource:
    name: str
    detail: str
    phone: str = ""
    sms: str = ""
    url: str = ""

    @property
    def phone_href(self) -> str:
        return "tel:" + "".join(char for char in self.phone if char.isdigit() or char == "+")

    @property
    def sms_href(self) -> str:
        return "sms:" + "".join(char for char in self.sms if char.isdigit() or char == "+")


@dataclass(frozen=True)
class CountryHelp:
    code: str
    country_name: str
    emergency_number: str
    resources: tuple[Resource, ...]


logger = logging.getLogger(__name__)


def all_countries() -> dict[str, CountryHelp]:
    try:
        from_database = _from_database()
    except DatabaseError:
        logger.warning("crisis help from the file: the database is unavailable", exc_info=True)
        from_database = None
    return from_database or from_file()


def _from_database() -> dict[str, CountryHelp] | None:
    from safety.models import CountryHelp as CountryRow

    rows = list(CountryRow.objects.prefetch_related("resources"))
    if not rows:
        return None
    return {
        row.code: CountryHelp(
            code=row.code,
            country_name=row.country_name,
            emergency_number=row.emergency_number,
            resources=tuple(
                Resource(name=r.name, detail=r.detail, phone=r.phone, sms=r.sms, url=r.url)
                for r in row.resources.all()
            ),
        )
        for row in rows
    }


@cache
def from_file() -> dict[str, CountryHelp]:
    data = tomllib.loads(DATA_FILE.read_text(encoding="utf-8"))
    return {
        code: CountryHelp(
            code=code,
            country_name=entry["country_name"],
            emergency_number=entry["emergency_number"],
            resources=tuple(Resource(**resource) for resource in entry["resources"]),
        )
        for code, entry in data.items()
    }


def help_for(country_code: str | None, countries=None) -> CountryHelp | None:
    """The resources for a country, or None when we list none for it."""
    if not country_code:
        return None
    return (countries or all_countries()).get(country_code.upper())


def listed_countries(countries=None) -> list[CountryHelp]:
    return sorted(
        (entry for code, entry in (countries or all_countries()).items() if code != DEFAULT),
        key=lambda entry: entry.country_name,
    )


def international(countries=None) -> CountryHelp:
    countries = countries or all_countries()
    return countries.get(DEFAULT) or from_file()[DEFAULT]


def country_from_accept_language(header: str) -> str | None:
    """The first region named in an Accept-Language header ("en-GB,en;q=0.9" -> "GB")."""
    for part in header.split(","):
        tag = part.split(";")[0].strip()
        pieces = tag.replace("_", "-").split("-")
        if len(pieces) >= 2 and len(pieces[1]) == 2 and pieces[1].isalpha():
            return pieces[1].upper()
    return None
