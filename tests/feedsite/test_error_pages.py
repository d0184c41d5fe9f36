"""The friendly 404 and 500 pages a shopper gets outside ``/api/`` with ``DEBUG`` off."""

import pytest
from django.http import Http404
from django.test import Client, RequestFactory

from feedsite.errors import page_not_found, server_error
from tests.factories import ProductFactory


@pytest.fixture
def production(settings):
    settings.DEBUG = False


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/nothing-here", "/p/987654", "/c/987654"])
def test_a_missing_page_is_the_sites_404_with_a_way_back_to_the_feed(production, path):
    response = Client().get(path)

    body = response.content.decode()
    assert response.status_code == 404
    assert '<h1 id="error-title">This page isn\'t here</h1>' in body
    assert '<a class="button" href="/">Back to the feed</a>' in body
    assert 'href="/static/css/app.css"' in body  # the site's own look
    assert "Page not found at" not in body  # Django's debug page
    assert "Using the URLconf" not in body


@pytest.mark.django_db
def test_a_product_no_longer_sold_is_the_sites_404(production):
    product = ProductFactory(active=False)

    response = Client().get(f"/p/{product.pk}")

    assert response.status_code == 404
    assert "This page isn't here" in response.content.decode()


@pytest.mark.django_db
def test_a_failing_page_is_the_sites_500_without_the_error(production, settings):
    settings.ROOT_URLCONF = "tests.feedsite.boom_urls"

    response = Client(raise_request_exception=False).get("/boom")

    body = response.content.decode()
    assert response.status_code == 500
    assert '<h1 id="error-title">Something went wrong on our side</h1>' in body
    assert '<a href="/">Back to the feed</a>' in body
    assert "a bug" not in body
    assert "Traceback" not in body
    assert "RuntimeError" not in body


def test_the_404_page_renders_without_the_database(settings):
    # No django_db mark: a missing media file is answered without a query (content.media.urls).
    settings.DEBUG = False
    response = page_not_found(RequestFactory().get("/media/nothing.jpg"), Http404("Not a media file."))

    assert response.status_code == 404
    assert "This page isn't here" in response.content.decode()


def test_the_500_page_renders_without_the_database_or_context_processors():
    # No django_db mark: any query fails the test, as would a context processor that reads the shopper.
    response = server_error(RequestFactory().get("/somewhere"))

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


@pytest.mark.django_db
def test_the_api_keeps_its_error_shape(production):
    response = Client().get("/api/v1/nothing-here")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
