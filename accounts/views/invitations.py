from django.http import HttpRequest, HttpResponse


def accept(request: HttpRequest, token: str) -> HttpResponse:
    return HttpResponse(status=501)
