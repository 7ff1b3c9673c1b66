"""Top-level URL configuration."""

from django.contrib import admin
from django.urls import include, path

from expo import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/", include("expo.api_urls")),
    path("accounts/security/", include("expo.security.urls")),
    path("accounts/", include("expo.accounts.urls")),
    path("review/", include("reviews.urls")),
    path("ranking/", include("ranking.urls")),
    path("scheduling/", include("scheduling.urls")),
    path("insights/", include("insights.urls")),
    path("fairness/", include("fairness.urls")),
    path("", include("expo.sponsors.urls")),
    path("", include("expo.proposals.urls")),
    # Conference pages are /<slug>/…, so they come last.
    path("", include("scheduling.public_urls")),
    path("", include("expo.conferences.urls")),
]
