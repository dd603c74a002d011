"""`POST /stripe/webhook/<uuid>/` on the platform host, through Django: for servers other than
daphne (the test client, a WSGI server). Under daphne billing.webhook_asgi answers first; both
take events in through billing.intake."""

from __future__ import annotations

from uuid import UUID

from django.db import connection, transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from billing import intake


def _read_body(request: HttpRequest) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY_BYTES (announced or actual)."""
    try:
        announced = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        announced = 0
    if announced > intake.MAX_BODY_BYTES:
        return None
    body = request.read(intake.MAX_BODY_BYTES + 1)
    return None if len(body) > intake.MAX_BODY_BYTES else body


def _answer(request: HttpRequest, uuid: UUID) -> intake.Answer:
    if request.method != "POST":
        return intake.NOT_POST
    with connection.cursor() as cursor:
        cursor.execute(intake.ENDPOINT_SQL, [uuid])
        endpoint = cursor.fetchone()
    if endpoint is None:
        return intake.NO_ENDPOINT
    body = _read_body(request)
    if body is None:
        return intake.TOO_LARGE
    event = intake.check(uuid, body, request.headers.get("Stripe-Signature"), *endpoint)
    if isinstance(event, intake.Answer):
        return event
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(intake.INSERT_SQL, intake.insert_params(event, body))
        new = cursor.fetchone() is not None
        if new:
            transaction.on_commit(lambda: intake.enqueue([event["id"]]))
    return intake.stored(event, new=new)


@csrf_exempt
def stripe_webhook(request: HttpRequest, uuid: UUID) -> JsonResponse:
    answer = _answer(request, uuid)
    response = JsonResponse(answer.body, status=answer.status)
    if answer is intake.NOT_POST:
        response["Allow"] = "POST"
    return response
