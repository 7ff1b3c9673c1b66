"""URLs of the ranking app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
