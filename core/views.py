from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from core import readiness
from core.errors import error_envelope


# Plain Django views: probes need no authentication, throttling or content negotiation.
@require_safe
def healthz(request):
    """Liveness: the process answers. No database or other dependency is asked."""
    return JsonResponse({"status": "ok"})


@require_safe
def readyz(request):
    """Readiness: every check in core.readiness passes (the database accepts writes, ...)."""
    ready, checks = readiness.run_checks()
    if ready:
        return JsonResponse({"status": "ready", "checks": checks})
    failed = ", ".join(name for name, result in checks.items() if result["status"] != "ok")
    return JsonResponse(
        {
            "code": "not_ready",
            "detail": f"Not ready: {failed}.",
            "status": "not_ready",
            "checks": checks,
        },
        status=503,
        headers={"Retry-After": "5"},
    )


@csrf_exempt  # a 404 for any method, never Django's CSRF 403 page
def api_not_found(request, *args, **kwargs):
    return JsonResponse(error_envelope("not_found", "No such API endpoint."), status=404)
