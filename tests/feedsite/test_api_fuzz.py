"""Every operation of ``/api/schema/``, fuzzed by schemathesis through the WSGI application.

Bodies, path parameters and query strings are generated from the schema, valid and not; each
response must not be a server error, and must match the schema (status, content type, body). Run
as an anonymous visitor (``X-Visitor-Id``) and as a token user, on a shop with published items.

Examples per operation: ``API_FUZZ_EXAMPLES`` (default 20), derandomized so that CI is repeatable;
``API_FUZZ_RANDOM=1`` explores new examples on each run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from profiles.middleware import visitor_id_sign
from profiles.services import shopper_for_user
from tests.factories import (
    BrandFactory,
    CommentFactory,
    ContentItemFactory,
    CreatorFactory,
    ProductFactory,
    TagFactory,
    UserFactory,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "20"))

schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(params=["visitor", "token"])
def identity(request, db) -> dict[str, str]:
    """The headers of the requesting shopper."""
    if request.param == "visitor":
        return {"X-Visitor-Id": visitor_id_sign(uuid.uuid4())}
    user = UserFactory()
    shopper_for_user(user=user)
    # A merchant too, so that the catalog sync's writes are fuzzed, not only its refusals.
    brand = BrandFactory(slug="fuzz-brand")
    brand.merchants.add(user)
    ProductFactory(external_id="FUZZ-1", brand=brand)
    return {"Authorization": f"Token {Token.objects.create(user=user).key}"}


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """The project's WSGI application, keeping the test's database connection across requests
    (Django closes it when a request finishes; the test client does this too)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, identity, wsgi_app):
    creator = CreatorFactory()
    tag = TagFactory()
    for _ in range(3):
        item = ContentItemFactory(creator=creator, products=[ProductFactory(stock=5)], tags=[tag])
        CommentFactory(content=item)
    loaded = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    loaded.config.update(headers=identity)
    return loaded


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("API_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_input_makes_a_server_error_or_breaks_the_schema(case):
    case.call_and_validate(checks=CHECKS)
