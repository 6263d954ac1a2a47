"""Idempotency-Key handling with Stripe's semantics: same key + same body replays, other body is refused.

Only a final answer is kept and replayed: a success, or a refusal of the request itself (402 declined,
404, 409 no stock, 422). Anything else releases the key at once, so the client's retry runs again: an
invalid request (400: nothing ran), a 401/403 (inside a view, after the client was authenticated, it can
only be a hop refusing our own credentials), 408/429 (load), every 5xx, a crash, a dead connection.

The request is remembered by a fingerprint, an HMAC keyed by the server's SECRET_KEY: the body may hold a
card number, and a plain hash of it could be tested against guesses by whoever reads the table."""
import hashlib
import json
import re
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.db import connections, models, router
from django.http import JsonResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from shop.platform.api import key_lock
from shop.platform.errors import PROBLEM_CONTENT_TYPE, ShopError
from shop.platform.db import on_a_live_connection

IDEMPOTENCY_HEADER = "Idempotency-Key"
KEY_PATTERN = "^[!-~]{1,255}$"  # visible ASCII: survives every HTTP hop unchanged
# The schema of an operation that takes a key: the request header and the replay marker on the answer.
IDEMPOTENCY_PARAMETERS = [
    OpenApiParameter(IDEMPOTENCY_HEADER, {"type": "string", "pattern": KEY_PATTERN}, OpenApiParameter.HEADER,
                     description="Retry-safe key: the same key and body replays the first response."),
    OpenApiParameter("Idempotent-Replayed", {"type": "string", "enum": ["true"]}, OpenApiParameter.HEADER,
                     response=[200, 201], description="`true` when this answer replays the key's first response."),
]
STALE_CLAIM_AFTER = timedelta(seconds=60)
NOT_FINAL = frozenset((400, 401, 403, 408, 429))  # and every 5xx: answers a retry must not get replayed
FINGERPRINT_SALT = "shop.platform.api.idempotency.fingerprint"


class IdempotencyKeyInvalid(ShopError):
    code = "idempotency-key-invalid"
    title = "Idempotency-Key must be 1 to 255 visible ASCII characters"


class IdempotencyKeyReused(ShopError):
    status = 422
    code = "idempotency-key-reused"
    title = "This Idempotency-Key was used with a different request"


class IdempotentRequestInProgress(ShopError):
    status = 409
    code = "idempotent-request-in-progress"
    title = "A request with this Idempotency-Key is still being processed"


class IdempotencyRecord(models.Model):
    """A remembered response, scoped to (user, key). Each app that needs it subclasses it."""

    user_id = models.BigIntegerField()
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response_body = models.JSONField(null=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        abstract = True
        constraints = [models.UniqueConstraint(fields=["user_id", "key"], name="%(app_label)s_idempotency_user_key")]


def _request_text(request) -> str:
    return json.dumps([request.method, request.path.rstrip("/"), request.data], sort_keys=True, default=str)


def _fingerprint(request, secret: str | None = None) -> str:
    return salted_hmac(FINGERPRINT_SALT, _request_text(request), secret=secret, algorithm="sha256").hexdigest()


def _same_request(record, request, fingerprint: str) -> bool:
    """The record was made by this request: under the current secret, a previous one still listed in
    SECRET_KEY_FALLBACKS, or as a plain SHA-256 (records made before fingerprints were keyed, kept for the
    rest of their SHOP_IDEMPOTENCY_TTL; this last form can go once they are purged)."""
    if record.fingerprint == fingerprint:
        return True
    earlier = [_fingerprint(request, secret) for secret in settings.SECRET_KEY_FALLBACKS]
    return record.fingerprint in (*earlier, hashlib.sha256(_request_text(request).encode()).hexdigest())


def _insert_claim(record_model, *, user_id: int, key: str, fingerprint: str):
    """A new claim on the key, or None when the key already has a record: one INSERT .. ON CONFLICT DO NOTHING
    RETURNING, written out because bulk_create(ignore_conflicts=True) cannot tell whether the row went in."""
    record = record_model(user_id=user_id, key=key, fingerprint=fingerprint)
    meta, connection = record_model._meta, connections[router.db_for_write(record_model)]
    fields, quote = [f for f in meta.concrete_fields if f is not meta.pk], connection.ops.quote_name
    table, columns = quote(meta.db_table), ", ".join(quote(f.column) for f in fields)
    sql = (f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING"
           f" RETURNING {table}.{quote(meta.pk.column)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(getattr(record, f.attname), connection) for f in fields])
        row = cursor.fetchone()
    if row is None:
        return None
    record.pk = row[0]
    return record


def _claim(record_model, request, *, user_id: int, key: str, fingerprint: str, running_here: bool | None):
    """Returns (record, True) when this request owns the key, or (finished record, False) to replay it.
    `running_here` comes from key_lock.running: only the lock's holder may create or take over a claim.
    A new key costs one statement; the unique (user, key) constraint settles a race without the lock."""
    if running_here is not False:
        record = _insert_claim(record_model, user_id=user_id, key=key, fingerprint=fingerprint)
        if record is not None:
            return record, True
    record = record_model.objects.filter(user_id=user_id, key=key).first()
    if record is None:  # a live request runs this key, or its claim was released this instant
        raise IdempotentRequestInProgress()
    if not _same_request(record, request, fingerprint):
        raise IdempotencyKeyReused()
    if record.status_code is not None:
        return record, False
    if running_here is False or (running_here is None and timezone.now() - record.created_at < STALE_CLAIM_AFTER):
        raise IdempotentRequestInProgress()
    taken_at = timezone.now()  # the first attempt's process died; services dedupe the work itself
    if not record_model.objects.filter(pk=record.pk, created_at=record.created_at).update(created_at=taken_at):
        raise IdempotentRequestInProgress()  # another retry took it over first
    record.created_at = taken_at
    return record, True


def _answer(view, view_method, request, *args, **kwargs) -> Response:
    """The view's response, with a handled error (a problem document) turned into its response."""
    try:
        return view_method(view, request, *args, **kwargs)
    except Exception as exc:
        return view.handle_exception(exc)  # re-raises what the exception handler does not answer


def _replay(record):
    headers = {"Idempotent-Replayed": "true"}
    if record.status_code >= 400:
        return JsonResponse(record.response_body, status=record.status_code, content_type=PROBLEM_CONTENT_TYPE,
                            headers=headers)
    return Response(record.response_body, status=record.status_code, headers=headers)


def _release(record) -> None:
    """Forgets the claim so a retry runs again, even when the request failed because its connection died."""
    own_claim = type(record).objects.filter(pk=record.pk, created_at=record.created_at)  # not a retry's takeover
    on_a_live_connection(type(record), lambda: own_claim.delete())


def _final(status: int) -> bool:
    """An answer to the request itself, which a retry with the key gets again (see the module's docstring)."""
    return status < 500 and status not in NOT_FINAL


def _run(record, view, view_method, request, *args, **kwargs):
    """Runs the view for the claimed key and remembers a final answer, or releases the key."""
    try:
        response = _answer(view, view_method, request, *args, **kwargs)
    except BaseException:
        _release(record)
        raise
    if not _final(response.status_code):
        _release(record)
        return response
    body = response.data if isinstance(response, Response) else json.loads(response.content)
    type(record).objects.filter(pk=record.pk).update(status_code=response.status_code, response_body=body)
    return response


def idempotent(record_model):
    """Decorates a DRF view method so an Idempotency-Key makes it safe to retry."""

    def decorator(view_method):
        @wraps(view_method)
        def wrapper(view, request, *args, **kwargs):
            key = request.headers.get(IDEMPOTENCY_HEADER)
            if key is None:
                return view_method(view, request, *args, **kwargs)
            if not re.fullmatch(KEY_PATTERN, key):
                raise IdempotencyKeyInvalid()
            with key_lock.running(record_model, user_id=request.user.id, key=key) as running_here:
                record, owned = _claim(record_model, request, user_id=request.user.id, key=key,
                                       fingerprint=_fingerprint(request), running_here=running_here)
                return _run(record, view, view_method, request, *args, **kwargs) if owned else _replay(record)

        return wrapper

    return decorator


def purge_expired(record_model, *, ttl_seconds: int) -> int:
    cutoff = timezone.now() - timedelta(seconds=ttl_seconds)
    deleted, _ = record_model.objects.filter(created_at__lt=cutoff).delete()
    return deleted
