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


# One account's worst inputs (issue: one account must not stop the site for everyone): a
# narrative of 100,000 "[" (quadratic in a naive Markdown parser), 100,000 characters of motif
# words for the suggestions, and the same text saved as a shared dream that visitors open.
WORST_BODY = "[" * 100_000
WORST_WORDS = ("mirror staircase feather children flew station summit " * 1_800)[:100_000]


def run(*, clients: int, seconds: float, kill: bool, workers: int,
        worst_inputs: bool = False) -> dict:  # fmt: skip
    """Start gunicorn on a scratch database, drive it for `seconds` with `clients` writers (and,
    with `worst_inputs`, one hostile writer and two anonymous visitors), and return the report:
    counts of saves and statuses, what is missing after the optional SIGKILL, the integrity and
    index checks, and the visitors' answers (`visitor_statuses`, `visitor_slowest` in seconds)."""
    work = Path(tempfile.mkdtemp(prefix="somnia-load-"))
    with scratch_database(os.environ.get("DATABASE_URL", ""), work) as database_url:
        return _run(work, database_url, clients=clients, seconds=seconds, kill=kill,
                    workers=workers, worst_inputs=worst_inputs)  # fmt: skip


def hostile(client: Client, until: float, statuses: Counter, lock: threading.Lock) -> None:
    """Post the worst inputs over and over until `until`; every answer's status is counted."""
    forms = [
        ("/dreams/preview/", {"body": WORST_BODY}),
        ("/motifs/suggest/", {"body": WORST_WORDS}),
    ]
    while time.monotonic() < until:
        for path, form in forms:
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _, _ = client.request(
                    "POST", path, {**form, "csrfmiddlewaretoken": client.token()}
                )
                with lock:
                    statuses[status] += 1


def visit(port: int, paths: list[str], until: float, seen: list) -> None:
    """An anonymous visitor reading `paths` in turn until `until`: (status, seconds) each."""
    visitor = Client(port, "")
    while time.monotonic() < until:
        for path in paths:
            began = time.monotonic()
            try:
                status = visitor.request("GET", path)[0]
            except (OSError, http.client.HTTPException):
                status = 0
            seen.append((status, time.monotonic() - began))


def worst_input_threads(port: int, until, statuses: Counter, lock: threading.Lock,
                        seen: list) -> list[threading.Thread]:  # fmt: skip
    """The hostile writer, logged in and with its worst dream shared, and two visitors: threads
    that start their loops once `until()` (the run's deadline) is set."""
    client = Client(port, "hostile")
    client.log_in()
    status, location, _ = client.request(
        "POST", "/dreams/new/",
        {"csrfmiddlewaretoken": client.token(), "draft_key": str(uuid.uuid4()), "title": "",
         "body": WORST_BODY, "dreamt_on": "2026-01-01", "visibility": "shared"},
    )  # fmt: skip
    if status != 302:
        raise RuntimeError(f"the worst dream was not saved ({status})")
    paths = ["/", location, "/search/?q=mirror"]
    return [
        threading.Thread(target=lambda: hostile(client, until(), statuses, lock)),
        *(threading.Thread(target=lambda: visit(port, paths, until(), seen)) for _ in range(2)),
    ]


def _prepare(database_url: str, names: list[str]) -> dict[str, str]:
    """A migrated database with these users (and "hostile"), static files collected: the
    environment the server runs in."""
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
    django(env, "from django.contrib.auth.models import User\n" + "".join(
        f"User.objects.create_user({n!r}, password={PASSWORD!r})\n"
        for n in [*names, "hostile"]))  # fmt: skip
    return env


def _start_server(env: dict[str, str], *, port: int, workers: int, log) -> subprocess.Popen:
    """gunicorn on this port, once /healthz answers."""
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


def _verdict(env: dict[str, str], acked: dict[str, int]) -> dict:
    """After the run, from the database: acknowledged saves that are missing, the integrity
    check, the search index's problems, untitled dreams and the number of dreams."""
    return json.loads(django(env, f"""
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


def _writer(
    name: str,
    *,
    port: int,
    until,
    logged_in: threading.Barrier,
    lock: threading.Lock,
    statuses: Counter,
    counts: Counter,
    acked: dict[str, int],
) -> None:
    """One client: log in, wait for the others, then autosave three times and save a dream,
    over and over until until(); each acknowledged save's marker goes into `acked`."""
    client = Client(port, name)
    while time.monotonic() < until():
        try:
            client.log_in()
            break
        except (OSError, RuntimeError, http.client.HTTPException) as error:
            with lock:
                counts[f"login trouble: {error}"[:80]] += 1
            time.sleep(0.2)
    logged_in.wait()
    n = 0
    while time.monotonic() < until():
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


def _run(work: Path, database_url: str, *, clients, seconds, kill, workers,
         worst_inputs) -> dict:  # fmt: skip
    port = 18000 + os.getpid() % 1000
    names = [f"loader{i}" for i in range(clients)]
    env = _prepare(database_url, names)
    log = open(work / "server.log", "w")  # noqa: SIM115 - closed below

    def start() -> subprocess.Popen:
        return _start_server(env, port=port, workers=workers, log=log)

    server = start()
    acked: dict[str, int] = {}
    statuses: Counter = Counter()
    lock = threading.Lock()
    counts = Counter()
    # Logging in hashes a password (about a second of CPU each on a busy machine): all clients
    # log in first, and the measured run with its kill starts once every one of them has.
    deadline = time.monotonic() + 600

    def start_clock() -> None:
        nonlocal deadline
        deadline = time.monotonic() + seconds

    logged_in = threading.Barrier(len(names) + 1, action=start_clock)

    def worker(name: str) -> None:
        _writer(
            name,
            port=port,
            until=lambda: deadline,
            logged_in=logged_in,
            lock=lock,
            statuses=statuses,
            counts=counts,
            acked=acked,
        )

    threads = [threading.Thread(target=worker, args=(n,)) for n in names]
    for thread in threads:
        thread.start()
    visitors: list = []
    extra = worst_input_threads(port, lambda: deadline, statuses, lock, visitors) * worst_inputs
    logged_in.wait()
    for thread in extra:
        thread.start()
    threads += extra
    started = time.monotonic()
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
    verdict = _verdict(env, acked)
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
        "visitor_statuses": dict(Counter(status for status, _ in visitors)),
        "visitor_slowest": round(max((t for _, t in visitors), default=0), 2),
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
