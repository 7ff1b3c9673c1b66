"""The project's URLs without the security pages: how the site runs until they are included."""

from django.urls import URLResolver

from expo.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    pattern
    for pattern in project_urlpatterns
    if not (isinstance(pattern, URLResolver) and pattern.namespace == "security")
]
