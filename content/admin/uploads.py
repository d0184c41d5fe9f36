"""Staff uploads go through the same checks as creators' (``content.media.checks``).

``CheckedUploadsForm`` checks each new upload of its ``image_fields`` with ``image_check`` and
keeps what passed in ``form.checked``; a refusal is a form error and nothing is stored.
``store_checked`` then stores the checked (re-encoded) file, never the upload as it came.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import FileField, Model

from content.media.checks import CheckedFile, MediaRefused, image_check, media_check_uploads
from content.models import ContentItem

Kind = ContentItem.Kind


def _image(upload: UploadedFile) -> CheckedFile:
    return image_check(upload, max_bytes=settings.MEDIA_LIMITS["image_max_bytes"])


class CheckedUploadsForm(forms.ModelForm):
    image_fields: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checked: dict[str, CheckedFile] = {}

    def new_upload(self, name: str) -> UploadedFile | None:
        value = self.cleaned_data.get(name)
        return value if isinstance(value, UploadedFile) else None

    def check_upload(self, name: str, check: Any) -> None:
        """Check the new upload of field ``name`` with ``check(upload)``; a refusal becomes its error."""
        upload = self.new_upload(name)
        if upload is None:
            return
        try:
            self.checked[name] = check(upload)
        except MediaRefused as refused:
            self.add_error(name, refused.message)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in self.image_fields:
            self.check_upload(name, _image)
        return cleaned


class CreatorAdminForm(CheckedUploadsForm):
    """A creator's avatar, checked as a studio applicant's is (at most ``avatar_max_bytes``)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.check_upload("avatar", lambda u: image_check(u, max_bytes=settings.MEDIA_LIMITS["avatar_max_bytes"]))
        return cleaned


class ContentItemAdminForm(CheckedUploadsForm):
    """A content item's media: a video or image of a video/image item goes through the pipeline
    (``form.checked["media"]`` is then a video or an image for it); other kinds take one image."""

    image_fields = ("poster",)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        upload = self.new_upload("media")
        if upload is None or kind is None:
            return cleaned
        if kind not in (Kind.VIDEO, Kind.IMAGE):
            self.check_upload("media", _image)
            return cleaned
        if self.instance.pk is not None:
            self.add_error("media", "The media of a video or image item is set once; add a new item for new media.")
            return cleaned
        self.check_upload("media", lambda u: media_check_uploads([u])[0])
        checked = self.checked.get("media")
        if checked is not None and checked.kind != kind:
            del self.checked["media"]
            article = "an" if checked.kind == Kind.IMAGE else "a"
            self.add_error("media", f"“{checked.source_name}” is {article} {checked.kind}; this item is not.")
        return cleaned


def store_checked(obj: Model, field_name: str, checked: CheckedFile) -> str:
    """Store ``checked`` as ``obj.<field_name>`` would (its ``upload_to`` and storage), under a name
    from its sniffed type; sets the field and returns the storage name."""
    field = obj._meta.get_field(field_name)
    assert isinstance(field, FileField)
    checked.content.seek(0)
    getattr(obj, field_name).save(f"{uuid.uuid4().hex}{checked.extension}", checked.content, save=False)
    return str(getattr(obj, field_name).name)
