"""Static files in production: pages name their files through the manifest `collectstatic` writes, so a
process without it would answer every page (browsable API, login page, /docs/) with a 500."""
from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.exceptions import ImproperlyConfigured

COLLECT_COMMAND = "python manage.py collectstatic --noinput"


def require_collected_static() -> None:
    """ImproperlyConfigured naming the command when the manifest storage has no manifest (dev mode serves
    the apps' files under their own names and needs none)."""
    if settings.DEBUG or not isinstance(staticfiles_storage, ManifestFilesMixin):
        return
    if staticfiles_storage.read_manifest() is None:
        raise ImproperlyConfigured(
            f"No static files manifest in {settings.STATIC_ROOT} (DJANGO_STATIC_ROOT): every page would be a 500. "
            f"Run `{COLLECT_COMMAND}` once per release, before starting the server.")
