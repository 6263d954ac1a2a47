from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "shop.orders"
    label = "orders"

    def ready(self):
        from shop.orders.metrics import OrdersInFlight
        from shop.platform.observability.metrics import collect_at_scrape

        collect_at_scrape(OrdersInFlight())
