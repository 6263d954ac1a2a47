"""shop.platform.api.views answers as DRF's own APIView does, with what depends on the view class made once,
and never handed to a view that declares other classes."""
from django.http import HttpResponse
from django.utils.cache import patch_cache_control
from rest_framework.authentication import BasicAuthentication, SessionAuthentication
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from shop.platform.api.caching import revalidated_public_read
from shop.platform.api.renderers import BrowsableAPIRenderer, JSONRenderer
from shop.platform.api.views import ApiView, SharedPolicies

factory = APIRequestFactory()


class Reads(ApiView):
    authentication_classes = [SessionAuthentication]
    parser_classes = [JSONParser]

    def get(self, request):
        return Response({"ok": True})


class Writes(ApiView):
    authentication_classes = [BasicAuthentication, SessionAuthentication]
    parser_classes = [FormParser]

    def get(self, request):
        return Response({"ok": True}, headers={"Vary": "Cookie"})

    def post(self, request):
        return Response(status=201)


class DrfReads(APIView):  # the same view on DRF's own base, to compare with
    authentication_classes = [SessionAuthentication]

    def get(self, request):
        return Response({"ok": True})


def view_of(cls, **initkwargs):
    view = cls(**initkwargs)
    view.setup(factory.get("/"))
    return view


def test_policies_are_made_once_for_a_set_of_classes():
    first, second = view_of(Reads), view_of(Reads)
    assert first.get_authenticators()[0] is second.get_authenticators()[0]
    assert first.get_parsers()[0] is second.get_parsers()[0]
    assert first.get_authenticators() is not second.get_authenticators()  # a list of its own to each caller


def test_a_view_gets_the_policies_of_its_own_classes():
    reads, writes = view_of(Reads), view_of(Writes)
    assert [type(a) for a in reads.get_authenticators()] == [SessionAuthentication]
    assert [type(a) for a in writes.get_authenticators()] == [BasicAuthentication, SessionAuthentication]
    assert [type(p) for p in writes.get_parsers()] == [FormParser]
    changed = view_of(Reads)
    changed.authentication_classes = [BasicAuthentication]
    assert [type(a) for a in changed.get_authenticators()] == [BasicAuthentication]


def test_permissions_and_throttles_are_still_made_per_request():
    first, second = view_of(Reads), view_of(Reads)
    assert first.get_permissions()[0] is not second.get_permissions()[0]


def test_allowed_methods_and_headers_per_view_class_and_method_list():
    assert view_of(Reads).allowed_methods == ["GET", "HEAD", "OPTIONS"]
    assert view_of(Writes).allowed_methods == ["GET", "POST", "HEAD", "OPTIONS"]
    assert view_of(Writes, http_method_names=["get", "options"]).allowed_methods == ["GET", "OPTIONS"]
    headers = view_of(Reads).default_response_headers
    assert headers == {"Allow": "GET, HEAD, OPTIONS", "Vary": "Accept"}
    headers.pop("Vary")
    assert view_of(Reads).default_response_headers["Vary"] == "Accept"  # each view its own copy


def test_responses_carry_what_drf_gives_them():
    ours = Reads.as_view()(factory.get("/", HTTP_ACCEPT="application/json"))
    drf = DrfReads.as_view()(factory.get("/", HTTP_ACCEPT="application/json"))
    ours.render(), drf.render()
    assert ours.content == drf.content and ours.headers == drf.headers
    assert Writes.as_view()(factory.get("/"))["Vary"] == "Cookie, Accept"  # a view's own Vary is kept
    assert Writes.as_view()(factory.options("/"))["Allow"] == "GET, POST, HEAD, OPTIONS"


def test_a_revalidated_read_writes_what_patch_cache_control_writes():
    class Read:
        @revalidated_public_read
        def get(self, request, headers):
            return HttpResponse(headers=headers)

    for headers in [{}, {"Cache-Control": "max-age=60"}, {"Cache-Control": "private"}]:
        expected = HttpResponse(headers=headers)
        patch_cache_control(expected, public=True, no_cache=True)
        assert Read().get(None, headers)["Cache-Control"] == expected["Cache-Control"]


def test_the_json_renderer_indents_as_drfs():
    data = {"a": [1, {"b": "é"}]}
    for media_type in ["application/json", "application/json; indent=4", "application/json;indent=2", None]:
        for context in [{}, {"indent": 2}]:
            ours, drfs = JSONRenderer(), DRFJSONRenderer()
            assert ours.render(data, media_type, context) == drfs.render(data, media_type, context)


def test_the_browsable_api_still_renders_with_the_json_renderer():
    response = Reads.as_view(renderer_classes=[JSONRenderer, BrowsableAPIRenderer])(
        factory.get("/", HTTP_ACCEPT="text/html"))
    response.render()
    assert response.status_code == 200 and b"&quot;ok&quot;: true" in response.content


def test_every_shop_drf_view_in_the_urlconf_is_built_on_these_bases():
    from django.urls import URLPattern, URLResolver, get_resolver

    def views(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
                yield pattern.callback.cls

    ours = {cls for cls in views(get_resolver().url_patterns) if cls.__module__.startswith("shop.")}
    assert ours and all(issubclass(cls, SharedPolicies) for cls in ours), ours
