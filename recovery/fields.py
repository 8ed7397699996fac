from django.db import models

from recovery import crypto


class EncryptedJSONField(models.TextField):
    """A JSON value stored as a Fernet token: the column never holds the plaintext.
    It can't be searched or ordered by, which is the point."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else crypto.decrypt(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        return None if value is None else crypto.encrypt(value)

    def value_to_string(self, obj):
        return ""
