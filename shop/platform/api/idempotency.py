"""Idempotency-Key handling with Stripe's semantics: same key + same body replays, other body is refused.

A request that ran is remembered and replayed, its refusals included (402 declined, 409 no stock); an
invalid request (400: nothing ran) or a failure (5xx, a crash, a dead connection) releases its key at
once, so the client's retry runs again."""
import hashlib
import json
import re
from datetime import timedelta
from functools import wraps

from django.db import connections, models, router
from django.http import JsonResponse
from django.utils import timezone
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


def _fingerprint(request) -> str:
    payload = json.dumps([request.method, request.path.rstrip("/"), request.data], sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


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


def _claim(record_model, *, user_id: int, key: str, fingerprint: str, running_here: bool | None):
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
    if record.fingerprint != fingerprint:
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


def _run(record, view, view_method, request, *args, **kwargs):
    """Runs the view for the claimed key and remembers its answer, or releases the key if it failed."""
    try:
        response = _answer(view, view_method, request, *args, **kwargs)
    except BaseException:
        _release(record)
        raise
    if response.status_code == 400 or response.status_code >= 500:
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
                record, owned = _claim(record_model, user_id=request.user.id, key=key,
                                       fingerprint=_fingerprint(request), running_here=running_here)
                return _run(record, view, view_method, request, *args, **kwargs) if owned else _replay(record)

        return wrapper

    return decorator


def purge_expired(record_model, *, ttl_seconds: int) -> int:
    cutoff = timezone.now() - timedelta(seconds=ttl_seconds)
    deleted, _ = record_model.objects.filter(created_at__lt=cutoff).delete()
    return deleted
