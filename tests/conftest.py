import pytest

from tests.factories import make_user


@pytest.fixture
def member(db):
    return make_user(display_name="Quiet River")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client
