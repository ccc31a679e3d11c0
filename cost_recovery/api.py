"""API operations on cost recovery: ``/api/v1/cost-recovery-invoices/``.

AQMD and the board read every invoice, port staff their own port's (another port's is a
404); AQMD administrators issue invoices and record payments through the services.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import policy

from .filters import InvoiceFilter
from .selectors import invoices_visible_to
from .serializers import InvoiceIssueSerializer, InvoiceSerializer, PaymentRecordSerializer
from .services import invoice_issue, payment_record

TAGS = ["cost recovery"]


@extend_schema(tags=TAGS)
class InvoiceList(generics.ListCreateAPIView):
    """Cost recovery invoices with their payments and balance; ``POST`` issues one (AQMD
    administrators) and mails the port's staff."""

    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilter

    @property
    def policy_action(self) -> policy.Action:
        # Reading and issuing are two operations on the one collection.
        if self.request.method == "POST":
            return policy.Action.COST_RECOVERY_MANAGE
        return policy.Action.COST_RECOVERY_VIEW

    def get_queryset(self) -> Any:
        return invoices_visible_to(self.request.user)

    @extend_schema(request=InvoiceIssueSerializer, responses={201: InvoiceSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        asked = InvoiceIssueSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        data = dict(asked.validated_data)
        invoice = invoice_issue(party=data.pop("port"), actor=request.user, **data)
        row = self.get_queryset().get(pk=invoice.pk)
        return Response(InvoiceSerializer(row).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=TAGS)
class InvoiceDetail(generics.RetrieveAPIView):
    policy_action = policy.Action.COST_RECOVERY_VIEW
    serializer_class = InvoiceSerializer

    def get_queryset(self) -> Any:
        return invoices_visible_to(self.request.user)


@extend_schema(tags=TAGS, request=PaymentRecordSerializer, responses={201: InvoiceSerializer})
class InvoicePaymentRecord(generics.GenericAPIView):
    """Record a payment (AQMD administrators): more than the balance is a 400, a paid or
    void invoice a 409."""

    policy_action = policy.Action.COST_RECOVERY_MANAGE
    serializer_class = PaymentRecordSerializer
    filter_backends: list[Any] = []
    pagination_class = None

    def get_queryset(self) -> Any:
        return invoices_visible_to(self.request.user)

    def post(self, request: Request, pk: int) -> Response:
        invoice = self.get_object()
        asked = PaymentRecordSerializer(data=request.data)
        asked.is_valid(raise_exception=True)
        payment_record(invoice=invoice, actor=request.user, **asked.validated_data)
        row = self.get_queryset().get(pk=invoice.pk)
        return Response(InvoiceSerializer(row).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("cost-recovery-invoices/", InvoiceList.as_view(), name="cost-recovery-invoice-list"),
    path(
        "cost-recovery-invoices/<int:pk>/",
        InvoiceDetail.as_view(),
        name="cost-recovery-invoice-detail",
    ),
    path(
        "cost-recovery-invoices/<int:pk>/payments/",
        InvoicePaymentRecord.as_view(),
        name="cost-recovery-invoice-payment",
    ),
]
