"""The community rules every member accepts. Bump CURRENT_RULES_VERSION (and add the
new text as templates/safety/rules/v<N>.html) when they change; members are then asked
to accept the new version."""

import datetime

CURRENT_RULES_VERSION = 1
RULES_EFFECTIVE = {1: datetime.date(2026, 11, 22)}


def rules_template(version: int = CURRENT_RULES_VERSION) -> str:
    return f"safety/rules/v{version}.html"
