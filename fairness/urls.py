"""URLs of the fairness dashboard, under /fairness/."""

from django.urls import path

from fairness import views

app_name = "fairness"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.dashboard, name="dashboard"),
    path("<slug:slug>/refresh/", views.refresh, name="refresh"),
    path("<slug:slug>/<str:stage>/", views.dashboard, name="stage"),
    path("<slug:slug>/<str:stage>/slice/", views.drilldown, name="drilldown"),
    path("<slug:slug>/<str:stage>/export.csv", views.export, {"fmt": "csv"}, name="export-csv"),
    path("<slug:slug>/<str:stage>/export.json", views.export, {"fmt": "json"}, name="export-json"),
    path("<slug:slug>/<str:stage>/chart/<str:kind>/<str:group>.svg", views.chart, name="chart"),
]
