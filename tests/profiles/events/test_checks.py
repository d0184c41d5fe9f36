"""The production check of the real-time store's persistence, against a real redis-server."""

import pytest
import redis

from feedsite import realtime
from profiles.events.checks import realtime_persistence_check


@pytest.fixture
def production(settings, redis_server):
    settings.PRODUCTION = True
    return realtime.client()


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"appendonly": "yes", "appendfsync": "everysec", "save": ""}, []),
        ({"appendonly": "yes", "appendfsync": "always", "save": ""}, []),
        ({"appendonly": "yes", "appendfsync": "no", "save": ""}, ["events.W003"]),
        ({"appendonly": "no", "appendfsync": "everysec", "save": "3600 1"}, ["events.W003"]),
        ({"appendonly": "no", "appendfsync": "everysec", "save": ""}, ["events.W001"]),
    ],
)
def test_production_warns_unless_redis_writes_an_append_only_file_with_fsync(production, config, expected):
    for key, value in config.items():
        production.config_set(key, value)

    assert [message.id for message in realtime_persistence_check()] == expected


def test_a_redis_that_forbids_config_is_reported_as_unverified(production, monkeypatch):
    def forbidden(*args, **kwargs):
        raise redis.exceptions.ResponseError("unknown command 'CONFIG'")

    monkeypatch.setattr(production, "config_get", forbidden)

    assert [message.id for message in realtime_persistence_check()] == ["events.W002"]


def test_outside_production_nothing_is_checked(settings, redis_server):
    settings.PRODUCTION = False

    assert realtime_persistence_check() == []
