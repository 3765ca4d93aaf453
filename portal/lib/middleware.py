"""Response headers the whole portal shares."""

from django.conf import settings

PRIVATE_NO_STORE = "private, no-store"


class ContentSecurityPolicyMiddleware:
    """No inline script, nothing from another origin (docs/security.md: Output)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CSP_POLICY)
        return response


class PrivateCacheMiddleware:
    """Nothing shown to a signed-in person, and no answer to a form, is kept by a
    browser or a proxy (`Cache-Control: private, no-store`): students use shared lab
    computers, where the back button and the disk cache outlive a log-out. Anonymous
    public pages keep their headers; a public page with personal data (the online
    report) says no-store itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method == "POST" or (user is not None and user.is_authenticated):
            response["Cache-Control"] = PRIVATE_NO_STORE
        return response
