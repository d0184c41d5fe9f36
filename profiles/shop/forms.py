"""HTML forms of the cart and checkout pages. They validate; the views call the services."""

from __future__ import annotations

from typing import Any

from django import forms


class CartLineForm(forms.Form):
    ACTIONS = [("add", "Add"), ("set", "Set"), ("remove", "Remove")]

    action = forms.ChoiceField(choices=ACTIONS)
    product = forms.IntegerField(min_value=1)
    quantity = forms.IntegerField(min_value=0, required=False)


class CheckoutForm(forms.Form):
    shipping_name = forms.CharField(label="Full name", max_length=150)
    shipping_address = forms.CharField(
        label="Shipping address", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shipping_name"].widget.attrs.update({"autocomplete": "name"})
        self.fields["shipping_address"].widget.attrs.update({"autocomplete": "street-address"})
