from django.http import HttpRequest, HttpResponse


def people_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)


def invite(request: HttpRequest) -> HttpResponse:
    return HttpResponse(status=501)


def change_role(request: HttpRequest, user_id: int) -> HttpResponse:
    return HttpResponse(status=501)


def deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return HttpResponse(status=501)


def reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    return HttpResponse(status=501)


def resend_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    return HttpResponse(status=501)


def revoke_invitation(request: HttpRequest, invitation_id: int) -> HttpResponse:
    return HttpResponse(status=501)
