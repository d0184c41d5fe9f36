"""HTML forms of the studio. They parse what a browser sends; the rules are the services'."""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import datetime
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from content.models import ContentItem, Product
from content.studio.services import CAPTION_MAX, PostFields

# The browser's zone is filled in by studio.js; without script the creator picks it (UTC first).
TIMEZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


class CreatorForm(forms.Form):
    handle = forms.CharField(
        max_length=30,
        min_length=3,
        help_text="3–30 letters, digits, - or _. Your page will be /@handle.",
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "username", "spellcheck": "false"}),
    )
    display_name = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    bio = forms.CharField(max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    avatar = forms.FileField(
        required=False,
        help_text="JPEG, PNG or WebP, at most 5 MB.",
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class ProfileForm(CreatorForm):
    """The application's fields but the handle, which stays (links point at it)."""

    handle = None  # type: ignore[assignment]


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name (``<input type=file multiple>``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "video/mp4,video/quicktime,video/webm,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files and self.required:
            raise forms.ValidationError("Choose one video or up to 10 images.", code="required")
        return list(files)


class PostForm(forms.Form):
    """A post's words, products and timing; ``NewPostForm`` adds its files."""

    WHEN = [("draft", "Save as draft"), ("now", "Publish now"), ("schedule", "Schedule")]

    caption = forms.CharField(
        max_length=CAPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "Say something… #hashtags become tags"}),
    )
    tags = forms.CharField(
        required=False,
        max_length=700,
        help_text="Separate tags with commas.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "data-tag-input": ""}),
    )
    products = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Linked products"
    )
    # Not asked of a published post (its time has come): "now" then.
    when = forms.ChoiceField(choices=WHEN, initial="now", widget=forms.RadioSelect, label="When", required=False)
    publish_at = forms.DateTimeField(
        required=False,
        label="Publish at",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    timezone = forms.ChoiceField(choices=[("UTC", "UTC")] + [(z, z) for z in TIMEZONES if z != "UTC"], initial="UTC")

    def __init__(self, *args: Any, offered: list[Product] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        products = list(offered)
        chosen = self.data.getlist("products") if hasattr(self.data, "getlist") else []
        known = {p.pk for p in products}
        extra_ids = [int(raw) for raw in chosen if str(raw).isdigit() and int(raw) not in known]
        products += list(Product.objects.select_related("brand").filter(pk__in=extra_ids, active=True))
        self.fields["products"].choices = [(p.pk, product_label(p)) for p in products]  # type: ignore[attr-defined]
        self.offered = products

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("when") == "schedule":
            moment: datetime | None = data.get("publish_at")
            if moment is None:
                self.add_error("publish_at", "Choose when to publish.")
            elif data.get("timezone"):
                naive = moment.replace(tzinfo=None)
                data["publish_at"] = naive.replace(tzinfo=zoneinfo.ZoneInfo(data["timezone"]))
        return data

    def post_fields(self) -> PostFields:
        data = self.cleaned_data
        when = data.get("when") or "now"
        return PostFields(
            caption=data.get("caption", ""),
            tags=[name.strip() for name in data.get("tags", "").split(",") if name.strip()],
            product_ids=data.get("products", []),
            intent=ContentItem.Intent.DRAFT if when == "draft" else ContentItem.Intent.PUBLISH,
            publish_at=data.get("publish_at") if when == "schedule" else None,
        )


class NewPostForm(PostForm):
    # Named as the API's field (``form["media"]``; ``form.media`` stays the widgets' assets).
    media = MultipleFileField(  # type: ignore[assignment]
        label="Video or images", help_text="One MP4, MOV or WebM video, or up to 10 images."
    )
    # Names this form's submission: a second POST of the same form returns the post the first made.
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=64, initial=lambda: uuid.uuid4().hex)

    field_order = ["media", "caption", "tags", "products", "when", "publish_at", "timezone"]


def product_label(product: Product) -> str:
    brand = f" · {product.brand.name}" if product.brand else ""
    price = f" · {product.price} {product.currency}" if product.price is not None else ""
    stock = "" if product.in_stock else " · out of stock"
    return f"{product.title}{brand}{price}{stock}"
