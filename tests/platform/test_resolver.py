"""shop.platform.config.resolver resolves every path as Django's plain resolver over the same patterns would: every
route of every role's URLconf in both slash forms with sample ids, unknown paths, the catch-all and the admin,
and URLconfs built so that the order of the patterns decides the winner."""
import json
import re
import types
from importlib import import_module

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.template import Context, Template
from django.urls import URLResolver, get_resolver, include, path, re_path, reverse
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern
from drf_spectacular.generators import SchemaGenerator

from shop.platform.config.resolver import IndexedResolver, first_segments, indexed, plain
from shop.platform.topology import ROLES
from tests.role_process import run_in_role

CONVERTER = re.compile(r"<(?:(\w+):)?\w+>")
SAMPLES = {"id": ("7", "0", "9" * 18, "9" * 19, "x"), "int": ("7", "x"), "path": ("7", "a/b"), "str": ("abc", "a.b")}
UNKNOWN = ("", "/", "//", "nowhere", "nowhere/", "PRODUCTS", "products/x", "products//7", "/products/7",
           "products/7\n", "docsx", "health/live/x", "admin", "admin/", "admin/nowhere/", "admin/catalog/",
           "admin/auth/user/", "api-auth", "api-auth/login", "api-auth/login/", "internal", "bench/empty/x")


def flat(urlpatterns) -> list:
    """A URLconf's patterns as Django's plain resolver walks them, its IndexedResolver opened."""
    return [pattern for entry in urlpatterns
            for pattern in (entry.url_patterns if isinstance(entry, IndexedResolver) else (entry,))]


def sample_paths(patterns, prefix="") -> set[str]:
    """Paths each route matches or nearly matches: sample values for its converters, with and without the
    trailing slash, and a segment longer; regex routes (the catch-all) are left to UNKNOWN."""
    paths = set()
    for pattern in patterns:
        if not isinstance(pattern.pattern, RoutePattern):
            continue
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            paths |= {route, *sample_paths(pattern.url_patterns, route)}
            continue
        kinds = [kind or "str" for kind in CONVERTER.findall(route)]
        for i in range(max((len(SAMPLES[kind]) for kind in kinds), default=1)):
            bare = CONVERTER.sub(lambda converter: sample(converter.group(1) or "str", i), route).removesuffix("/")
            paths |= {bare, f"{bare}/", f"{bare}/more"}
    return paths


def sample(kind: str, i: int) -> str:
    samples = SAMPLES[kind]
    return samples[min(i, len(samples) - 1)]


def outcome(resolver, path):
    """All that a match tells, but the patterns tried on the way."""
    try:
        match = resolver.resolve(path)
    except Resolver404:
        return "Resolver404"
    return (match.func, match.args, match.kwargs, match.url_name, match.route, match.app_names, match.namespaces,
            match.view_name, match.captured_kwargs, match.extra_kwargs)


def mismatches(urlpatterns) -> tuple[int, list[str]]:
    """Paths checked, and those resolved otherwise than by Django's plain resolver over the URLconf's patterns:
    through the URLconf itself, through an IndexedResolver over its patterns, and through that index alone
    (the patterns it picks for the path, without Django's walk over them all behind it)."""
    patterns = flat(urlpatterns)
    django_root = URLResolver(RegexPattern(r"^/"), patterns)
    roots = {"urlconf": URLResolver(RegexPattern(r"^/"), urlpatterns),
             "indexed": URLResolver(RegexPattern(r"^/"), indexed(patterns))}
    index = IndexedResolver(patterns)
    paths = sample_paths(patterns) | set(UNKNOWN)
    found = [f"{name} /{path!r}" for path in paths for name, root in roots.items()
             if outcome(root, f"/{path}") != outcome(django_root, f"/{path}")]
    found += [f"index alone {path!r}" for path in paths
              if outcome(plain(index.candidates_for(path)), path) != outcome(plain(patterns), path)]
    return len(paths), found


def view(name):
    def answer(request, **kwargs):
        return HttpResponse(name)
    answer.__name__ = name
    return answer


# The first pattern that matches wins, indexed or not: each case below has a later pattern that matches too.
ORDERED = [
    path("ints/<int:n>", view("first-int")), path("ints/7", view("shadowed")),
    re_path(r"^regex/8$", view("regex-first")), path("regex/8", view("after-regex")),
    path("<str:kind>/9", view("converter-first")), path("conv/9", view("after-converter")),
    path("", include(([path("ns/10", view("namespaced"))], "ns"))), path("ns/10", view("after-namespace")),
    path("prefix/", include([path("x", view("included"))])), path("prefix/x", view("after-include")),
    path("th", include([path("ings/11", view("bare-prefix"))])), path("things/11", view("after-bare-prefix")),
    path("docs", view("docs")), path("", view("root")),
    re_path(r"^regex/12", view("regex-prefix")), path("regex/12/more", view("after-regex-prefix")),
    re_path(r"", view("catch-all")),
]
WINNERS = {"ints/7": "first-int", "ints/9": "first-int", "regex/8": "regex-first", "conv/9": "converter-first",
           "other/9": "converter-first", "ns/10": "namespaced", "prefix/x": "included", "things/11": "bare-prefix",
           "docs": "docs", "docsx": "catch-all", "": "root", "regex/12/more": "regex-prefix", "ints/x": "catch-all"}


def test_the_first_pattern_to_match_wins_as_in_django():
    resolver = IndexedResolver(ORDERED)
    for path_, winner in WINNERS.items():
        assert resolver.resolve(path_).func.__name__ == winner, path_
        assert outcome(resolver, path_) == outcome(plain(ORDERED), path_), path_
    assert resolver.resolve("ns/10").namespaces == ["ns"]
    assert mismatches(ORDERED)[1] == []


def test_a_pattern_is_indexed_by_the_first_segments_it_can_match():
    anything = None  # a regex, a converter first, or an include's bare prefix ("th" starts "things" too)
    assert [first_segments(pattern) for pattern in ORDERED] == [
        {"ints"}, {"ints"}, anything, {"regex"}, anything, {"conv"}, {"ns"}, {"ns"}, {"prefix"}, {"prefix"}, anything,
        {"things"}, {"docs"}, {""}, anything, {"regex"}, anything]


def test_a_path_that_no_pattern_matches_gets_django_s_resolver404():
    patterns = ORDERED[:-1]  # no catch-all
    with pytest.raises(Resolver404) as indexed_miss:
        IndexedResolver(patterns).resolve("nowhere/1")
    with pytest.raises(Resolver404) as plain_miss:
        plain(patterns).resolve("nowhere/1")
    assert indexed_miss.value.args == plain_miss.value.args  # the path, and every pattern tried


@pytest.mark.parametrize("sabotage", ["reversed", "unindexed dropped", "indexed dropped"])
def test_the_comparison_fails_when_the_index_changes_the_winner(monkeypatch, sabotage):
    candidates_for = IndexedResolver.candidates_for
    broken = {"reversed": lambda found: found[::-1],
              "unindexed dropped": lambda found: [p for p in found if first_segments(p) is not None],
              "indexed dropped": lambda found: [p for p in found if first_segments(p) is None]}[sabotage]
    monkeypatch.setattr(IndexedResolver, "candidates_for", lambda self, path_: broken(candidates_for(self, path_)))
    assert mismatches(ORDERED)[1]


@pytest.mark.parametrize("urlconf", ["shop.urls", "bench.urls", "gateway_urls", "tests.internal_urls"])
def test_each_urlconf_in_process_resolves_as_django_does(urlconf):
    checked, found = mismatches(import_module(urlconf).urlpatterns)
    assert checked > 60 and found == []


def role_report() -> dict:
    """Run in a process of another role (SHOP_SERVICE): its URLconfs checked as above."""
    report = {}
    for urlconf in (settings.ROOT_URLCONF, "bench.urls"):
        urlpatterns = import_module(urlconf).urlpatterns
        checked, found = mismatches(urlpatterns)
        report[urlconf] = {"indexed": isinstance(urlpatterns[0], IndexedResolver), "checked": checked, "found": found}
    return report


@pytest.mark.parametrize("role", [role for role in ROLES if role != "monolith"])
def test_each_role_resolves_as_django_does(role, tmp_path):
    code = ("import django, json; django.setup(); from tests.platform.test_resolver import role_report; "
            "print(json.dumps(role_report()))")
    report = run_in_role(role, code, tmp_path)
    for urlconf, checked in report.items():
        assert checked["found"] == [] and checked["checked"] > 20, (urlconf, checked)
        assert checked["indexed"] == (role != "gateway"), urlconf  # the gateway's short way reads a flat list


def test_the_monolith_resolves_through_the_index():
    (resolver,) = get_resolver().url_patterns
    assert isinstance(resolver, IndexedResolver)
    assert len(resolver.candidates_for("products/7")) < len(resolver.url_patterns) / 4


def flat_urlconf(urlconf: str) -> types.ModuleType:
    module = types.ModuleType(f"flat_{urlconf}")
    module.urlpatterns = flat(import_module(urlconf).urlpatterns)
    return module


def test_reverse_and_the_url_tag_find_the_same_paths():
    unindexed = flat_urlconf("shop.urls")
    for path_ in ("/", "/health", "/products/7", "/orders/7/pay", "/api-auth/login/", "/admin/",
                  "/admin/catalog/product/7/change/"):
        match = get_resolver().resolve(path_)
        assert match.url_name, path_
        assert reverse(match.view_name, kwargs=match.kwargs) == path_
        assert reverse(match.view_name, kwargs=match.kwargs, urlconf=unindexed) == path_
    tags = "{% url 'product-detail' product_id=7 %} {% url 'rest_framework:login' %} {% url 'admin:index' %}"
    assert Template(tags).render(Context()) == "/products/7 /api-auth/login/ /admin/"


def test_the_schema_is_generated_from_the_same_routes():
    schemas = [SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
               for urlconf in ("shop.urls", flat_urlconf("shop.urls"))]
    assert json.dumps(schemas[0], sort_keys=True, default=str) == json.dumps(schemas[1], sort_keys=True, default=str)
