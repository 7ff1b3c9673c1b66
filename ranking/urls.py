"""URLs of the relevance model pages, under /ranking/."""

from django.urls import path

from ranking import views

app_name = "ranking"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/monitoring/", views.monitoring, name="monitoring"),
    path("<slug:slug>/analysis/", views.analysis, name="analysis"),
    path("<slug:slug>/rollback/", views.rollback, name="rollback"),
    path("<slug:slug>/versions/<int:version>/", views.version_detail, name="version"),
    path("<slug:slug>/versions/<int:version>/compare/", views.compare, name="compare"),
    path("<slug:slug>/versions/<int:version>/promote/", views.promote, name="promote"),
    path("<slug:slug>/versions/<int:version>/shadow/", views.shadow, name="shadow"),
    path("<slug:slug>/chart/<str:kind>.svg", views.chart, name="chart"),
]
