"""The API: /api/v1/ (see expo/api/), its OpenAPI schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from expo.api import chair_views, views

router = DefaultRouter()
# One address per resource: no ".json" twins for the permission matrix and the fuzzer to cover.
router.include_format_suffixes = False
router.APIRootView = views.ApiRootView
router.register("conferences", views.ConferenceViewSet, basename="conference")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("tracks", views.TrackViewSet, basename="track")
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("proposals", views.ProposalViewSet, basename="proposal")
router.register(
    r"review/(?P<conference_slug>[-a-zA-Z0-9_]+)/proposals",
    chair_views.ChairProposalViewSet,
    basename="review-proposal",
)

v1 = [
    *router.urls,
    path(
        "review/<slug:conference_slug>/conflicts/",
        chair_views.ConflictListView.as_view(),
        name="review-conflicts",
    ),
    path(
        "fairness/<slug:conference_slug>/<str:stage>/",
        chair_views.FairnessReportView.as_view(),
        name="fairness-report",
    ),
]

urlpatterns = [
    # Namespaced: the page URLs use the same names ("proposal-detail").
    path("v1/", include((v1, "api"))),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
