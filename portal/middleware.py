"""Response headers the whole portal shares."""

from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """No inline script, nothing from another origin (QUALITY.md: Output)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CSP_POLICY)
        return response
