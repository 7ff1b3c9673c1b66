"""Account security pages; included at ``accounts/security/``."""

from django.urls import path

from expo.security import views

app_name = "security"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("two-factor/set-up/", views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/qr.svg", views.two_factor_qr, name="two-factor-qr"),
    path("two-factor/verify/", views.two_factor_verify_page, name="two-factor-verify"),
    path("two-factor/disable/", views.two_factor_disable_page, name="two-factor-disable"),
    path("sessions/end-all/", views.logout_everywhere, name="logout-everywhere"),
    path("api-token/", views.api_token, name="api-token"),
]
