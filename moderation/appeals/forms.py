"""The studio's appeal form. It parses what a browser sends; the rules are ``services.appeal_create``'s."""

from __future__ import annotations

from django import forms

from moderation.appeals.services import MESSAGE_MAX


class AppealForm(forms.Form):
    message = forms.CharField(
        max_length=MESSAGE_MAX,
        label="Why should the decision change?",
        help_text=f"A different moderator reads it. You can appeal a post once; at most {MESSAGE_MAX} characters.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
