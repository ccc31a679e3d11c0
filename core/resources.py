"""The API's building blocks: one declaration per kind of row it serves (its list, its detail
and its downloads), the base of one-object operations and of file downloads.

Each view is one operation and names its ``policy_action`` (asked by
:class:`api.permissions.PolicyPermission`); lists get filtering, ordering and pagination
from ``REST_FRAMEWORK`` in the settings.

A :class:`Resource` says who may read the rows (the policy action), which rows the caller
may see (the selector), how a row reads (the serializer), how the list filters and orders,
and, when the rows can be downloaded, the export's columns.  :meth:`Resource.urls` makes the
read operations from it; a write subclasses :class:`ResourceView` (and :class:`SingleView`)
and names its resource, so it finds its object among the same rows (else 404); a write that
only hands a row and the request's fields to a service is a :class:`RowAction` of the resource.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, TypeVar

from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import policy
from core.exports import CONTENT_TYPES, Column, ExportFormat, export_response
from core.page_cache import CachedListView

_Read = TypeVar("_Read", bound=serializers.BaseSerializer)


def read_body(serializer: type[_Read], request: Request, **options: Any) -> _Read:
    """The request's body as ``serializer`` reads it (``options``: e.g. ``partial=True``);
    a body it refuses is a 400 in the API's error shape."""
    asked = serializer(data=request.data, **options)
    asked.is_valid(raise_exception=True)
    return asked


class DownloadView(APIView):
    """A view that answers with a file (an :class:`~django.http.HttpResponse`).

    Errors still answer in JSON, whatever ``Accept`` said: the file is not a rendering of
    data, so content negotiation has nothing to choose.
    """

    def perform_content_negotiation(
        self, request: Request, force: bool = False
    ) -> tuple[BaseRenderer, str]:
        renderer = JSONRenderer()
        return renderer, renderer.media_type

    def get_renderers(self) -> list[Any]:
        return [JSONRenderer()]


PDF_DOWNLOAD = {(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)}


def created_or_ok(created: bool) -> int:
    """The status of a write that is a no-op when done already: 201 when it made or changed
    something, 200 when it was so already."""
    return status.HTTP_201_CREATED if created else status.HTTP_200_OK


def created_or_ok_responses(
    serializer: type, *, created: str, ok: str
) -> dict[int, OpenApiResponse]:
    """The schema's answers of such a write: the same body, described for 201 and for 200."""
    return {
        status.HTTP_201_CREATED: OpenApiResponse(serializer, description=created),
        status.HTTP_200_OK: OpenApiResponse(serializer, description=ok),
    }


class SingleView(generics.GenericAPIView):
    """One object or one answer (writes, totals): no filters, no pages."""

    filter_backends: list[Any] = []
    pagination_class = None


class ResourceView(generics.GenericAPIView):
    """A view over one resource's rows: a write names its ``resource`` and finds its object
    among the rows the caller may see (else 404)."""

    resource: ClassVar[Resource]

    def get_queryset(self) -> Any:
        return self.resource.rows(self.request.user)


class CreateOnList(generics.GenericAPIView):
    """The ``post`` of a collection (``Resource.create``): reading the list and adding a row
    are two operations, asked of the policy as ``resource.action`` and ``create_action``."""

    resource: ClassVar[Resource]
    create_action: ClassVar[policy.Action]

    @property
    def policy_action(self) -> policy.Action:
        return self.create_action if self.request.method == "POST" else self.resource.action


class _ExportView(DownloadView, ResourceView):
    export_format: ExportFormat

    def get(self, request: Request) -> Any:
        resource = self.resource
        rows = self.filter_queryset(self.get_queryset())
        return export_response(
            resource.export_rows(rows) if resource.export_rows else rows,
            resource.export,
            fmt=self.export_format,
            filename=resource.filename or resource.path,
        )


@dataclass(frozen=True)
class RowAction:
    """A ``POST`` on one row of a resource (``<path>/<pk>/<suffix>/``, named
    ``<resource name>-<suffix>`` unless ``name`` says otherwise) that calls one service:
    ``service(<row>=row, actor=user, **fields)``, the row under the keyword ``row`` names and
    the fields of ``request`` (none when it is None); then it answers with the row as the
    resource reads it (200, or 201 when ``created``).  The row is found among those the
    caller may see (else 404)."""

    suffix: str  # the path under the row, e.g. "waiver"
    action: policy.Action  # asked of the policy
    service: Callable[..., Any]
    row: str  # the service's keyword for the row, e.g. "penalty"
    about: str  # the operation's description in the schema
    request: type | None = None  # the request's serializer
    name: str = ""  # the URL name, when not "<resource name>-<suffix>"
    created: bool = False
    answered: str = ""  # the answer's description in the schema


class _RowActionView(ResourceView, SingleView):
    row_action: ClassVar[RowAction]

    def post(self, request: Request, **kwargs: Any) -> Response:
        act = self.row_action
        row = self.get_object()
        fields: dict[str, Any] = {}
        if act.request is not None:
            fields = read_body(act.request, request).validated_data
        act.service(**{act.row: row}, actor=request.user, **fields)
        answer = self.resource.serializer(self.get_queryset().get(pk=row.pk)).data
        return Response(answer, status=created_or_ok(act.created))


@dataclass(frozen=True, eq=False)
class Resource:
    name: str  # the URL names' stem: "<name>-list", "<name>-detail", "<name>-export-csv"
    path: str  # the collection's path under /api/v1/, e.g. "defaults" or "fund/entries"
    tags: Sequence[str]
    action: policy.Action  # reading a row
    serializer: type
    rows: Callable[[Any], Any]  # the user's visible rows (a selector)
    filterset: type | None = None
    about: str = ""  # the list's description in the schema
    lookup: str = "pk"
    converter: str = "int"
    export: Sequence[Column] = ()  # columns of the CSV/XLSX download; none: no download
    export_rows: Callable[[Any], Iterable[Any]] | None = None  # rows → export rows
    filename: str = ""
    mixins: tuple[type, ...] = ()  # extra behaviour for every view of the resource
    detail: bool = True
    create: type[CreateOnList] | None = None  # the collection's ``post``: adds a row
    actions: Sequence[RowAction] = ()  # writes on one row that call a service
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def view(self) -> type[ResourceView]:
        """The base of every view on this resource, writes included."""
        attrs = {
            "resource": self,
            "policy_action": self.action,
            "serializer_class": self.serializer,
            "filterset_class": self.filterset,
            "lookup_field": self.lookup,
            "__module__": self.serializer.__module__,
            **self.extra,
        }
        return type(f"{self._class_stem}View", (*self.mixins, ResourceView), attrs)

    @property
    def _class_stem(self) -> str:
        return "".join(part.capitalize() for part in self.name.replace("-", " ").split())

    def _make(self, suffix: str, bases: tuple[type, ...], doc: str, **schema: Any) -> Any:
        klass = type(
            f"{self._class_stem}{suffix}",
            (*bases, self.view),
            {"__doc__": doc or None, "__module__": self.serializer.__module__},
        )
        return extend_schema(tags=list(self.tags), **schema)(klass)

    def urls(self) -> list[URLPattern]:
        """The list, the detail, the downloads and the row actions, with their URL names."""
        listed = self._make("List", (*filter(None, [self.create]), CachedListView), self.about)
        patterns = [path(f"{self.path}/", listed.as_view(), name=f"{self.name}-list")]
        for fmt in ExportFormat if self.export else ():
            download = type(f"Export{fmt.upper()}", (_ExportView,), {"export_format": fmt})
            view = self._make(
                f"Export{fmt.capitalize()}",
                (download,),
                f"The filtered {self.path.replace('/', ' ').replace('-', ' ')} as {fmt.upper()}, "
                "with the list's filters and ordering.",
                responses={
                    (200, CONTENT_TYPES[fmt].split(";")[0]): OpenApiResponse(OpenApiTypes.BINARY)
                },
            )
            patterns.append(
                path(f"{self.path}/export.{fmt}", view.as_view(), name=f"{self.name}-export-{fmt}")
            )
        if self.detail:
            detail = self._make("Detail", (generics.RetrieveAPIView,), "")
            patterns.append(path(self._row_route, detail.as_view(), name=f"{self.name}-detail"))
        patterns.extend(self._action_url(act) for act in self.actions)
        return patterns

    @property
    def _row_route(self) -> str:
        return f"{self.path}/<{self.converter}:{self.lookup}>/"

    def _action_url(self, act: RowAction) -> URLPattern:
        code = created_or_ok(act.created)
        answer = OpenApiResponse(self.serializer, description=act.answered)
        view: Any = type(
            f"{self._class_stem}{act.suffix.replace('-', ' ').title().replace(' ', '')}",
            (_RowActionView,),
            {
                "__doc__": act.about,
                "__module__": self.serializer.__module__,
                "resource": self,
                "row_action": act,
                "policy_action": act.action,
                "serializer_class": act.request or self.serializer,
                "lookup_field": self.lookup,
            },
        )
        view = extend_schema(tags=list(self.tags), request=act.request, responses={code: answer})(
            view
        )
        name = act.name or f"{self.name}-{act.suffix}"
        return path(f"{self._row_route}{act.suffix}/", view.as_view(), name=name)
