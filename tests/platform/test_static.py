"""Production static files: collected, compressed, hashed and served by the app itself (WhiteNoise)."""
import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client, override_settings


PRODUCTION_STORAGES = django_settings.STORAGES  # as configured, before any test overrides it


@pytest.fixture(scope="module")
def static_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", "--noinput", verbosity=0)
    return root


@pytest.fixture
def production(settings, static_root):
    settings.STATIC_ROOT, settings.STORAGES, settings.DEBUG = static_root, PRODUCTION_STORAGES, False


@pytest.mark.parametrize("asset", ["rest_framework/css/bootstrap.min.css",
                                   "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"])
def test_hashed_assets_are_served_compressed_with_long_cache_headers(production, asset):
    url = staticfiles_storage.url(asset)
    assert url != f"/static/{asset}", "the production URL carries a content hash"
    response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]


@pytest.mark.parametrize("page, asset", [("/docs/", "swagger-ui-dist/swagger-ui-bundle"),
                                         ("/redoc/", "redoc/bundles/redoc.standalone")])
def test_docs_pages_load_their_assets_from_the_shop(production, page, asset):
    html = Client().get(page, HTTP_ACCEPT="text/html").content.decode()
    assert f"/static/drf_spectacular_sidecar/{asset}." in html
    assert "://" not in html.replace("http://testserver", ""), "no asset from another host"
