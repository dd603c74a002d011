"""Shapes of `/api/domains/`: the domain object of CONTRACT.md, plus `unicode`, `is_apex`,
`problem_code`, `problems`, `verified_at`, `failing_since` and `created_at`."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from config.api.fields import StrictCharField
from tenants.domains.names import display_name
from tenants.domains.records import records_for
from tenants.models import CustomDomain


class RecordSerializer(serializers.Serializer[Any]):
    type = serializers.CharField(help_text="`CNAME`, `A`, `AAAA` or `TXT`")
    name = serializers.CharField()
    value = serializers.CharField()


class ProblemSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    detail = serializers.CharField()


class DomainSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    domain = serializers.CharField(help_text="IDNA A-label form, lowercase")
    unicode = serializers.CharField(help_text="The same name for people (Unicode)")
    status = serializers.ChoiceField(choices=CustomDomain.Status.choices)
    is_primary = serializers.BooleanField()
    is_apex = serializers.BooleanField()
    records = RecordSerializer(many=True, help_text="What to create at your DNS host")
    checked_at = serializers.DateTimeField(allow_null=True)
    next_check_at = serializers.DateTimeField(allow_null=True)
    verified_at = serializers.DateTimeField(allow_null=True)
    failing_since = serializers.DateTimeField(allow_null=True)
    problem = serializers.CharField(help_text="What the last check found wrong, for people; empty when fine")
    problem_code = serializers.CharField()
    problems = ProblemSerializer(many=True)
    created_at = serializers.DateTimeField()


class DomainListSerializer(serializers.Serializer[Any]):
    results = DomainSerializer(many=True)


class AddDomainSerializer(serializers.Serializer[Any]):
    domain = StrictCharField(required=False, default="", allow_blank=True, trim_whitespace=False)


def domain_payload(claim: CustomDomain, *, is_primary: bool) -> dict[str, Any]:
    return {
        "id": claim.pk,
        "domain": claim.domain,
        "unicode": display_name(claim.domain),
        "status": claim.status,
        "is_primary": is_primary,
        "is_apex": claim.is_apex,
        "records": [vars(record) for record in records_for(claim.domain, is_apex=claim.is_apex, token=claim.token)],
        "checked_at": claim.checked_at,
        "next_check_at": claim.next_check_at,
        "verified_at": claim.verified_at,
        "failing_since": claim.failing_since,
        "problem": claim.problem,
        "problem_code": claim.problem_code,
        "problems": claim.problems,
        "created_at": claim.created_at,
    }
