"""Moving a SQLite journal into PostgreSQL with `copy_database`, as the README tells it, and
the two databases then finding the same dreams for the same searches. Runs in both passes of
CI (the PostgreSQL server is on every machine of this project); elsewhere it needs one at
SOMNIA_POSTGRES_URL."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


scratch = _load("scratch", ROOT / "tests" / "scratch.py")
agree = _load("agree", ROOT / "bench" / "agree.py")
PASSWORD = "moving house at dawn 42"
JOURNAL = f"""
import datetime
from django.contrib.auth.models import User
from dreams import entries
from dreams.models import Dream, Draft
wren = User.objects.create_user("wren", password={PASSWORD!r})
User.objects.create_user("otter", password={PASSWORD!r})
secret = entries.save_dream(
    Dream(owner=wren, title="The locked greenhouse", dreamt_on=datetime.date(2025, 3, 9),
          body="A greenhouse of mirrors; my grandmother's voice behind the glass.", lucid=True),
    tags=["family", "glass"],
)
Draft.objects.create(owner=wren, key="5b0c3a52-3d1f-4a3e-9d55-2f1b8a0f6b11", body="half a dream")
entries.trash(entries.save_dream(Dream(owner=wren, title="Gone", body="A trashed feather.")))
purged = entries.save_dream(Dream(owner=wren, title="Purged", body="Deleted outright."))
pk = purged.pk
purged.delete()
import io
from PIL import Image
from dreams import pictures
for colour in [(20, 40, 200), (250, 200, 10)]:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), colour).save(buffer, format="JPEG")
    pictures.add(owner=wren, name="glass.jpg", raw=buffer.getvalue(), dream=secret)
print(pk)
"""


# Each database's pictures in a folder of its own (SOMNIA_MEDIA_ROOT), as on two machines.
MEDIA: dict[str, str] = {}


def manage(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "journal.settings"}
    if url in MEDIA:
        env["SOMNIA_MEDIA_ROOT"] = MEDIA[url]
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=check
    )


def django(url: str, code: str) -> str:
    return manage(url, "-c", "import django; django.setup()\n" + code).stdout


@pytest.fixture(scope="module")
def moved(tmp_path_factory):
    """A SQLite journal (the seeds and two accounts) and its copy in a new PostgreSQL database."""
    try:
        import psycopg

        psycopg.connect(scratch.POSTGRES_URL, connect_timeout=3).close()
    except Exception as error:
        if os.environ.get("SOMNIA_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL at {scratch.POSTGRES_URL}: {error}")
        pytest.skip(f"no PostgreSQL at {scratch.POSTGRES_URL}")
    work = tmp_path_factory.mktemp("move")
    sqlite = f"sqlite:///{work / 'somnia.sqlite3'}"
    MEDIA[sqlite] = str(work / "media-sqlite")
    manage(sqlite, "manage.py", "migrate", "-v0")
    manage(sqlite, "manage.py", "import_seeds")
    purged = int(django(sqlite, JOURNAL))
    with scratch.scratch_database(scratch.POSTGRES_URL, work, "move") as postgres:
        MEDIA[postgres] = str(work / "media-postgres")
        manage(postgres, "manage.py", "migrate", "-v0")
        copied = manage(
            postgres, "manage.py", "copy_database", sqlite,
            "--media-from", str(work / "media-sqlite" / "pictures"),
        )  # fmt: skip
        yield sqlite, postgres, copied, purged


SNAPSHOT = """
import hashlib
import json
from django.contrib.auth.models import User
from dreams.models import Dream, DreamMotif, DreamTag, Draft, Motif, Picture
from dreams import pictures
def read(name):
    with pictures.storage().open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()
print(json.dumps({
    "pictures": sorted((p.key, p.dream_id, p.alt, p.sha256, {v: read(n) for v, n in
                        p.files.items()}) for p in Picture.objects.all()),
    "dreams": sorted(Dream.objects.values_list("id", "uid", "title", "visibility", "version",
                                               "created_at", "deleted_at", "lucid")),
    "links": DreamMotif.objects.count(), "tags": DreamTag.objects.count(),
    "motifs": sorted(Motif.objects.values_list("id", "slug", "owner_id")),
    "drafts": list(Draft.objects.values_list("body", flat=True)),
    "wren": User.objects.get(username="wren").check_password(%r),
}, default=str))
"""


def test_the_copy_has_every_row_and_the_same_accounts(moved):
    sqlite, postgres, copied, purged = moved
    assert "Done: 7 dreams" in copied.stdout  # five seeds and two of wren's
    before = json.loads(django(sqlite, SNAPSHOT % PASSWORD))
    after = json.loads(django(postgres, SNAPSHOT % PASSWORD))
    assert after == before
    assert after["wren"] and after["drafts"] == ["half a dream"]
    # The pictures' files came along into the new machine's storage, every byte.
    assert "Pictures: 6 files copied" in copied.stdout
    assert len(after["pictures"]) == 2
    assert list(Path(MEDIA[postgres]).rglob("*.webp"))
    # New rows continue after the copied ids.
    new = django(postgres, "from django.contrib.auth.models import User\n"
                           "from dreams import entries\nfrom dreams.models import Dream\n"
                           "d = entries.save_dream(Dream(owner=User.objects.get(username='otter'),"
                           " title='After the move', body='A new lantern.'))\nprint(d.pk)\n"
                           "d.delete()")  # fmt: skip
    # New rows continue after every id the journal ever gave, even a dream deleted since:
    # an old link never leads to someone else's new dream.
    assert int(new) > purged > max(row[0] for row in before["dreams"])


def test_copying_again_is_refused_and_changes_nothing(moved):
    sqlite, postgres, *_ = moved
    again = manage(postgres, "manage.py", "copy_database", sqlite, check=False)
    assert again.returncode == 1 and "already has accounts or dreams" in again.stderr
    missing = manage(postgres, "manage.py", "copy_database", "sqlite:///nowhere.db", check=False)
    assert missing.returncode == 1 and "no such SQLite file" in missing.stderr


def test_both_databases_find_the_same_dreams(moved, tmp_path):
    sqlite, postgres, *_ = moved
    report = agree.agree(sqlite, postgres, work=tmp_path)
    assert report["disagreements"] == []
    assert report["searches"] >= 100 and report["found_something"] >= 60
