"""Public, login-free schedule pages and exports at the site root: /<conference-slug>/….

The project's urls.py includes these before the conference pages' catch-all:
``path("", include("scheduling.public_urls"))``.
"""

from django.urls import path

from scheduling import views

urlpatterns = [
    path("<slug:slug>/schedule/", views.public_schedule, name="schedule-public"),
    path(
        "<slug:slug>/schedule/tracks/<int:track_pk>/",
        views.public_schedule,
        name="schedule-public-track",
    ),
    path("<slug:slug>/schedule/sessions/<int:pk>/", views.public_session, name="schedule-session"),
    path("<slug:slug>/schedule.xml", views.export_xml, name="schedule-xml"),
    path("<slug:slug>/schedule.json", views.export_json, name="schedule-json"),
    path("<slug:slug>/schedule.ics", views.export_ics, name="schedule-ics"),
]
