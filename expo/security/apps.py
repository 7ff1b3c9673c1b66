from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "expo.security"
    label = "security"
    verbose_name = "Account security"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from expo.security.services import session_mark_login

        # Connected at start-up, so even the first login of a process marks its session.
        user_logged_in.connect(session_mark_login, dispatch_uid="expo.security.login")
