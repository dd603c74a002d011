from django.http import HttpRequest, HttpResponse


def edit_profile(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)


def avatar(request: HttpRequest, user_id: int) -> HttpResponse:
    return HttpResponse(status=501)
