from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "profiles.shop"
    label = "shop"
    verbose_name = "Shop"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from profiles import signals
        from profiles.shop import cart

        signals.shopper_merged.connect(cart.shop_merge, dispatch_uid="shop.merge")
