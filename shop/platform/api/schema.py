"""The published OpenAPI schema tells the truth: who may call each operation and every problem it may answer."""
from http import HTTPStatus
from types import SimpleNamespace

import uritemplate
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS

from shop.platform.errors import PROBLEM_CONTENT_TYPE

ALWAYS = (503, 504)  # a database, an upstream or the gateway's hop may fail on any operation
IDEMPOTENCY_STATUSES = (409, 422)  # a key still in flight; a key reused with another body
CUSTOMER = SimpleNamespace(is_authenticated=True, is_staff=False, id=0)


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details; validation errors add `errors` (field → messages)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    errors = serializers.DictField(required=False)


class SessionTokenScheme(SessionScheme):
    """The browsable API's session cookie (shop.platform.api.auth.SessionTokenAuthentication)."""

    target_class = "shop.platform.api.auth.SessionTokenAuthentication"


def may_answer(*statuses: int):
    """Marks the domain problems (402, 409, ...) a view method may answer, for the schema."""

    def mark(view_method):
        view_method.problem_statuses = statuses
        return view_method

    return mark


def public_endpoints_only(endpoints, **kwargs):
    """Preprocessing hook: the public contract, once per path, no internal routes."""
    return [e for e in endpoints if not e[0].startswith("/internal/") and (e[0] == "/" or not e[0].endswith("/"))]


class ShopAutoSchema(AutoSchema):
    def get_auth(self):
        return [{}] if self._is_public() else super().get_auth()

    def _is_public(self) -> bool:
        return self._allows(None)

    def _allows(self, user) -> bool:
        """Every permission of this operation lets `user` (None: anonymous) through."""
        request = SimpleNamespace(method=self.method, user=user)
        return all(permission.has_permission(request, self.view) for permission in self.view.get_permissions())

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for status in sorted(self._problem_statuses()):
            response = self._get_response_for_code(ProblemSerializer, str(status), [PROBLEM_CONTENT_TYPE], direction)
            responses.setdefault(str(status), {**response, "description": HTTPStatus(status).phrase})
        return responses

    def _problem_statuses(self) -> set[int]:
        handler = getattr(self.view, self.method.lower(), None)
        statuses = {*ALWAYS, *getattr(handler, "problem_statuses", ())}
        authenticators = self.view.get_authenticators()
        unsafe = self.method not in SAFE_METHODS
        parameters = self._get_parameters()
        if authenticators:
            statuses.add(401)  # a bad or expired token is refused even where none is needed
        if not self._allows(CUSTOMER) or (unsafe and any(isinstance(a, SessionAuthentication) for a in authenticators)):
            statuses.add(403)  # a signed-in user without the permission, or a session request without its CSRF token
        if uritemplate.variables(self.path) or self._is_list_view():
            statuses.add(404)  # an unknown id, or a page past the end
        if unsafe or any(p["in"] == "query" for p in parameters):
            statuses.add(400)
        if self._get_request_body(direction="request"):
            statuses.update((413, 415))
        if any(p["in"] == "header" and p["name"] == "Idempotency-Key" for p in parameters):
            statuses.update(IDEMPOTENCY_STATUSES)
        if self.view.get_throttles():
            statuses.add(429)
        return statuses
