"""A URL resolver that tries, for a path, only the patterns that could match its first segment.

Django's resolver tries a URLconf's patterns in order until one matches, so a route far down a flat list costs
every pattern above it. `indexed(patterns)` resolves exactly as those patterns would, in their order, yet for
"products/7" tries only the routes starting with "products/" and the patterns whose first segment cannot be
told in advance (a regex such as the catch-all, a converter first), each where it stands in the list."""
from functools import cached_property

from django.urls import Resolver404, URLPattern, URLResolver
from django.urls.resolvers import RoutePattern


def first_segments(pattern) -> frozenset[str] | None:
    """The first path segments `pattern` can match ("products/<id:product_id>" -> {"products"}), or None: any.
    A route translated per language (none here) would be read in the language active on first use."""
    if not isinstance(pattern.pattern, RoutePattern):
        return None
    route = str(pattern.pattern)
    head, slash, _ = route.partition("/")
    if "<" in head:
        return None
    if slash or isinstance(pattern, URLPattern):  # path() anchors a view's route at both ends: "docs" is "docs" only
        return frozenset((head,))
    if route:  # an include's bare prefix ("adm") also starts longer segments ("admin")
        return None
    nested = [first_segments(nested) for nested in pattern.url_patterns]  # an include at "", such as a namespace's
    return None if None in nested else frozenset().union(*nested)


def plain(patterns) -> URLResolver:
    """Django's own resolver over `patterns`, mounted at "": what `path("", include(patterns))` builds."""
    return URLResolver(RoutePattern(""), patterns)


class IndexedResolver(URLResolver):
    """Resolves a path as plain(patterns) would, trying only the patterns that could match its first segment.

    A match is plain(patterns)'s but for `tried` (the debug 404 page's list): a view's route answers with its own
    match, which lists none, and an include with its own attempts only. A path that no candidate matches goes to
    Django's walk over every pattern, so its Resolver404 is Django's."""

    def __init__(self, patterns):
        super().__init__(RoutePattern(""), patterns)

    @cached_property
    def candidates(self) -> tuple[dict[str, list], list]:
        """For each known first segment, the patterns that can match it, in URLconf order; and the patterns that
        can match any, for the other segments. A view's route is tried as it stands, since a resolver adds nothing
        at "" to its match; an include inside a plain resolver at "", which adds its prefix, namespace and kwargs
        as this resolver's walk would. Built on first use, when any included URLconf module can be imported."""
        segments = [(pattern if isinstance(pattern, URLPattern) else plain([pattern]), first_segments(pattern))
                    for pattern in self.url_patterns]
        known = frozenset().union(*(found for _, found in segments if found is not None))
        by_segment = {segment: [pattern for pattern, found in segments if found is None or segment in found]
                      for segment in known}
        return by_segment, [pattern for pattern, found in segments if found is None]

    def candidates_for(self, path: str) -> list:
        """The patterns that could match `path` (relative to this resolver), in URLconf order."""
        by_segment, anything = self.candidates
        return by_segment.get(path.partition("/")[0], anything)

    def resolve(self, path):
        path = str(path)  # path may be a reverse_lazy object
        for pattern in self.candidates_for(path):
            try:
                match = pattern.resolve(path)
            except Resolver404:
                continue
            if match:
                return match
        return super().resolve(path)


def indexed(patterns) -> list:
    """The URL patterns of a URLconf, resolved through one IndexedResolver; one given among `patterns` (another
    URLconf's) is opened into the list, as an include at "" adds nothing to its patterns."""
    opened = [pattern for entry in patterns
              for pattern in (entry.url_patterns if isinstance(entry, IndexedResolver) else (entry,))]
    return [IndexedResolver(opened)]
