from django.urls import path

from expo.conferences import views

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", views.conference_detail, name="conference-detail"),
]
