"""Media: checking uploads, processing them in Celery, and the ffmpeg/Pillow tools both use.

Public, by module:

- ``content.media.checks``: ``media_check_uploads``, ``image_check``, ``MediaRefused``, ``CheckedFile``
  (before anything is stored);
- ``content.media.pipeline``: ``media_originals_store``, ``media_process_item``, ``media_fail``
  (the Celery task ``content.media_process`` runs the second; ``content.tasks`` has
  ``media_process_enqueue`` and ``media_retry``);
- ``content.media.serve``: ``media_serve``, the ``/media/`` view of local storage (``content.media.urls``);
- ``content.media.sniff``: ``sniff_type``, ``accepted_type``, ``ACCEPTED`` (the real type of bytes);
- here, for the demo renderer and its tests: ``MediaError``, ``run_ffmpeg``, ``video_poster``,
  ``media_sniff``, ``image_size``.
"""

from content.media.ffmpeg import MediaError, run_ffmpeg, video_poster
from content.media.images import image_size
from content.media.sniff import media_sniff

__all__ = ["MediaError", "image_size", "media_sniff", "run_ffmpeg", "video_poster"]
