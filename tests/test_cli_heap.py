"""`rapport run` freezes what start-up made out of the cyclic collector's passes (issue #14)."""

from __future__ import annotations

import gc

from bot import cli


def test_objects_made_before_serving_are_left_out_of_later_collections() -> None:
    made_at_startup = {"container": [object()]}
    try:
        cli._freeze_startup_heap()
        assert gc.get_freeze_count() > 0
        # gc.get_objects() lists the three generations the collector walks; frozen objects are in none of them.
        assert not any(tracked is made_at_startup for tracked in gc.get_objects())
        made_later = [object()]
        assert any(tracked is made_later for tracked in gc.get_objects())
    finally:
        gc.unfreeze()
