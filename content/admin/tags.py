"""Admin of the tag vocabulary: tags with their parent and synonyms, and "Merge into…"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from content.admin.shared import count_of
from content.models import Tag, TagSynonym
from content.tagging import tag_merge
from feedsite.errors import ApplicationError

MERGE_TEMPLATE = "admin/content/tag/merge.html"


class TagSynonymInline(admin.TabularInline):
    model = TagSynonym
    extra = 1
    fields = ("slug",)


class TagMergeForm(forms.Form):
    target = forms.ModelChoiceField(
        queryset=Tag.objects.all(),
        widget=AutocompleteSelect(Tag._meta.get_field("parent"), admin.site),
        help_text="The tag that stays: items, children, synonyms and shoppers' interests move to it.",
    )


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "kind", "parent", "item_count", "synonym_list")
    list_filter = ("kind",)
    list_select_related = ("parent",)
    search_fields = ("name", "slug", "synonyms__slug")
    autocomplete_fields = ("parent",)
    inlines = (TagSynonymInline,)
    actions = ("merge_into",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return (
            super()
            .get_queryset(request)
            .annotate(item_count=count_of(Tag, "content_items"))
            .prefetch_related("synonyms")
        )

    @admin.display(description="items", ordering="item_count")
    def item_count(self, obj: Any) -> int:
        return int(obj.item_count)

    @admin.display(description="synonyms")
    def synonym_list(self, obj: Tag) -> str:
        return ", ".join(synonym.slug for synonym in obj.synonyms.all())

    @admin.action(description="Merge into…", permissions=["change"])
    def merge_into(self, request: HttpRequest, queryset: QuerySet[Tag]) -> HttpResponse | None:
        """Ask for the target first; on the confirmed POST merge each selected tag into it on its
        own (one refusal, a tag into its own descendant, stops none of the others)."""
        confirmed = request.POST.get("post") == "yes"
        form = TagMergeForm(request.POST if confirmed else None)
        if not (confirmed and form.is_valid()):
            context = {
                **self.admin_site.each_context(request),
                "title": "Merge tags",
                "opts": self.model._meta,
                "queryset": queryset,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": self.media + form.media,
            }
            request.current_app = self.admin_site.name
            return TemplateResponse(request, MERGE_TEMPLATE, context)
        target: Tag = form.cleaned_data["target"]
        merged = []
        for source in list(queryset.exclude(pk=target.pk).order_by("slug")):
            try:
                tag_merge(source=source, target=target)
            except ApplicationError as refused:
                self.message_user(request, f"{source.name}: {refused.message}", messages.ERROR)
                continue
            merged.append(source.slug)
        if merged:
            self.message_user(request, f"Merged {', '.join(merged)} into {target.slug}.", messages.SUCCESS)
        return None
