from django.apps import AppConfig
from django.conf import settings


class ContentConfig(AppConfig):
    name = "content"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from PIL import Image

        from content import checks  # noqa: F401  (registers the system check)

        # Pillow refuses to decode past twice this (DecompressionBombError), whoever opens the image.
        Image.MAX_IMAGE_PIXELS = settings.MEDIA_LIMITS["image_max_pixels"]
