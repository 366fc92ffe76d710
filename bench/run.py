"""Somnia's benchmark: corpora of 1k, 10k and 100k generated dreams; each page's p50 and p95
over HTTP against the production server (gunicorn), its SQL query count, import and autosave
throughput, beside the floor (raw FTS5, /healthz) and a peer (Datasette's ?_search= on a copy
of the same file). Ratios are within one run, so a noisy machine still compares fairly.

    make bench                      # BENCH_SIZES=1000,10000,100000 by default
    BENCH_SIZES=1000 make bench     # a quick look
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test make bench

With a PostgreSQL DATABASE_URL, each corpus is also copied into its own database on that
server (somnia_bench_<size>, kept between runs) and measured there the same way, its floor
being the raw PostgreSQL query; the report puts both side by side and says whether the two
databases found the same dreams for the same searches (bench/agree.py).
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import agree  # noqa: E402 - bench/agree.py, beside this file
import motifs as motif_bench  # noqa: E402 - bench/motifs.py, beside this file

from dreams import query  # noqa: E402 - pure: the query language, no database

OUT = ROOT / "bench" / "out"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
PASSWORD = "a bench password of some length"
REPEAT = int(os.environ.get("BENCH_REPEAT", "25"))
SEARCHES = {
    "search_rare": "",  # chosen per corpus: the rarest of RARE_CANDIDATES that occurs
    "search_common": "woke",
    "search_phrase_filter": '"without blinking" lucid:yes',
}
FTS_TERMS = {
    "search_rare": "",
    "search_common": '"woke"',
    "search_phrase_filter": '"without blinking"',
}
RARE_CANDIDATES = ["violin", "harp", "anchor", "kite", "glacier", "crown", "compass", "lantern"]


def rarest(db: Path) -> str:
    connection = sqlite3.connect(db)
    counts = {
        word: connection.execute(
            "SELECT count(*) FROM dream_fts WHERE dream_fts MATCH ?", [f'"{word}"']
        ).fetchone()[0]
        for word in RARE_CANDIDATES
    }
    connection.close()
    present = {w: n for w, n in counts.items() if n} or counts
    return min(present, key=present.get)


def env_for(db: Path | str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": db if isinstance(db, str) else f"sqlite:///{db}",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 60,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "journal.settings",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True,
        text=True,
    ).stdout  # fmt: skip


def django(env: dict, code: str) -> str:
    return subprocess.run(
        [PYTHON, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip


def request(port: int, path: str, *, cookie: str = "", method: str = "GET", body: str = ""):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": cookie}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body or None, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, data, response.getheaders()


def timed(port: int, path: str, cookie: str = "") -> dict:
    for _ in range(3):
        request(port, path, cookie=cookie)
    samples, status = [], 0
    for _ in range(REPEAT):
        started = time.perf_counter()
        status, _, _ = request(port, path, cookie=cookie)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
        "status": status,
    }


def serve(argv: list[str], port: int, env: dict, health: str) -> subprocess.Popen:
    process = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    for _ in range(300):
        try:
            if request(port, health)[0] == 200:
                return process
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{argv[0]} did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait()


def build(size: int) -> Path:
    db = OUT / f"corpus-{size}.sqlite3"
    done = OUT / f"corpus-{size}.done"
    if db.exists() and done.exists():
        manage(env_for(db), "migrate", "-v0")  # a corpus kept from an older schema
        return db
    for leftover in OUT.glob(f"corpus-{size}.sqlite3*"):
        leftover.unlink()
    env = env_for(db)
    manage(env, "migrate", "-v0")
    manage(env, "createcachetable")
    started = time.perf_counter()
    manage(env, "generate_dreams", "--count", str(size), "--users", "20", "--seed", "1")
    print(f"  generated {size:,} dreams in {time.perf_counter() - started:.0f} s", flush=True)
    django(env, "from django.contrib.auth.models import User\n"
                "u = User.objects.get(username='dreamer001')\n"
                f"u.set_password({PASSWORD!r}); u.save()")  # fmt: skip
    done.write_text("ok")
    return db


def log_in(port: int) -> str:
    _, _, headers = request(port, "/accounts/login/")
    cookies = dict(
        v.split(";", 1)[0].split("=", 1) for k, v in headers if k.lower() == "set-cookie"
    )
    body = urllib.parse.urlencode(
        {"username": "dreamer001", "password": PASSWORD,
         "csrfmiddlewaretoken": cookies["csrftoken"]}
    )  # fmt: skip
    jar = f"csrftoken={cookies['csrftoken']}"
    _status, _, headers = request(port, "/accounts/login/", cookie=jar, method="POST", body=body)
    session = [v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie"]
    return "; ".join([jar, *session])


def query_counts(env: dict, paths: dict) -> dict:
    """Each page's SQL queries: [first request of a fresh process, every request after]."""
    code = f"""
import json
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client()
client.force_login(User.objects.get(username="dreamer001"))
out = {{}}
for name, path in {json.dumps(paths)}.items():
    counts = []
    for _ in range(2):  # the first request of a fresh process, then the steady state
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        counts.append(len(captured.captured_queries))
    out[name] = counts
print(json.dumps(out))
"""
    return json.loads(django({**env, "DJANGO_ALLOWED_HOSTS": "testserver"}, code))


def raw_fts(db: Path, term: str) -> float:
    connection = sqlite3.connect(db)
    sql = (
        "SELECT rowid, snippet(dream_fts, 1, '[', ']', '…', 24) FROM dream_fts "
        "WHERE dream_fts MATCH ? ORDER BY bm25(dream_fts, 10.0, 1.0, 4.0, 2.0) LIMIT 20"
    )
    for _ in range(3):
        connection.execute(sql, [term]).fetchall()
    samples = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        connection.execute("SELECT count(*) FROM dream_fts WHERE dream_fts MATCH ?", [term])
        connection.execute(sql, [term]).fetchall()
        samples.append((time.perf_counter() - started) * 1000)
    connection.close()
    return round(statistics.median(samples), 2)


def raw_postgres(url: str, text: str) -> float:
    """The floor on PostgreSQL: count and first page straight off the GIN index, with headlines."""
    import psycopg

    tsquery = query.parse(text).match_tsquery()
    sql = (
        "SELECT dream_id, ts_headline('somnia', body, q, 'MaxWords=24, MinWords=12, "
        "MaxFragments=1') FROM dream_search, to_tsquery('somnia', %s) q WHERE document @@ q "
        "ORDER BY ts_rank('{0.1,0.2,0.4,1}', document, q, 1) DESC LIMIT 20"
    )
    count = "SELECT count(*) FROM dream_search WHERE document @@ to_tsquery('somnia', %s)"
    with psycopg.connect(url) as connection:
        for _ in range(3):
            connection.execute(sql, [tsquery]).fetchall()
        samples = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            connection.execute(count, [tsquery]).fetchone()
            connection.execute(sql, [tsquery]).fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 2)


def build_postgres(size: int, server: str, sqlite_db: Path) -> str:
    """The corpus copied into its own database on the PostgreSQL server of DATABASE_URL."""
    import psycopg

    name = f"somnia_bench_{size}"
    url = urllib.parse.urlunsplit(urllib.parse.urlsplit(server)._replace(path=f"/{name}"))
    done = OUT / f"corpus-{size}.postgres"
    with psycopg.connect(server, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and done.exists() and done.read_text() == url:
            manage(env_for(url), "migrate", "-v0")
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute("VACUUM ANALYZE")  # what autovacuum would do in time
            return url
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    env = env_for(url)
    manage(env, "migrate", "-v0")
    manage(env, "createcachetable")
    started = time.perf_counter()
    manage(env, "copy_database", f"sqlite:///{sqlite_db}")
    print(f"  copied into PostgreSQL in {time.perf_counter() - started:.0f} s", flush=True)
    done.write_text(url)
    return url


def autosave_throughput(port: int, cookie: str, *, clients: int = 16, seconds: float = 8) -> dict:
    token = dict(p.split("=", 1) for p in cookie.split("; "))["csrftoken"]
    deadline = time.monotonic() + seconds
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()

    def client() -> None:
        key = str(uuid.uuid4())
        n = 0
        while time.monotonic() < deadline:
            n += 1
            body = urllib.parse.urlencode(
                {"csrfmiddlewaretoken": token, "draft_key": key,
                 "body": f"A lantern on the stairs, draft {n} " * 20}
            )  # fmt: skip
            try:
                status, _, _ = request(
                    port, "/dreams/new/autosave/", cookie=cookie, method="POST", body=body
                )
            except OSError:
                status = 0
            with lock:
                counts["ok" if status == 200 else "errors"] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"per_second": round(counts["ok"] / elapsed, 1), "errors": counts["errors"]}


IMPORT_ROWS, IMPORT_DISTINCT = 39_059, 28_870  # the DreamBank TSV of issue 17


def dreambank_sized_tsv() -> Path:
    """A TSV shaped like DreamBank's (39,059 rows of which 28,870 distinct, reports of about
    170 words, parenthesised dates), from the corpus generator: kept in bench/out/. With
    BENCH_IMPORT_TSV=path the real file is measured instead (it is never committed)."""
    real = os.environ.get("BENCH_IMPORT_TSV")
    if real:
        return Path(real)
    path = OUT / "dreambank-sized.tsv"
    if path.exists():
        return path
    code = f"""
import csv, random, sys
from dreams import generating
rng, pools = random.Random(17), generating._pools()
writer = csv.writer(sys.stdout, delimiter="\\t", lineterminator="\\n")
writer.writerow(["n", "date", "dream"])
rows = []
for n in range({IMPORT_DISTINCT}):
    day = f"({{1 + n % 12}}/{{1 + n % 28}}/{{60 + n % 40}})" if n % 5 else ""
    rows.append([f"{{n:04}}", day, generating.narrative(rng, rng.randint(60, 300), pools)])
rows += [rows[rng.randrange(len(rows))] for _ in range({IMPORT_ROWS - IMPORT_DISTINCT})]
writer.writerows(rows)
"""
    path.write_text(django(env_for(OUT / "static.sqlite3"), code))
    return path


def import_throughput(server: str = "") -> dict:
    """New dreams per second and peak memory (max RSS, MB, of the command and of the largest
    of its reading processes) importing the DreamBank-sized TSV
    with `manage.py import_dreams` (its preview, motif detection and indexing included;
    timed from the command's start, Django's start-up apart), on SQLite or (server) a new
    PostgreSQL database."""
    tsv = dreambank_sized_tsv()
    if server:
        import psycopg

        url = urllib.parse.urlunsplit(
            urllib.parse.urlsplit(server)._replace(path="/somnia_bench_import")
        )
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute("DROP DATABASE IF EXISTS somnia_bench_import WITH (FORCE)")
            admin.execute("CREATE DATABASE somnia_bench_import")
        env = env_for(url)
    else:
        db = OUT / "import.sqlite3"
        for leftover in OUT.glob("import.sqlite3*"):
            leftover.unlink()
        env = env_for(db)
    manage(env, "migrate", "-v0")
    code = f"""
import io, resource, time
from django.contrib.auth.models import User
from django.core.management import call_command
from dreams.models import Dream
owner = User.objects.create(username="importer")
started = time.perf_counter()
call_command("import_dreams", {str(tsv)!r}, owner="importer", stdout=io.StringIO(),
             stderr=io.StringIO())
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
readers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(Dream.objects.filter(owner=owner).count(), round(seconds, 1), round(peak), round(readers))
"""
    created, seconds, peak, readers = django(env, code).split()
    return {
        "created": int(created),
        "seconds": float(seconds),
        "per_second": round(int(created) / float(seconds), 1),
        "peak_mb": int(peak),
        "reader_peak_mb": int(readers),  # the largest of the reading processes
    }


def run_size(size: int, port: int, database: str, db: Path | str) -> dict:
    """Every page's timings and query counts on one corpus, with the floor and the peer."""
    print(f"  measuring on {database}", flush=True)
    env = env_for(db)
    sqlite_db = OUT / f"corpus-{size}.sqlite3"
    rare = rarest(sqlite_db)
    SEARCHES["search_rare"], FTS_TERMS["search_rare"] = rare, f'"{rare}"'
    ids = json.loads(django(env, "import json\nfrom dreams.models import Dream\n"
                                 "print(json.dumps(list(Dream.objects.shared()"
                                 ".values_list('pk', flat=True)[:1])))"))  # fmt: skip
    pages = {
        "healthz": "/healthz",
        "gallery": "/",
        "dream": f"/dreams/{ids[0]}/",
        **{name: "/search/?" + urllib.parse.urlencode({"q": q}) for name, q in SEARCHES.items()},
        "motif": "/motifs/mirror/",
        "insights": "/insights/",
    }
    server = serve([str(BIN / "gunicorn"), "journal.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"],
                   port, env, "/healthz")  # fmt: skip
    try:
        cookie = log_in(port)
        timings = {name: timed(port, path, cookie) for name, path in pages.items()}
        autosave = autosave_throughput(port, cookie)
    finally:
        stop(server)
    counts = query_counts(env, {k: v for k, v in pages.items() if k != "healthz"})
    if database == "sqlite":
        floor = {name: raw_fts(sqlite_db, term) for name, term in FTS_TERMS.items()}
        peer = datasette_timings(size, port + 1, env)
    else:
        floor = {name: raw_postgres(db, q.split(" lucid:")[0]) for name, q in SEARCHES.items()}
        peer = {}
    healthz = timings["healthz"]["p50_ms"]
    rows = {}
    for name in pages:
        cold, warm = counts.get(name) or (None, None)
        row = {**timings[name], "queries": warm, "queries_cold": cold}
        if name in SEARCHES:
            row["floor_ms"] = round(floor[name] + healthz, 2)
            row["vs_floor"] = round(row["p50_ms"] / row["floor_ms"], 2)
            if name in peer:
                row["datasette_ms"] = peer[name]
                row["vs_datasette"] = round(row["p50_ms"] / peer[name], 2)
        elif name != "healthz":
            row["vs_healthz"] = round(row["p50_ms"] / healthz, 2)
        rows[name] = row
    return {"size": size, "database": database, "pages": rows, "autosave": autosave}


def datasette_timings(size: int, port: int, env: dict) -> dict:
    """The peer: Datasette's ?_search= JSON on a copy of the same SQLite file."""
    peer = {}
    copy = OUT / f"peer-{size}.sqlite3"
    shutil.copy(OUT / f"corpus-{size}.sqlite3", copy)
    meta = OUT / "datasette.json"
    meta.write_text(json.dumps({"databases": {copy.stem: {"tables": {"dreams_dream": {
        "fts_table": "dream_fts", "fts_pk": "id"}}}}}))  # fmt: skip
    datasette = serve(
        [str(BIN / "datasette"), "serve", str(copy), "-p", str(port), "-m", str(meta),
         "--setting", "sql_time_limit_ms", "20000"],
        port, env, "/-/versions.json",
    )  # fmt: skip
    try:
        for name, q in SEARCHES.items():
            term = q.split(" lucid:")[0]
            path = f"/{copy.stem}/dreams_dream.json?" + urllib.parse.urlencode(
                {"_search": term, "_shape": "array", "_size": 20}
            )
            peer[name] = timed(port, path)["p50_ms"]
    finally:
        stop(datasette)
        copy.unlink(missing_ok=True)
    return peer


def _queries(row: dict) -> str:
    """ "4 (7 cold)": the steady state, and the first request of a fresh process."""
    if row.get("queries") is None:
        return ""
    if row["queries_cold"] == row["queries"]:
        return str(row["queries"])
    return f"{row['queries']} ({row['queries_cold']} cold)"


def table(results: list[dict], imports: dict, agreement: dict) -> str:
    lines = [
        "| dreams | database | page | p50 ms | p95 ms | queries | vs floor | vs Datasette "
        "| vs /healthz |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for result in results:
        where = f"| {result['size']:,} | {result['database']} |"
        for name, row in result["pages"].items():
            lines.append(
                f"{where} {name} | {row['p50_ms']} | {row['p95_ms']} | "
                f"{_queries(row)} | "
                f"{row.get('vs_floor', '')} | {row.get('vs_datasette', '')} | "
                f"{row.get('vs_healthz', '')} |"
            )
        auto = result["autosave"]
        lines.append(
            f"{where} autosave, 16 clients | {auto['per_second']}/s | | | | | "
            f"{auto['errors']} errors |"
        )
    for database, run in imports.items():
        lines.append(
            f"\nImport on {database} (DreamBank-sized TSV, {IMPORT_ROWS:,} rows): "
            f"{run['created']:,} new dreams in {run['seconds']} s, {run['per_second']:,.0f} new "
            f"dreams/s, peak memory {run['peak_mb']} MB (each of its reading processes at most "
            f"{run['reader_peak_mb']} MB, mostly shared with it)"
        )
    for size, report in agreement.items():
        lines.append(
            f"\nSQLite and PostgreSQL on {size:,} dreams: {report['agree']} of "
            f"{report['searches']} searches found the same dreams "
            f"({report['found_something']} found some; first pages overlap "
            f"{report['first_page_overlap']:.0%})"
        )
    return "\n".join(lines)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")]
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        server = ""
    manage(env_for(OUT / "static.sqlite3"), "collectstatic", "--noinput", "-v0")
    started = time.perf_counter()
    port = 19000 + os.getpid() % 500
    results, agreement = [], {}
    for size in sizes:
        print(f"corpus of {size:,} dreams", flush=True)
        sqlite_db = build(size)
        results.append(run_size(size, port, "sqlite", sqlite_db))
        if server:
            url = build_postgres(size, server, sqlite_db)
            results.append(run_size(size, port, "postgresql", url))
            agreement[size] = agree.agree(f"sqlite:///{sqlite_db}", url)
    imports = {"sqlite": import_throughput()}
    if server:
        imports["postgresql"] = import_throughput(server)
    motif_bounds = motif_bench.bounds()
    report = {"results": results, "import_per_second": imports, "agreement": agreement,
              "motif_bounds_ms": motif_bounds,
              "seconds": round(time.perf_counter() - started)}  # fmt: skip
    (OUT / "results.json").write_text(json.dumps(report, indent=2))
    text = table(results, imports, agreement)
    (OUT / "results.md").write_text(text + "\n")
    print(text)
    print("\nMotifs at 100,000 characters (best of 3, ms):")
    for name, row in motif_bounds.items():
        print(f"  {name}: detect {row['detect_ms']}, mark every word {row['mark_ms']}")
    print(f"\n{report['seconds']} s; JSON in bench/out/results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
