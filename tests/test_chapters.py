"""Chapters select their tests: ``python -m pytest -m layers`` runs chapter 3.

One child pytest collects the whole suite under ``-m "engine or kernels or
..."`` (nothing runs); when this session already collected the whole suite
unfiltered, its own items are read instead. Every test must be selected, carry exactly one chapter
marker, and each chapter must hold a real share of the suite. A new test
folder fails here until ``FOLDER_CHAPTERS`` in ``tests/conftest.py`` maps it;
a new file in ``tests/conformance/`` until it sets ``pytestmark``.
"""

import collections
import json
import os
import pathlib
import subprocess
import sys

from tests.conftest import CHAPTERS
from tests.conftest import DESELECTED_IN_THIS_SESSION

ROOT = pathlib.Path(__file__).resolve().parents[1]
FEWEST_TESTS_PER_CHAPTER = 20


def _collect_by_chapter(tmp_path):
    report = tmp_path / "chapters.json"
    environment = dict(os.environ, MINIKERAS_CHAPTER_REPORT=str(report))
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
               "-p", "tests.chapter_report", "-m", " or ".join(CHAPTERS), "tests"]
    result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600)
    assert report.exists(), f"collection failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return json.loads(report.read_text(encoding="utf-8"))


def _report_of_this_session(request):
    """The same report from the running session, when it collected the whole suite.

    Then every test is already collected and marked, and a second collection
    (a child pytest importing every peer framework again) would only repeat
    it. Not when the session ran part of the suite, or filtered it by
    ``-m`` / ``-k``: then the child collects the whole suite.
    """
    config = request.config
    if config.option.markexpr or config.option.keyword or DESELECTED_IN_THIS_SESSION:
        return None
    whole = {ROOT, ROOT / "tests"}
    arguments = [pathlib.Path(config.invocation_params.dir, argument.split("::")[0]).resolve()
                 for argument in config.args]
    if not arguments or any(argument not in whole for argument in arguments):
        return None
    selected, unmarked = {}, []
    for item in request.session.items:
        chapters = [marker.name for marker in item.iter_markers() if marker.name in CHAPTERS]
        if chapters:
            selected[item.nodeid] = chapters
        else:
            unmarked.append(item.nodeid)
    return {"selected": selected, "deselected": unmarked}


def test_every_test_has_exactly_one_chapter_and_every_chapter_is_real(tmp_path, request):
    report = _report_of_this_session(request) or _collect_by_chapter(tmp_path)
    assert not report["deselected"], (
        f"{len(report['deselected'])} tests have no chapter marker, e.g. {report['deselected'][:5]}; "
        "map their folder in FOLDER_CHAPTERS (tests/conftest.py) or set pytestmark in the file")
    doubled = {test: chapters for test, chapters in report["selected"].items() if len(chapters) != 1}
    assert not doubled, f"tests with more than one chapter marker: {dict(list(doubled.items())[:5])}"
    sizes = collections.Counter(chapters[0] for chapters in report["selected"].values())
    small = {chapter: sizes[chapter] for chapter in CHAPTERS if sizes[chapter] < FEWEST_TESTS_PER_CHAPTER}
    assert not small, f"chapters selecting fewer than {FEWEST_TESTS_PER_CHAPTER} tests: {small} (all: {sizes})"
