from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals

        from content import signals as content_signals
        from profiles.middleware import visitor_rotate_on_sign_in_or_out
        from profiles.services import interests_tag_merged

        # Signing in retires the visitor id (merged into the account); signing out ends every identity.
        for signal in (auth_signals.user_logged_in, auth_signals.user_logged_out):
            signal.connect(visitor_rotate_on_sign_in_or_out, dispatch_uid="profiles.visitor_rotate")
        # A tag staff merged into another: interests in it follow (content never imports profiles).
        content_signals.tag_merged.connect(interests_tag_merged, dispatch_uid="profiles.interests_tag_merged")
