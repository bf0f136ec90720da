"""A pytest plugin for ``tests/test_chapters.py``: writes what ``-m`` selected.

Loaded with ``-p tests.chapter_report`` in a child pytest that only collects.
It writes a JSON file (path in ``MINIKERAS_CHAPTER_REPORT``) mapping each
selected test id to its chapter markers, plus the ids that ``-m`` deselected.
"""

import json
import os

from tests.conftest import CHAPTERS

_deselected = []


def pytest_deselected(items):
    _deselected.extend(item.nodeid for item in items)


def pytest_collection_finish(session):
    selected = {item.nodeid: [marker.name for marker in item.iter_markers() if marker.name in CHAPTERS]
                for item in session.items}
    with open(os.environ["MINIKERAS_CHAPTER_REPORT"], "w", encoding="utf-8") as file:
        json.dump({"selected": selected, "deselected": _deselected}, file)
