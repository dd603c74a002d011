from django.http import HttpRequest, HttpResponse


def edit_workspace(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)
