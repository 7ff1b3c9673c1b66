"""URLs of the insights app (included at /insights/)."""

from django.urls import path

from insights import views

app_name = "insights"

urlpatterns = [
    path("check/<slug:slug>/", views.proposal_check, name="check"),
    path("what-worked/<slug:slug>/", views.what_worked_page, name="what-worked"),
]
