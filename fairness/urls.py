"""URLs of the fairness app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
