"""API operations on cost recovery: ``/api/v1/cost-recovery-invoices/``.

AQMD and the board read every invoice, port staff their own port's (another port's is a
404); AQMD administrators issue invoices and record payments through the services.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import policy
from core.resources import CreateOnList, Resource, RowAction, read_body
from core.serializers import ReasonSerializer

from .filters import InvoiceFilter
from .selectors import invoices_visible_to
from .serializers import (
    InvoiceIssueSerializer,
    InvoiceSerializer,
    PaymentRecordSerializer,
)
from .services import invoice_issue, invoice_void, payment_record

TAGS = ["cost recovery"]


class _InvoiceIssue(CreateOnList):
    create_action = policy.Action.COST_RECOVERY_MANAGE

    @extend_schema(request=InvoiceIssueSerializer, responses={201: InvoiceSerializer})
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        asked = read_body(InvoiceIssueSerializer, request)
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
    actions=[
        RowAction(
            suffix="payments",
            name="cost-recovery-invoice-payment",
            action=policy.Action.COST_RECOVERY_MANAGE,
            service=payment_record,
            row="invoice",
            request=PaymentRecordSerializer,
            created=True,
            about="Record a payment (AQMD administrators): more than the balance is a 400, a "
            "paid or void invoice a 409.",
        ),
        RowAction(
            suffix="void",
            action=policy.Action.COST_RECOVERY_MANAGE,
            service=invoice_void,
            row="invoice",
            request=ReasonSerializer,
            about="Void an invoice issued in error, with the reason (AQMD administrators); it "
            "stays on record and the port may be invoiced again for the period.  Partly paid: "
            "409.",
        ),
    ],
)


urlpatterns = INVOICES.urls()
