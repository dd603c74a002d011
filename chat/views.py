from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from chat.selectors import rooms_visible_to


@login_required
def home(request: HttpRequest) -> HttpResponse:
    rooms = rooms_visible_to(request.user)  # type: ignore[arg-type]
    return render(request, "chat/home.html", {"rooms": rooms})
