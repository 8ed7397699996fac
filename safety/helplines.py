"""Crisis resources by country, read from helplines.toml beside this file. It is read
from disk, not the database, so the help page works when nothing else does."""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

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


@cache
def all_countries() -> dict[str, CountryHelp]:
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


def help_for(country_code: str | None) -> CountryHelp | None:
    """The resources for a country, or None when we list none for it."""
    if not country_code:
        return None
    return all_countries().get(country_code.upper())


def listed_countries() -> list[CountryHelp]:
    return sorted(
        (entry for code, entry in all_countries().items() if code != DEFAULT),
        key=lambda entry: entry.country_name,
    )


def international() -> CountryHelp:
    return all_countries()[DEFAULT]


def country_from_accept_language(header: str) -> str | None:
    """The first region named in an Accept-Language header ("en-GB,en;q=0.9" -> "GB")."""
    for part in header.split(","):
        tag = part.split(";")[0].strip()
        pieces = tag.replace("_", "-").split("-")
        if len(pieces) >= 2 and len(pieces[1]) == 2 and pieces[1].isalpha():
            return pieces[1].upper()
    return None
