"""The rules behind the staff pages, one by one: what a subscription brings a month, how a
client's MRR moving between two month ends is classified, and the months replayed from changes."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

import pytest
from django_tenants.utils import schema_context

from analytics.platform.admin_views import parse_month
from analytics.platform.models import ClientActivity
from analytics.platform.movements import Kind, Movements, classify, month_movements
from analytics.platform.revenue import Change, monthly, subscription_mrr
from analytics.platform.selectors import going_quiet_q, with_figures
from billing.models import Entitlement
from billing.mrr import entitlement_mrr, mrr_cents, mrr_expression
from tenants.models import Client
from tests.support.staff import make_client
from tests.support.stripe_payloads import price, subscription

Status = Entitlement.Status


# -- MRR of one subscription --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "interval", "unit", "quantity", "comped", "expected"),
    [
        ("active", "month", 800, 3, False, 2400),
        ("past_due", "month", 800, 3, False, 2400),  # still subscribed while Stripe retries
        ("active", "year", 8000, 3, False, 2000),  # a twelfth of the yearly price
        ("active", "year", 1000, 1, False, 83),  # rounded down to the cent
        ("trialing", "month", 800, 3, False, 0),
        ("active", "month", 800, 3, True, 0),  # given by staff
        ("free", "", 0, 1, False, 0),
        ("canceled", "month", 800, 3, False, 0),
        ("unpaid", "month", 800, 3, False, 0),
        ("incomplete", "month", 800, 3, False, 0),
        ("paused", "month", 800, 3, False, 0),
        ("active", "month", None, 3, False, 0),  # metered: no unit amount
        ("active", "month", 800, 0, False, 0),
    ],
)
def test_mrr_of_a_subscription(
    status: str, interval: str, unit: int | None, quantity: int, comped: bool, expected: int
) -> None:
    assert mrr_cents(status=status, interval=interval, unit_cents=unit, quantity=quantity, comped=comped) == expected


@pytest.mark.django_db
def test_mrr_in_sql_equals_the_rule_for_every_status_interval_and_comp() -> None:
    # given: one client for each combination
    made = []
    combinations = itertools.product(
        [s.value for s in Status], ["team", "business"], ["month", "year"], [False, True], [1, 7]
    )
    with schema_context("public"):
        for status, plan, interval, comped, quantity in combinations:
            made.append(
                make_client(
                    "Rule", prefix="rule", plan=plan, status=status, interval=interval, comped=comped, quantity=quantity
                )
            )
        # when
        in_sql = dict(
            Client.objects.filter(pk__in=[c.pk for c in made]).annotate(m=mrr_expression()).values_list("pk", "m")
        )
        rows = Entitlement.objects.select_related("plan").filter(client__in=made)
        # then
        in_python = {row.client_id: entitlement_mrr(row) for row in rows}
    assert in_sql == in_python
    assert any(in_sql.values()) and not all(in_sql.values())


def test_a_subscription_payload_counts_every_item_at_its_price() -> None:
    sub = subscription(customer="cus_1", quantity=4, price_obj=price("team", "month", unit_amount=1200))
    second = dict(sub["items"]["data"][0], price=price("team", "year", unit_amount=12000), quantity=2)
    sub["items"]["data"].append(second)
    assert subscription_mrr(sub, {}) == 4 * 1200 + 2 * 12000 // 12
    assert subscription_mrr(dict(sub, status="trialing"), {}) == 0
    assert subscription_mrr(dict(sub, status="canceled"), {}) == 0


# -- movements ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "paid_earlier", "expected"),
    [
        (0, 2400, False, (Kind.NEW, 2400)),
        (0, 2400, True, (Kind.REACTIVATION, 2400)),
        (2400, 4000, True, (Kind.EXPANSION, 1600)),
        (4000, 2400, True, (Kind.CONTRACTION, 1600)),
        (2400, 0, True, (Kind.CHURN, 2400)),
        (2400, 2400, True, None),
        (0, 0, False, None),
    ],
)
def test_classify_a_client_between_two_month_ends(
    before: int, after: int, paid_earlier: bool, expected: tuple[Kind, int] | None
) -> None:
    assert classify(before, after, paid_earlier=paid_earlier) == expected


def test_month_movements_add_up_to_the_change_in_mrr() -> None:
    start = {1: 1000, 2: 2000, 3: 3000, 4: 500}
    end = {1: 1500, 2: 1200, 4: 500, 5: 700, 6: 900}
    moved = month_movements(start, end, paid_earlier={1, 2, 3, 4, 6})
    assert moved == Movements(new=700, reactivation=900, expansion=500, contraction=800, churn=3000)
    assert sum(start.values()) + moved.net_new == sum(end.values())


# -- months replayed from changes ---------------------------------------------------------------


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def test_months_are_read_at_each_month_end() -> None:
    # given: client 1 pays from March, upgrades in April, churns in June and returns in August;
    # client 2 starts in May on two subscriptions; a mid-month trial of client 3 comes and goes
    changes = [
        Change(at(2025, 12, 5), 1, "sub_old", 1000),  # before the window: client 1 paid once
        Change(at(2026, 1, 5), 1, "sub_old", 0),
        Change(at(2026, 3, 10), 1, "sub_a", 2400),
        Change(at(2026, 4, 2), 1, "sub_a", 4000),
        Change(at(2026, 5, 1), 2, "sub_b", 1000),
        Change(at(2026, 5, 20), 2, "sub_c", 500),
        Change(at(2026, 5, 3), 3, "sub_t", 900),
        Change(at(2026, 5, 9), 3, "sub_t", 0),
        Change(at(2026, 6, 15), 1, "sub_a", 0),
        Change(at(2026, 8, 1), 1, "sub_d", 2400),
    ]
    # when
    rows = monthly(changes, first=date(2026, 2, 1), last=date(2026, 8, 1), now=at(2026, 8, 10))
    # then
    by_month = {row.month.month: row for row in rows}
    assert [row.month for row in rows] == [date(2026, m, 1) for m in range(2, 9)]
    assert by_month[2].mrr_cents == 0 and by_month[2].paying_clients == 0
    assert by_month[3].movements == Movements(reactivation=2400)  # it had paid in December
    assert by_month[4].movements == Movements(expansion=1600)
    assert by_month[5].movements == Movements(new=1500)  # client 3's trial moved nothing
    assert (by_month[5].mrr_cents, by_month[5].paying_clients) == (5500, 2)
    assert by_month[6].movements == Movements(churn=4000)
    assert by_month[8].movements == Movements(reactivation=2400)
    for previous, row in itertools.pairwise(rows):
        assert previous.mrr_cents + row.movements.net_new == row.mrr_cents


def test_the_current_month_ends_now() -> None:
    changes = [Change(at(2026, 8, 1), 1, "s", 1000), Change(at(2026, 8, 20), 1, "s", 3000)]
    rows = monthly(changes, first=date(2026, 8, 1), last=date(2026, 8, 1), now=at(2026, 8, 10))
    assert rows[0].mrr_cents == 1000


# -- the month asked for ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "month", "error"),
    [
        ("", date(2026, 8, 1), ""),
        ("2026-03", date(2026, 3, 1), ""),
        ("2026-13", date(2026, 8, 1), "is not a month"),
        ("March", date(2026, 8, 1), "is not a month"),
        ("2026-09", date(2026, 8, 1), "has not begun"),
        ("1999-12", date(2026, 8, 1), "before 2000"),
    ],
)
def test_parse_month(value: str, month: date, error: str) -> None:
    found, message = parse_month(value, latest=date(2026, 8, 1))
    assert found == month
    assert (error in message) if error else message == ""


@pytest.mark.django_db
def test_going_quiet_in_sql_equals_the_activity_rule() -> None:
    # given: clients around the line (a week under half the weekly average of the four before)
    pairs = [(0, 0), (0, 1), (1, 8), (1, 9), (10, 80), (10, 81), (49, 400), (50, 400), (51, 400), (300, 400)]
    made = {make_client("Quiet", prefix="quiet", last_7=last, previous_28=before).pk for last, before in pairs}
    # when
    in_sql = set(with_figures(Client.objects.filter(pk__in=made)).filter(going_quiet_q()).values_list("pk", flat=True))
    # then
    in_python = {a.client_id for a in ClientActivity.objects.filter(client_id__in=made) if a.is_going_quiet}
    assert in_sql == in_python
    assert len(in_sql) == 4  # (0, 1), (1, 9), (10, 81), (49, 400)
