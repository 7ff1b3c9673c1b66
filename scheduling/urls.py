"""URLs of the scheduling workspace (included at /scheduling/) and the sponsor's
availability page. The public schedule and its exports are in ``scheduling.public_urls``."""

from django.urls import path

from scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("proposals/<int:pk>/availability/", views.availability, name="availability"),
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/venue/", views.venue, name="venue"),
    path("<slug:slug>/tracks/", views.tracks, name="tracks"),
    path("<slug:slug>/tracks/<int:pk>/", views.track_choose, name="track-choose"),
    path("<slug:slug>/solve/", views.solve, name="solve"),
    path("<slug:slug>/compare/", views.compare, name="compare"),
    path("<slug:slug>/v<int:number>/", views.version_detail, name="version"),
    path("<slug:slug>/v<int:number>/status/", views.version_status, name="version-status"),
    path("<slug:slug>/v<int:number>/retry/", views.version_retry, name="version-retry"),
    path("<slug:slug>/v<int:number>/publish/", views.version_publish, name="version-publish"),
    path("<slug:slug>/v<int:number>/copy/", views.version_copy, name="version-copy"),
    path("<slug:slug>/v<int:number>/grid/", views.grid, name="grid"),
    path("<slug:slug>/v<int:number>/grid/edit/", views.grid_edit, name="grid-edit"),
]
