"""shop.platform.api.negotiation chooses what DRF's own negotiation chooses, whatever the request asks for."""
import pytest
from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from shop.platform.api.negotiation import ContentNegotiation
from shop.platform.api.renderers import BrowsableAPIRenderer

RENDERERS = [JSONRenderer(), BrowsableAPIRenderer()]


def choice(negotiation, request, format_suffix=None):
    """(renderer class, media type), or the exception when nothing the request accepts can be rendered."""
    try:
        renderer, media_type = negotiation.select_renderer(request, RENDERERS, format_suffix)
    except NotAcceptable as exc:
        return type(exc)
    return type(renderer), media_type


@pytest.mark.parametrize("accept", [None, "*/*", "application/json", "text/html", "application/json; indent=4",
                                    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"])
@pytest.mark.parametrize("query", [{}, {"format": "api"}, {"format": "json"}, {"page": "2"}])
def test_the_same_choice_as_drf(accept, query):
    headers = {"HTTP_ACCEPT": accept} if accept else {}
    request = Request(APIRequestFactory().get("/products/1", query, **headers))
    assert choice(ContentNegotiation(), request) == choice(DefaultContentNegotiation(), request)


def test_a_format_suffix_is_honoured():
    request = Request(APIRequestFactory().get("/products/1"))
    assert choice(ContentNegotiation(), request, "api") == (BrowsableAPIRenderer, "text/html")
