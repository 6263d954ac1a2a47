"""POST /bench/bare/orders: the SQL statements of POST /orders, in the same transactions and on the same
databases, from a bare Django view: no DRF, serializers, ORM queries or services layer. It is the floor the
real path is priced against (issue 13, goal 4); tests/orders/test_bare_orders.py keeps the two statement
lists equal. It places new orders only: a replayed key, a refusal or bad input gets a plain error answer."""
import hashlib
import json
from decimal import Decimal
from functools import cache

import jwt
from jwt.algorithms import RSAAlgorithm
from django.apps import apps
from django.conf import settings
from django.db import connections, router, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.views.decorators.csrf import csrf_exempt

from shop.platform.api.idempotency import FINGERPRINT_SALT
from shop.platform.api.key_lock import lock_id

HELD = ("placing", "pending", "paying")  # what the cap on unpaid orders counts
ORDER = '"orders_order"'
RECORD = '"orders_orderidempotencyrecord"'
CLAIM = (f'INSERT INTO {RECORD} ("user_id", "key", "fingerprint", "status_code", "response_body", '
         f'"created_at") VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING {RECORD}."id"')
KEYED = (f'SELECT {ORDER}."id", {ORDER}."user_id", {ORDER}."status", {ORDER}."total", {ORDER}."idempotency_key", '
         f'{ORDER}."payment_key", {ORDER}."created_at", {ORDER}."updated_at" FROM {ORDER} WHERE '
         f'({ORDER}."idempotency_key" = %s AND {ORDER}."user_id" = %s) ORDER BY {ORDER}."id" ASC LIMIT 1')
COUNT_HELD = f'SELECT COUNT(*) AS "__count" FROM {ORDER} WHERE ({ORDER}."status" IN (%s, %s, %s) AND {ORDER}."user_id" = %s)'
PRODUCTS = ('SELECT "catalog_product"."id", "catalog_product"."name", "catalog_product"."sku", "catalog_product"."price", '
            '"catalog_product"."description", "catalog_product"."created_at", "catalog_product"."updated_at" FROM '
            '"catalog_product" WHERE "catalog_product"."id" IN ({}) ORDER BY "catalog_product"."id" ASC')
INSERT_ORDER = (f'INSERT INTO {ORDER} ("user_id", "status", "total", "idempotency_key", "payment_key", "created_at", '
                f'"updated_at") VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING {ORDER}."id"')
LINE_COLUMNS = {"order_id": "bigint", "product_id": "bigint", "name": "varchar", "sku": "varchar", "unit_price": "numeric",
                "quantity": "integer"}  # column -> PostgreSQL type
INSERT_HOLD = ('INSERT INTO "inventory_orderhold" ("order_id", "released", "updated_at") VALUES (%s, %s, %s) '
               'RETURNING "inventory_orderhold"."id"')
TAKE_STOCK = ('UPDATE "inventory_stock" SET "reserved" = ("inventory_stock"."reserved" + %s) WHERE '
              '("inventory_stock"."on_hand" >= ("inventory_stock"."reserved" + %s) AND "inventory_stock"."product_id" = %s)')
HOLDER_LOCK = "SELECT pg_advisory_xact_lock(%s, %s)"
UNITS_HELD = ('SELECT "inventory_reservation"."product_id" AS "product_id", SUM("inventory_reservation"."quantity") AS "units" '
              'FROM "inventory_reservation" WHERE ("inventory_reservation"."status" = %s AND '
              '"inventory_reservation"."user_id" = %s) GROUP BY 1')
ON_HAND = ('SELECT "inventory_stock"."product_id" AS "product_id", "inventory_stock"."on_hand" AS "on_hand" '
           'FROM "inventory_stock" WHERE "inventory_stock"."product_id" IN ({})')
RESERVATION_COLUMNS = {"order_id": "bigint", "user_id": "bigint", "product_id": "bigint", "quantity": "integer", "status": "varchar",
                       "created_at": "timestamp with time zone", "updated_at": "timestamp with time zone"}
SHOW = f'UPDATE {ORDER} SET "status" = %s WHERE ({ORDER}."id" = %s AND {ORDER}."status" = %s)'
REMEMBER = f'UPDATE {RECORD} SET "status_code" = %s, "response_body" = %s WHERE {RECORD}."id" = %s'


class Refused(Exception):
    """An answer other than 201; the transaction it leaves is rolled back."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status = status


def _alias(app_label: str, model: str) -> str:
    return router.db_for_write(apps.get_model(app_label, model))


@cache
def _verifying_key():
    """Parsed once, as simplejwt's token backend does."""
    return RSAAlgorithm(RSAAlgorithm.SHA256).prepare_key(settings.SIMPLE_JWT["VERIFYING_KEY"])


def _user_id(request) -> int:
    """The caller's id from the bearer token, checked as simplejwt checks it: RS256 signature, expiry, type."""
    raw = request.headers.get("Authorization", "").removeprefix("Bearer ")
    try:
        claims = jwt.decode(raw, _verifying_key(), algorithms=[settings.SIMPLE_JWT["ALGORITHM"]])
    except jwt.InvalidTokenError as exc:
        raise Refused(401, str(exc)) from exc
    if claims.get("token_type") != "access":
        raise Refused(401, "not an access token")
    return int(claims["user_id"])


def _timestamp(connection, moment):
    return connection.ops.adapt_datetimefield_value(moment)


def _claim(cursor, connection, *, user_id: int, key: str, fingerprint: str) -> int:
    cursor.execute(CLAIM, [user_id, key, fingerprint, None, None, _timestamp(connection, timezone.now())])
    row = cursor.fetchone()
    if row is None:
        raise Refused(409, "this key was used before")
    cursor.execute(KEYED, [key, user_id])
    if cursor.fetchone() is not None:
        raise Refused(409, "this key placed an order before")
    cursor.execute(COUNT_HELD, [*HELD, user_id])
    if cursor.fetchone()[0] >= settings.SHOP_MAX_PENDING_ORDERS:
        raise Refused(409, "too many unpaid orders")
    return row[0]


def _products(quantities: dict[int, int]) -> dict[int, tuple]:
    with connections[_alias("catalog", "Product")].cursor() as cursor:
        cursor.execute(PRODUCTS.format(", ".join(["%s"] * len(quantities))), sorted(quantities))
        products = {row[0]: row for row in cursor.fetchall()}
    if len(products) != len(quantities):
        raise Refused(400, "unknown products")
    return products


def _insert_rows(cursor, table: str, columns: dict[str, str], rows: list[tuple]) -> None:
    """INSERT .. RETURNING id of the rows, spelled as Django 5.2's bulk_create spells it on this database."""
    names = ", ".join(f'"{column}"' for column in columns)
    if cursor.db.vendor == "postgresql" and len(rows) > 1:  # one array per column
        arrays = ", ".join(f"(%s)::{kind}[]" for kind in columns.values())
        cursor.execute(f'INSERT INTO "{table}" ({names}) SELECT * FROM UNNEST({arrays}) RETURNING "{table}"."id"',
                       [list(column) for column in zip(*rows)])
    else:
        values = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(rows))
        cursor.execute(f'INSERT INTO "{table}" ({names}) VALUES {values} RETURNING "{table}"."id"',
                       [value for row in rows for value in row])


def _create(alias: str, *, user_id: int, key: str, quantities: dict[int, int], products: dict, created_at) -> tuple[int, list]:
    """Saves the order `placing` with its lines; returns its id and the lines as the API shows them."""
    connection = connections[alias]
    lines = [(pid, products[pid][1], products[pid][2], Decimal(str(products[pid][3])), qty)  # SQLite: a float
             for pid, qty in sorted(quantities.items())]
    total = sum((price * qty for _, _, _, price, qty in lines), Decimal("0"))
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute(INSERT_ORDER, [user_id, "placing", total, key, None, _timestamp(connection, created_at),
                                      _timestamp(connection, created_at)])
        order_id = cursor.fetchone()[0]
        _insert_rows(cursor, "orders_orderline", LINE_COLUMNS, [(order_id, *line) for line in lines])
    return order_id, lines


def _within_holding_limits(cursor, *, user_id: int, quantities: dict[int, int]) -> bool:
    """The holding limits of shop/inventory/services.py, with its two queries."""
    cursor.execute(UNITS_HELD, ["reserved", user_id])
    held = dict(cursor.fetchall())
    if sum(held.values()) + sum(quantities.values()) > settings.SHOP_HOLD_TOTAL_UNITS:
        return False
    cursor.execute(ON_HAND.format(", ".join(["%s"] * len(quantities))), list(quantities))
    on_hand = dict(cursor.fetchall())
    return all(held.get(pid, 0) + qty <= max(settings.SHOP_HOLD_PRODUCT_UNITS,
                                             on_hand.get(pid, 0) * settings.SHOP_HOLD_PRODUCT_PERCENT // 100)
               for pid, qty in quantities.items())


def _reserve(order_id: int, quantities: dict[int, int], *, user_id: int) -> None:
    from shop.inventory.services import HOLDER_LOCKS  # only where inventory is installed (bench.urls is every role's)

    alias = _alias("inventory", "Stock")
    connection = connections[alias]
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute(INSERT_HOLD, [order_id, False, _timestamp(connection, timezone.now())])
        if connection.vendor == "postgresql":
            cursor.execute(HOLDER_LOCK, [HOLDER_LOCKS, user_id % 2**31])
        for product_id, quantity in sorted(quantities.items()):
            cursor.execute(TAKE_STOCK, [quantity, quantity, product_id])
            if cursor.rowcount == 0:
                raise Refused(409, f"not enough stock for product {product_id}")  # the order stays placing
        if not _within_holding_limits(cursor, user_id=user_id, quantities=quantities):
            raise Refused(409, "too many units held unpaid")
        now = _timestamp(connection, timezone.now())
        _insert_rows(cursor, "inventory_reservation", RESERVATION_COLUMNS,
                     [(order_id, user_id, pid, qty, "reserved", now, now) for pid, qty in sorted(quantities.items())])


def _shown(order_id: int, lines: list, created_at) -> dict:
    items = [{"product_id": pid, "name": name, "sku": sku, "unit_price": f"{price:.2f}", "quantity": qty,
              "line_total": f"{price * qty:.2f}"} for pid, name, sku, price, qty in lines]
    return {"id": order_id, "status": "pending", "items": items,
            "total": f"{sum(price * qty for _, _, _, price, qty in lines):.2f}",
            "created_at": created_at.isoformat().replace("+00:00", "Z")}


def _place(request, cursor, connection, *, user_id: int, key: str) -> dict:
    """Everything between taking and giving up the key's lock."""
    try:
        data = json.loads(request.body)
        quantities: dict[int, int] = {}
        for item in data["items"]:
            quantities[int(item["product_id"])] = quantities.get(int(item["product_id"]), 0) + int(item["quantity"])
    except (KeyError, ValueError, TypeError) as exc:
        raise Refused(400, f"bad request: {exc!r}") from exc
    fingerprint = salted_hmac(FINGERPRINT_SALT, json.dumps(["POST", request.path.rstrip("/"), data], sort_keys=True),
                              algorithm="sha256").hexdigest()
    record_id = _claim(cursor, connection, user_id=user_id, key=key, fingerprint=fingerprint)
    products = _products(quantities)
    created_at = timezone.now()
    order_id, lines = _create(connection.alias, user_id=user_id, key=key, quantities=quantities, products=products,
                              created_at=created_at)
    _reserve(order_id, quantities, user_id=user_id)
    cursor.execute(SHOW, ["pending", order_id, "placing"])
    body = _shown(order_id, lines, created_at)
    cursor.execute(REMEMBER, [201, json.dumps(body), record_id])
    return body


@csrf_exempt  # token-authenticated, as the DRF view is
def bare_place_order(request):
    """Places a one-or-more-line order under an Idempotency-Key, as POST /orders does when all goes well."""
    connection = connections[_alias("orders", "OrderIdempotencyRecord")]
    try:
        user_id, key = _user_id(request), request.headers.get("Idempotency-Key")
        if not key:
            raise Refused(400, "the bare path needs an Idempotency-Key")
        lock = lock_id(apps.get_model("orders", "OrderIdempotencyRecord"), user_id=user_id, key=key)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock])
                if not cursor.fetchone()[0]:
                    raise Refused(409, "this key is running")
            try:
                body = _place(request, cursor, connection, user_id=user_id, key=key)
            finally:
                if connection.vendor == "postgresql":
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [lock])
    except Refused as refused:
        return JsonResponse({"detail": str(refused)}, status=refused.status)
    return HttpResponse(json.dumps(body), status=201, content_type="application/json")
