"""The cycle collector rests where reading and book-building make many objects, and comes back as it was."""

from __future__ import annotations

import gc

import pytest

import convert
from convert.memory import collector_resting
from convert.reader import collection as collection_module
from convert.writers.epub import EpubWriter

from ..writers.epub.test_epub_writer import SAMPLES


@pytest.fixture
def collector():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_collector_rests_in_the_block_and_is_then_as_it_was(collector, enabled):
    (gc.enable if enabled else gc.disable)()
    with collector_resting():
        assert not gc.isenabled()
    assert gc.isenabled() is enabled


def test_the_collector_comes_back_after_an_error(collector):
    gc.enable()
    with pytest.raises(ValueError), collector_resting():
        raise ValueError("in the block")
    assert gc.isenabled()


def test_reading_and_building_a_book_rest_the_collector_and_leave_it_on(collector, monkeypatch):
    gc.enable()
    seen = []

    def noting(step):
        def step_noted(*args):
            seen.append((step.__name__, gc.isenabled()))
            return step(*args)
        return step_noted

    monkeypatch.setattr(collection_module, "_read", noting(collection_module._read))
    monkeypatch.setattr(EpubWriter, "_build_book", noting(EpubWriter._build_book))
    collection = convert.read([SAMPLES]).collection
    assert gc.isenabled()
    assert EpubWriter().render(collection)[:2] == b"PK"
    assert seen == [("_read", False), ("_build_book", False)] and gc.isenabled()
