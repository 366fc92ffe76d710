"""Load and fault test against the production server: gunicorn with several workers on a
fresh SQLite file (WAL, IMMEDIATE transactions), or, when DATABASE_URL names a PostgreSQL
server, on a scratch database made there and dropped afterwards. Clients log in, autosave and
save dreams; optionally the server is killed with SIGKILL mid-run and started again. Afterwards
every acknowledged save must be in the database, the database must pass its integrity check and the
search index must match the dreams exactly.

    python tests/load/loadtest.py --clients 16 --seconds 60 --kill
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from scratch import scratch_database  # noqa: E402 - after the path it lives on

PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
PASSWORD = "a sleepy load-test password 42"


def django(env: dict, code: str) -> str:
    result = subprocess.run(
        [PYTHON, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout


class Client:
    def __init__(self, port: int, username: str):
        self.port, self.username = port, username
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), text

    def token(self) -> str:
        return self.cookies.get("csrftoken", "")

    def log_in(self) -> None:
        self.request("GET", "/accounts/login/")
        status, _, _ = self.request(
            "POST", "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": self.token()},
        )  # fmt: skip
        if status != 302:
            raise RuntimeError(f"{self.username} could not log in ({status})")


def run(*, clients: int, seconds: float, kill: bool, workers: int) -> dict:
    work = Path(tempfile.mkdtemp(prefix="somnia-load-"))
    with scratch_database(os.environ.get("DATABASE_URL", ""), work) as database_url:
        return _run(work, database_url, clients=clients, seconds=seconds, kill=kill,
                    workers=workers)  # fmt: skip


def _run(work: Path, database_url: str, *, clients, seconds, kill, workers) -> dict:
    port = 18000 + os.getpid() % 1000
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": "load-" + uuid.uuid4().hex * 2,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "journal.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([PYTHON, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True)
    # The production server serves hashed static files: they must be collected first.
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    names = [f"loader{i}" for i in range(clients)]
    django(env, "from django.contrib.auth.models import User\n" + "".join(
        f"User.objects.create_user({n!r}, password={PASSWORD!r})\n" for n in names))  # fmt: skip
    log = open(work / "server.log", "w")  # noqa: SIM115 - closed below

    def start():
        process = subprocess.Popen(
            [GUNICORN, "journal.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}",
             "--graceful-timeout", "5"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        for _ in range(200):
            try:
                if Client(port, "").request("GET", "/healthz")[0] == 200:
                    return process
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    server = start()
    acked: dict[str, int] = {}
    statuses: Counter = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    counts = Counter()

    def worker(name: str) -> None:
        client = Client(port, name)
        while time.monotonic() < deadline:
            try:
                client.log_in()
                break
            except (OSError, RuntimeError, http.client.HTTPException) as error:
                with lock:
                    counts[f"login trouble: {error}"[:80]] += 1
                time.sleep(0.2)
        n = 0
        while time.monotonic() < deadline:
            n += 1
            marker = f"{name}-{n}-{uuid.uuid4().hex[:8]}"
            key = str(uuid.uuid4())
            try:
                for step in range(3):
                    status, _, _ = client.request(
                        "POST", "/dreams/new/autosave/",
                        {"csrfmiddlewaretoken": client.token(), "draft_key": key,
                         "body": f"I dreamt of a mirror and a staircase, {marker} {step}"},
                    )  # fmt: skip
                    with lock:
                        statuses[status] += 1
                        counts["autosaves"] += status == 200
                status, location, _ = client.request(
                    "POST", "/dreams/new/",
                    {"csrfmiddlewaretoken": client.token(), "draft_key": key, "title": "",
                     "body": f"I dreamt of a mirror and a staircase, {marker}",
                     "dreamt_on": "2026-01-01", "visibility": "private"},
                )  # fmt: skip
                with lock:
                    statuses[status] += 1
                    if status == 302 and (found := re.search(r"/dreams/(\d+)/", location)):
                        acked[marker] = int(found[1])
                        counts["saves"] += 1
            except (OSError, http.client.HTTPException):
                # The server was killed mid-answer: not acknowledged, so not counted as saved.
                with lock:
                    counts["connection errors"] += 1
                time.sleep(0.1)
                if client.cookies.get("sessionid") is None:
                    with contextlib.suppress(OSError, RuntimeError, http.client.HTTPException):
                        client.log_in()

    threads = [threading.Thread(target=worker, args=(n,)) for n in names]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    kills = 0
    if kill:
        time.sleep(seconds / 2)
        os.killpg(server.pid, signal.SIGKILL)  # no goodbye: master and workers at once
        server.wait()
        kills += 1
        server = start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    os.killpg(server.pid, signal.SIGTERM)
    server.wait()
    log.close()
    server_log = (work / "server.log").read_text()
    verdict = json.loads(django(env, f"""
import json
from django.db import connection
from dreams import search
from dreams.models import Dream
acked = {json.dumps(acked)}
bodies = dict(Dream.objects.filter(pk__in=acked.values()).values_list("pk", "body"))
missing = [m for m, pk in acked.items() if m not in bodies.get(pk, "")]
with connection.cursor() as cursor:
    if connection.vendor == "sqlite":
        cursor.execute("PRAGMA integrity_check")
        integrity = cursor.fetchone()[0]
    else:
        # amcheck: every B-tree index of the schema checked against its table.
        cursor.execute("CREATE EXTENSION IF NOT EXISTS amcheck")
        cursor.execute(
            "SELECT bt_index_check(c.oid, true) FROM pg_index i JOIN pg_class c "
            "ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE a.amname = 'btree' AND n.nspname = 'public'"
        )
        integrity = "ok"
print(json.dumps({{
    "missing": missing,
    "integrity": integrity,
    "index_problems": search.check_index(),
    "untitled": Dream.objects.filter(title="").count(),
    "dreams": Dream.objects.count(),
}}))
"""))  # fmt: skip
    return {
        "clients": clients,
        "seconds": round(elapsed, 1),
        "kills": kills,
        "saves": counts["saves"],
        "autosaves": counts["autosaves"],
        "requests_per_second": round(sum(statuses.values()) / elapsed, 1),
        "statuses": dict(statuses),
        "server_errors": sum(v for k, v in statuses.items() if k >= 500),
        "connection_errors": counts["connection errors"],
        "other": {k: v for k, v in counts.items() if k.startswith("login")},
        "database_locked": server_log.count("database is locked"),
        **verdict,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--kill", action="store_true", help="SIGKILL the server halfway")
    args = parser.parse_args()
    report = run(clients=args.clients, seconds=args.seconds, kill=args.kill, workers=args.workers)
    print(json.dumps(report, indent=2))
    ok = (
        report["saves"] > 0
        and not report["missing"]
        and report["integrity"] == "ok"
        and not report["index_problems"]
        and report["server_errors"] == 0
        and report["database_locked"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
