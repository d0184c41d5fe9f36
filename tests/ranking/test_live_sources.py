import pytest
from django.db import OperationalError, connection

from ranking.candidates.live import time_limit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("statement timeouts are PostgreSQL's")


def _sleep(seconds: float) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(%s)", [seconds])


def test_a_query_past_the_time_limit_is_cancelled():
    with pytest.raises(OperationalError, match="statement timeout"), time_limit(50):
        _sleep(1)


def test_the_limit_ends_with_the_block_whether_it_fired_or_not():
    with time_limit(50):
        _sleep(0.01)
    with pytest.raises(OperationalError), time_limit(50):
        _sleep(1)

    _sleep(0.2)  # longer than the limit, after it: not cancelled
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "0"
