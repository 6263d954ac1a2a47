"""Idempotency-Key: key validation, replay, refusal of a reused key, release on failure, purge."""
import hashlib
import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from shop.platform.api.idempotency import idempotent, purge_expired
from shop.platform.errors import ShopError
from tests.platform.models import WidgetIdempotencyRecord, tables  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.django_db(transaction=True, databases="__all__"), pytest.mark.usefixtures("tables")]


class CountingApi(APIView):
    """Creates "something" per call; fails when asked to."""

    calls = 0
    fault: int | None = None  # the status of a ShopError the next call raises

    @idempotent(WidgetIdempotencyRecord)
    def post(self, request):
        CountingApi.calls += 1
        if request.data.get("fail"):
            raise RuntimeError("the use-case crashed")
        if CountingApi.fault:
            error = ShopError("it went wrong")
            error.status, CountingApi.fault = CountingApi.fault, None
            raise error
        return Response({"call": CountingApi.calls, **request.data}, status=201)


@pytest.fixture
def post():
    CountingApi.calls, CountingApi.fault = 0, None

    def post(body: dict, key: str | None, user_id: int = 1):
        headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": key}
        request = APIRequestFactory().post("/things", body, format="json", **headers)
        force_authenticate(request, user=SimpleNamespace(id=user_id, is_authenticated=True))
        return CountingApi.as_view()(request)

    return post


@pytest.mark.parametrize("key", ["", "k" * 256, "tab\tinside"])
def test_invalid_keys_are_refused_before_the_view_runs(post, key):
    response = post({"a": 1}, key)
    assert response.status_code == 400
    assert json.loads(response.content)["type"] == "/problems/idempotency-key-invalid"
    assert CountingApi.calls == 0


@pytest.mark.parametrize("first_user, second_user, body, status, calls", [
    (1, 1, {"a": 1}, 201, 1),  # same key, same body: the first response is replayed
    (1, 1, {"a": 2}, 422, 1),  # same key, other body: refused
    (1, 2, {"a": 1}, 201, 2),  # keys are scoped per user
])
def test_a_key_replays_or_refuses(post, first_user, second_user, body, status, calls):
    first = post({"a": 1}, "k" * 255, user_id=first_user)
    again = post(body, "k" * 255, user_id=second_user)
    assert (first.status_code, again.status_code, CountingApi.calls) == (201, status, calls)
    if (status, calls) == (201, 1):
        assert again.data == first.data and again["Idempotent-Replayed"] == "true"


def test_a_failed_request_releases_its_key(post):
    assert post({"fail": True}, "retry-me").status_code == 500
    assert not WidgetIdempotencyRecord.objects.exists()
    assert post({"fail": True}, "retry-me").status_code == 500
    assert CountingApi.calls == 2  # the retry ran again instead of replaying the failure


def test_purge_expired_deletes_only_records_older_than_the_ttl():
    now = timezone.now()
    for key, age in (("old", timedelta(hours=49)), ("fresh", timedelta(hours=47))):
        WidgetIdempotencyRecord.objects.create(user_id=1, key=key, fingerprint="f", created_at=now - age)
    assert purge_expired(WidgetIdempotencyRecord, ttl_seconds=48 * 3600) == 1
    assert list(WidgetIdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]


@pytest.mark.parametrize("status", [401, 403, 408, 429, 500, 503, 504])
def test_only_final_answers_are_kept_so_a_retry_after_a_fault_runs_again(post, status):
    """401/403 inside a view that runs after authentication come from a hop (our own credentials), 408/429
    and 5xx from load or our machinery: none is an answer to the request itself."""
    CountingApi.fault = status
    assert post({"a": 1}, "k").status_code == status
    assert not WidgetIdempotencyRecord.objects.exists()
    retried = post({"a": 1}, "k")
    assert (retried.status_code, CountingApi.calls) == (201, 2)
    assert "Idempotent-Replayed" not in retried


@pytest.mark.parametrize("status", [402, 404, 409, 422])
def test_a_refusal_of_the_request_itself_is_kept_and_replayed(post, status):
    CountingApi.fault = status
    assert post({"a": 1}, "k").status_code == status
    replayed = post({"a": 1}, "k")
    assert (replayed.status_code, replayed["Idempotent-Replayed"], CountingApi.calls) == (status, "true", 1)


CARD = {"card_number": "4242424242424242"}


def test_the_kept_fingerprint_is_keyed_by_a_server_secret_not_a_plain_hash_of_the_body(post, settings):
    post(CARD, "k1")
    kept = WidgetIdempotencyRecord.objects.get(key="k1").fingerprint
    plain = hashlib.sha256(json.dumps(["POST", "/things", CARD], sort_keys=True, default=str).encode()).hexdigest()
    assert kept != plain  # a leaked table does not let anyone test guesses of the card number
    settings.SECRET_KEY = "another-server-secret-" + "x" * 40
    post(CARD, "k2")
    assert WidgetIdempotencyRecord.objects.get(key="k2").fingerprint != kept


def test_a_key_kept_before_the_keyed_fingerprint_still_replays_the_same_body(post):
    """Records written by the previous release (plain SHA-256) keep working for their 48 hours."""
    plain = hashlib.sha256(json.dumps(["POST", "/things", CARD], sort_keys=True, default=str).encode()).hexdigest()
    WidgetIdempotencyRecord.objects.create(user_id=1, key="old", fingerprint=plain, status_code=201,
                                           response_body={"call": 0})
    assert post(CARD, "old").status_code == 201 and CountingApi.calls == 0
    assert post({"card_number": "4000000000000002"}, "old").status_code == 422
