from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from expo.api.views import ConferenceViewSet, ProposalViewSet

router = DefaultRouter()
router.register("conferences", ConferenceViewSet, basename="conference")
router.register("proposals", ProposalViewSet, basename="proposal")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
