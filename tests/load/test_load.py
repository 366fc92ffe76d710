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
