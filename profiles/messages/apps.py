from django.apps import AppConfig


class MessagesConfig(AppConfig):
    name = "profiles.messages"
    # "messages" is django.contrib.messages' label.
    label = "messaging"
    verbose_name = "Messages to shoppers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from content import signals as content_signals
        from profiles import signals
        from profiles.messages import receivers, services

        signals.shopper_merged.connect(services.messages_merge, dispatch_uid="messaging.merge")
        # Connected after the shop's ``stock_alerts_due`` (profiles.shop is installed before this app,
        # and receivers run in connection order): a restock's alerts are due before this looks for them.
        content_signals.product_changed.connect(receivers.product_changed, dispatch_uid="messaging.product_changed")
