"""The load and fault test, short enough for every CI run (the full run: see the README)."""

import importlib.util
from pathlib import Path

import pytest

spec = importlib.util.spec_from_file_location("loadtest", Path(__file__).with_name("loadtest.py"))
loadtest = importlib.util.module_from_spec(spec)
spec.loader.exec_module(loadtest)


@pytest.mark.load
def test_sixteen_clients_and_a_kill_lose_nothing():
    report = loadtest.run(clients=16, seconds=12, kill=True, workers=4)
    print(report)
    # How many is the benchmark's business; here enough to mean something, on a busy machine.
    assert report["saves"] >= 10 and report["autosaves"] >= 30
    assert report["server_errors"] == 0 and report["database_locked"] == 0
    assert report["missing"] == []  # every acknowledged save is there after the kill
    assert report["integrity"] == "ok"
    assert report["index_problems"] == []
    assert report["untitled"] == 0


@pytest.mark.load
def test_one_accounts_worst_inputs_leave_visitors_served():
    """One writer posts the worst inputs (100,000 "[" to the preview, 100,000 characters to the
    motif suggestions) and shares a dream made of them, while two anonymous visitors read the
    gallery, that dream and a search: every answer to anyone is a success, none a timeout."""
    report = loadtest.run(clients=2, seconds=8, kill=False, workers=4, worst_inputs=True)
    print(report)
    assert report["server_errors"] == 0
    assert report["statuses"].get(200, 0) >= 4  # the worst inputs were answered, repeatedly
    assert set(report["visitor_statuses"]) == {200}  # no refused connection, no timeout
    assert sum(report["visitor_statuses"].values()) >= 6
