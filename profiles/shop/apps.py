from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "profiles.shop"
    label = "shop"
    verbose_name = "Shop"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from content import signals as content_signals
        from profiles import signals
        from profiles.shop import alerts, cart

        signals.shopper_merged.connect(cart.shop_merge, dispatch_uid="shop.merge")
        content_signals.product_changed.connect(alerts.stock_alerts_due, dispatch_uid="shop.stock_alerts_due")
