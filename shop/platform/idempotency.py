"""Idempotency-Key handling with Stripe's semantics: same key + same body replays, other body is refused."""
import hashlib
import json
from datetime import timedelta
from functools import wraps

from django.db import models
from django.utils import timezone
from rest_framework.response import Response

from shop.platform.db import atomic
from shop.platform.errors import ShopError

IDEMPOTENCY_HEADER = "Idempotency-Key"
STALE_CLAIM_AFTER = timedelta(seconds=60)


class IdempotencyKeyInvalid(ShopError):
    code = "idempotency-key-invalid"
    title = "Idempotency-Key must be 1 to 255 printable characters"


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


def _claim(record_model, *, user_id: int, key: str, fingerprint: str):
    """Returns (record, True) when this request owns the key, or (finished record, False) to replay it."""
    with atomic(record_model):
        record, created = record_model.objects.get_or_create(
            user_id=user_id, key=key, defaults={"fingerprint": fingerprint}
        )
        if created:
            return record, True
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        if record.status_code is not None:
            return record, False
        if timezone.now() - record.created_at < STALE_CLAIM_AFTER:
            raise IdempotentRequestInProgress()
        record.created_at = timezone.now()  # the first attempt died; services dedupe the work itself
        record.save(update_fields=["created_at"])
        return record, True


def idempotent(record_model):
    """Decorates a DRF view method so an Idempotency-Key makes it safe to retry."""

    def decorator(view_method):
        @wraps(view_method)
        def wrapper(view, request, *args, **kwargs):
            key = request.headers.get(IDEMPOTENCY_HEADER)
            if key is None:
                return view_method(view, request, *args, **kwargs)
            if not 0 < len(key) <= 255 or not key.isprintable():
                raise IdempotencyKeyInvalid()
            record, owned = _claim(record_model, user_id=request.user.id, key=key, fingerprint=_fingerprint(request))
            if not owned:
                return Response(record.response_body, status=record.status_code, headers={"Idempotent-Replayed": "true"})
            try:
                response = view_method(view, request, *args, **kwargs)
            except BaseException:
                record.delete()
                raise
            record.status_code, record.response_body = response.status_code, response.data
            record.save(update_fields=["status_code", "response_body"])
            return response

        return wrapper

    return decorator


def purge_expired(record_model, *, ttl_seconds: int) -> int:
    cutoff = timezone.now() - timedelta(seconds=ttl_seconds)
    deleted, _ = record_model.objects.filter(created_at__lt=cutoff).delete()
    return deleted
