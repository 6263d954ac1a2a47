from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "shop.platform"
    label = "platform"
