from django.http import HttpRequest, HttpResponse


def request_signup(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)


def signup_sent(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)
