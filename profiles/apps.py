from django.apps import AppConfig


class ProfilesConfig(AppConfig):
    name = "profiles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import signals as auth_signals

        from profiles.middleware import visitor_rotate_on_sign_in_or_out

        # Signing in retires the visitor id (merged into the account); signing out ends every identity.
        for signal in (auth_signals.user_logged_in, auth_signals.user_logged_out):
            signal.connect(visitor_rotate_on_sign_in_or_out, dispatch_uid="profiles.visitor_rotate")
