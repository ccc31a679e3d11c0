"""API operations on cost recovery: ``/api/v1/cost-recovery-invoices/``.

AQMD and the board read every invoice, port staff their own port's (another port's is a
404); AQMD administrators issue invoices and record payments through the services.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import policy
from core.resources import CreateOnList, Resource, ResourceView, SingleView

from .filters import InvoiceFilter
from .selectors import invoices_visible_to
from .serializers import (
    InvoiceIssueSerializer,
    InvoiceSerializer,
    InvoiceVoidSerializer,
    PaymentRecordSerializer,
)
from .services import invoice_issue, invoice_void, payment_record

TAGS = ["cost recovery"]


class _InvoiceIssue(CreateOnList):
    create_action = policy.Action.COST_RECOVERY_MANAGE

    @extend_schema(request=InvoiceIssueSerializer, responses={201: InvoiceSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        asked = InvoiceIssueSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        data = dict(asked.validated_data)
        invoice = invoice_issue(party=data.pop("port"), actor=request.user, **data)
        row = self.get_queryset().get(pk=invoice.pk)
        return Response(InvoiceSerializer(row).data, status=status.HTTP_201_CREATED)


INVOICES = Resource(
    name="cost-recovery-invoice",
    path="cost-recovery-invoices",
    tags=TAGS,
    action=policy.Action.COST_RECOVERY_VIEW,
    serializer=InvoiceSerializer,
    rows=invoices_visible_to,
    filterset=InvoiceFilter,
    create=_InvoiceIssue,
    about="Cost recovery invoices with their payments and balance; ``POST`` issues one (AQMD "
    "administrators) and mails the port's staff.",
)


@extend_schema(tags=TAGS, request=PaymentRecordSerializer, responses={201: InvoiceSerializer})
class InvoicePaymentRecord(ResourceView, SingleView):
    """Record a payment (AQMD administrators): more than the balance is a 400, a paid or
    void invoice a 409."""

    resource = INVOICES
    policy_action = policy.Action.COST_RECOVERY_MANAGE
    serializer_class = PaymentRecordSerializer

    def post(self, request: Request, pk: int) -> Response:
        invoice = self.get_object()
        asked = PaymentRecordSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        payment_record(invoice=invoice, actor=request.user, **asked.validated_data)
        row = self.get_queryset().get(pk=invoice.pk)
        return Response(InvoiceSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS, request=InvoiceVoidSerializer, responses={200: InvoiceSerializer})
class InvoiceVoid(ResourceView, SingleView):
    """Void an invoice issued in error, with the reason (AQMD administrators); it stays on
    record and the port may be invoiced again for the period.  Partly paid: 409."""

    resource = INVOICES
    policy_action = policy.Action.COST_RECOVERY_MANAGE
    serializer_class = InvoiceVoidSerializer

    def post(self, request: Request, pk: int) -> Response:
        invoice = self.get_object()
        asked = InvoiceVoidSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        invoice_void(invoice=invoice, reason=asked.validated_data["reason"], actor=request.user)
        return Response(InvoiceSerializer(self.get_queryset().get(pk=invoice.pk)).data)


urlpatterns = [
    *INVOICES.urls(),
    path(
        "cost-recovery-invoices/<int:pk>/payments/",
        InvoicePaymentRecord.as_view(),
        name="cost-recovery-invoice-payment",
    ),
    path(
        "cost-recovery-invoices/<int:pk>/void/",
        InvoiceVoid.as_view(),
        name="cost-recovery-invoice-void",
    ),
]
