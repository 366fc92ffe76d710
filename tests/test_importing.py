from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from dreams.importing import seeds as importing
from dreams.models import Dream

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_seeds", *map(str, args), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_five_seeds_become_five_shared_undated_dreams_with_distinct_titles():
    output = run()
    dreams = Dream.objects.filter(source="seed")
    assert dreams.count() == 5
    assert len({d.title for d in dreams}) == 5
    for dream in dreams:
        assert dream.visibility == Dream.Visibility.SHARED
        assert dream.dreamt_on is None
        assert dream.owner.username == importing.SEED_OWNER
        assert not dream.owner.has_usable_password()
        path = next(SEEDS.glob(f"*_{dream.source_id}.txt"))
        assert dream.body == path.read_text(encoding="utf-8")  # kept whole
        assert dream.motif_links.exists()
    assert "[5/5]" in output
    assert "5 created, 0 updated, 0 unchanged" in output


@pytest.mark.django_db
def test_importing_twice_changes_nothing():
    run()
    before = list(Dream.objects.values_list("pk", "version", "title").order_by("pk"))
    output = run()
    assert "0 created, 0 updated, 5 unchanged" in output
    assert output.count("unchanged") == 6
    assert list(Dream.objects.values_list("pk", "version", "title").order_by("pk")) == before


@pytest.mark.django_db
def test_a_changed_file_updates_its_dream(tmp_path):
    path = tmp_path / "007_abcdef0123456789.txt"
    path.write_text("I am dreaming. A lantern of paper floats.", encoding="utf-8")
    run(path)
    path.write_text("I am dreaming. A tower of salt, crumbling.", encoding="utf-8")
    assert "updated" in run(path)
    dream = Dream.objects.get(source_id="abcdef0123456789")
    assert dream.title == "Tower of Salt"
    assert dream.version == 2


def bad_files(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x89PNG\r\n\x00\x00")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Un rêve".encode("latin-1"))
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"a" * (importing.MAX_FILE_BYTES + 1))
    return {
        "missing": (tmp_path / "nope.txt", "no such file"),
        "empty": (empty, "empty"),
        "binary": (binary, "binary"),
        "not utf-8": (latin, "not UTF-8"),
        "too large": (huge, "too large"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["missing", "empty", "binary", "not utf-8", "too large"])
def test_a_bad_file_is_named_with_its_reason_and_nothing_is_written(tmp_path, kind):
    path, reason = bad_files(tmp_path)[kind]
    good = sorted(SEEDS.glob("*.txt"))
    with pytest.raises(CommandError) as raised:
        run(*good, path)
    message = str(raised.value)
    assert str(path) in message and reason in message
    assert "\n" not in message
    assert not Dream.objects.exists()


def test_the_command_exits_non_zero_for_a_bad_file(tmp_path):
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    process = subprocess.run(
        [sys.executable, "manage.py", "import_seeds", str(empty)],
        cwd=root,
        capture_output=True,
        text=True,
        env={
            **__import__("os").environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
    )
    assert process.returncode != 0
    assert f"{empty}: empty" in process.stderr


@pytest.mark.django_db
def test_seed_ids_come_from_the_file_name():
    assert importing.seed_id(Path("000_f0f64a1edf0721ca.txt")) == "f0f64a1edf0721ca"
    assert importing.seed_id(Path("my dream.txt")) == "my dream"
