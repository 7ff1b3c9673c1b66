"""The API: /api/v1/ (see expo/api/), its OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from expo.api import views

router = DefaultRouter()
# One address per resource: no ".json" twins for the permission matrix and the fuzzer to cover.
router.include_format_suffixes = False
router.register("conferences", views.ConferenceViewSet, basename="conference")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("tracks", views.TrackViewSet, basename="track")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("proposals", views.ProposalViewSet, basename="proposal")

urlpatterns = [
    # Namespaced: the page URLs use the same names ("proposal-detail").
    path("v1/", include((router.urls, "api"))),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
