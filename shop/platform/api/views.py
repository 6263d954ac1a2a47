"""The bases of the shop's DRF views: DRF's APIView and GenericAPIView, doing once what depends only on the
view's class instead of on every request. Authenticators and parsers are made once per set of classes and
shared (they keep no per-request state: DRF's contract is that they return what they find); the Allow and
Vary headers are worked out once per view class. Permissions (which may set a message per request),
throttles (which count) and renderers (the browsable one keeps the request it renders) are still made per
request, as DRF makes them."""
from rest_framework.generics import GenericAPIView
from rest_framework.views import APIView

_shared_policies: dict[tuple[type, ...], tuple] = {}
_allowed_methods: dict[tuple, tuple[str, ...]] = {}
_default_headers: dict[tuple, dict[str, str]] = {}


def shared_policies(classes) -> list:
    """One instance of each class, made at the first call for this sequence of classes."""
    key = tuple(classes)
    policies = _shared_policies.get(key)
    if policies is None:
        policies = _shared_policies.setdefault(key, tuple(policy() for policy in key))
    return list(policies)


class SharedPolicies:
    # What DRF's APIView works out per request, worked out once; put before APIView in the bases. No class
    # docstring here or below: DRF and the schema show the nearest one in the MRO as the view's description.

    def get_authenticators(self):
        return shared_policies(self.authentication_classes)

    def get_parsers(self):
        return shared_policies(self.parser_classes)

    @property
    def allowed_methods(self):
        # Read from an instance (View.setup gives every view with a GET a HEAD, per instance), kept per class
        # and list of method names (as_view may be given its own http_method_names).
        key = (type(self), tuple(self.http_method_names))
        methods = _allowed_methods.get(key)
        if methods is None:
            methods = _allowed_methods.setdefault(key, tuple(super().allowed_methods))
        return list(methods)

    @property
    def default_response_headers(self):
        key = (type(self), tuple(self.http_method_names), len(self.renderer_classes) > 1)
        headers = _default_headers.get(key)
        if headers is None:
            headers = _default_headers.setdefault(key, super().default_response_headers)
        return dict(headers)  # dispatch keeps it as self.headers, and finalize_response pops from it

    def finalize_response(self, request, response, *args, **kwargs):
        vary = self.headers.get("Vary")
        if vary is not None and not response.has_header("Vary"):
            # What DRF's patch_vary_headers would write on a response without Vary: the value as it is.
            response.headers["Vary"] = self.headers.pop("Vary")
        return super().finalize_response(request, response, *args, **kwargs)


class ApiView(SharedPolicies, APIView):
    pass


class GenericApiView(SharedPolicies, GenericAPIView):
    pass
