import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_api_docs_load_swagger_from_our_own_static_files(client):
    body = client.get("/api/docs/").content.decode()
    assert "cdn." not in body
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in body
    # The page's own script is a separate request, so CSP needs no inline script.
    assert not re.search(r"<script>(?!\s*</script>)", body)


def test_our_templates_have_no_inline_script_or_style():
    offenders = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        if (
            re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text)
            or re.search(r"\sstyle=\"|<style", text)
            or re.search(r"\son[a-z]+=\"", text)
        ):
            offenders.append(str(template.relative_to(TEMPLATES)))
    assert offenders == []
