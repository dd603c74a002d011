from django.http import HttpRequest, HttpResponse
from django.views import View


def request_reset(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)


def reset_sent(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)


def change_password(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)


class ResetConfirmView(View):
    pass
