"""Expo: review system for a research conference's sponsor day."""

from expo.celery import app as celery_app

__all__ = ["celery_app"]
