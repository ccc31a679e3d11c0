"""The work a change leaves for after its commit (a task to enqueue, mail to deliver), apart
from what every recorded change leaves: counting it for the page cache
(:func:`core.cache.count_change`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from core.cache import count_change


def work(callbacks: Sequence[Callable[[], Any]]) -> list[Callable[[], Any]]:
    return [callback for callback in callbacks if callback is not count_change]
