"""Every API operation follows the conventions that keep it safe to add more."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import generics

from accounts import policy
from core.resources import CreateOnList


def api_views() -> list[type]:
    found: list[type] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern) and (prefix + str(p.pattern)).startswith("api/v1/"):
                view = getattr(p.callback, "view_class", None) or getattr(p.callback, "cls", None)
                if view is not None:
                    found.append(view)

    walk(get_resolver().url_patterns, "")
    return found


def _actions(view: type) -> list[object]:
    """The policy actions a view asks: one, or for a list that also adds rows
    (``core.resources.CreateOnList``) the reading one and the adding one."""
    if issubclass(view, CreateOnList):
        return [view.resource.action, view.create_action]
    return [getattr(view, "policy_action", None)]


def test_every_operation_names_its_policy_action():
    views = api_views()
    assert len(views) >= 15
    assert any(issubclass(v, CreateOnList) for v in views)
    missing = [
        v.__name__
        for v in views
        if not all(isinstance(action, policy.Action) for action in _actions(v))
    ]
    assert missing == []


def test_every_list_filters_and_orders():
    lists = [v for v in api_views() if issubclass(v, generics.ListAPIView)]
    assert lists
    for view in lists:
        filterset = getattr(view, "filterset_class", None)
        assert filterset is not None, view.__name__
        assert "ordering" in filterset.base_filters, view.__name__


def test_a_view_without_a_policy_action_is_refused(reviewer):
    from rest_framework.response import Response
    from rest_framework.test import APIRequestFactory, force_authenticate
    from rest_framework.views import APIView

    class Forgotten(APIView):
        def get(self, request):
            return Response({"secret": True})

    request = APIRequestFactory().get("/")
    force_authenticate(request, user=reviewer)
    assert Forgotten.as_view()(request).status_code == 403
