"""The project's URLs, with the security pages included if expo/urls.py does not yet.

The lead adds ``path("accounts/security/", include("expo.security.urls"))`` to expo/urls.py;
until then the security tests route them through this module.
"""

from django.urls import URLResolver, include, path

from expo.urls import urlpatterns as project_urlpatterns

_included = any(
    isinstance(pattern, URLResolver) and pattern.namespace == "security"
    for pattern in project_urlpatterns
)

urlpatterns = (
    list(project_urlpatterns)
    if _included
    else [path("accounts/security/", include("expo.security.urls")), *project_urlpatterns]
)
