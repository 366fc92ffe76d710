"""Tables as real spreadsheets save them: encodings, BOMs, CRLF, semicolons, day-first dates,
headers in four languages, a re-save that adds nothing, partial dates in their place."""

import codecs
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dreams.dates import infer_day_order
from dreams.importing import files, saving
from dreams.importing.plan import BadImport, IncomingDream, natural_key
from dreams.importing.tables import detect_encoding, guess_column, infer_delimiter
from dreams.models import Dream


@pytest.fixture(autouse=True)
def _no_pause(settings):
    settings.IMPORT_BATCH_PAUSE = 0


def plan_of(name: str, raw: bytes, **options):
    return files.read_file(name=name, opener=lambda: io.BytesIO(raw), options=options)


def dreams_of(plan) -> list[IncomingDream]:
    return [d for d in plan.read() if isinstance(d, IncomingDream)]


def load(owner, name: str, raw: bytes, **options) -> saving.Summary:
    return saving.apply(owner=owner, plan=plan_of(name, raw, **options))


JOURNAL = [  # (ISO day, words), as Somnia would hold them
    ("2025-01-10", "I was on a train through snow, and my sister held a lantern."),
    ("2025-01-14", "A heron stood in the kitchen.\nIt would not leave."),
    ("2025-02-03", "The staircase went down into the sea; I could breathe under water."),
]


def as_written(day: str, *, order: str) -> str:
    year, month, date = day.split("-")
    if order == "us":  # what a US spreadsheet writes back: 1/10/2025
        return f"{int(month)}/{int(date)}/{year}"
    return f"{date}.{month}.{year}"  # German: 10.01.2025


def test_a_spreadsheet_re_save_adds_nothing(user):
    original = "date,text\n" + "".join(
        f'{day},"{words}"\n' for day, words in JOURNAL
    )  # fmt: skip
    assert load(user, "journal.csv", original.encode()).created == 3
    # Opened and saved again by a spreadsheet: US dates, CRLF, BOM, trailing spaces.
    resaved = "\ufeffdate,text\r\n" + "".join(
        f'{as_written(day, order="us")},"{words.replace(chr(10), chr(13) + chr(10))}  "\r\n'
        for day, words in JOURNAL
    )
    again = load(user, "journal.csv", resaved.encode("utf-8"))
    assert (again.created, again.unchanged) == (0, 3)
    assert Dream.objects.filter(owner=user).count() == 3


def test_a_german_windows_1252_table_with_semicolons_and_day_first_dates(user):
    raw = (
        "Datum;Traum;Titel\r\n"
        "03.04.2021;Ich träumte von einer Brücke über grünes Wasser, Möwen überall.;Brücke\r\n"
        "14.04.2021;Ein großer Hund und meine Großmutter sagte „Grüß Gott“.;Hund\r\n"
        "05.06.2021;Die Straße war weiß – ich lief barfuß.;Straße\r\n"
    ).encode("cp1252")
    plan = plan_of("träume.csv", raw)
    assert plan.columns == {"date": "Datum", "text": "Traum", "title": "Titel"}
    assert "read as Windows-1252 text" in plan.notes and "“;”" in plan.notes[1]
    found = dreams_of(plan)
    assert [d.dreamt_on for d in found] == [
        datetime.date(2021, 4, 3), datetime.date(2021, 4, 14), datetime.date(2021, 6, 5)
    ]  # fmt: skip
    assert "„Grüß Gott“" in found[1].body and found[2].title == "Straße"
    assert load(user, "träume.csv", raw).created == 3


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16-le", codecs.BOM_UTF16_LE),
     ("utf-16-be", codecs.BOM_UTF16_BE), ("cp1252", b""), ("latin-1", b"")],
)  # fmt: skip
def test_every_common_encoding_reads_the_same_words(user, encoding, bom):
    text = (
        "fecha\tsueño\ttítulo\r\n2020-05-01\tSoñé con un niño en la montaña; ¿qué pasó?\tNiño\r\n"
    )
    plan = plan_of("sueños.tsv", bom + text.encode(encoding))
    assert plan.columns == {"date": "fecha", "text": "sueño", "title": "título"}
    [dream] = dreams_of(plan)
    assert dream.body == "Soñé con un niño en la montaña; ¿qué pasó?" and dream.title == "Niño"


def test_french_headers_in_latin_1(user):
    raw = "date;rêve\n12/03/2019;J'étais dans une forêt près d'un lac gelé.\n".encode("latin-1")
    plan = plan_of("rêves.csv", raw)
    assert plan.columns["text"] == "rêve"
    [dream] = dreams_of(plan)
    # French headers: an undecided column leans day first (and is listed to check).
    assert dream.dreamt_on == datetime.date(2019, 3, 12) and dream.ambiguous_date
    assert dream.body.startswith("J'étais dans une forêt")


def test_a_byte_that_is_no_text_names_its_line(user):
    good = "date,text\n" + "2024-01-01,A dream in plain words.\n" * 70_000
    raw = good.encode() + b"2024-01-02,A broken \xff\xfe byte.\n"
    with pytest.raises(BadImport, match=r"line 70002: byte 0xff is not UTF-8 text; save"):
        list(plan_of("long.csv", raw).read())


def test_ambiguous_dates_are_listed_with_their_reading_and_can_be_switched(user):
    raw = b"date,text\n3/4/21,A moth on the window.\n5/6/21,A lift of mirrors.\n"
    plan = plan_of("us.csv", raw)
    seen = saving.survey(owner=user, plan=plan)
    assert seen.ambiguous_count == 2 and seen.day_first is False
    assert seen.ambiguous[0] == "3/4/21 → 4 Mar 2021"
    switched = saving.survey(owner=user, plan=plan_of("us.csv", raw, day_order="day"))
    assert switched.ambiguous_count == 0 and switched.rows[0]["date"] == "3 Apr 2021"


def test_one_day_over_twelve_decides_for_the_whole_column(user):
    raw = b"date,text\n3/4/21,A moth.\n5/6/21,A lift.\n25/6/21,A tower.\n"
    plan = plan_of("eu.csv", raw)
    assert plan.day_order.day_first and plan.day_order.decided
    assert dreams_of(plan)[0].dreamt_on == datetime.date(2021, 4, 3)
    assert saving.survey(owner=user, plan=plan).ambiguous_count == 0


@pytest.mark.parametrize(
    ("values", "day_first", "decided"),
    [
        (["3/4/21", "13/4/21"], True, True),
        (["3/4/21", "4/13/21"], False, True),
        (["03.04.2021"], True, True),
        (["3/4/21"], False, False),
        (["3/3/21"], False, True),  # reads the same either way
        ([], False, True),
    ],
)
def test_day_order_from_the_whole_column(values, day_first, decided):
    order = infer_day_order(values)
    assert (order.day_first, order.decided) == (day_first, decided)


@pytest.mark.parametrize(
    ("sample", "delimiter"),
    [
        ("date,text\n2024-01-01,Words; more words\n", ","),
        ("Datum;Traum\n01.01.2024;Wörter, und noch mehr\n", ";"),
        ("date\ttext\n2024-01-01\tWords, and; more\n", "\t"),
        ("date|text\n2024-01-01|Words, words\n", "|"),
    ],
)
def test_the_delimiter_is_the_one_that_splits_every_row_alike(sample, delimiter):
    assert infer_delimiter(sample, name="x.csv") == delimiter


@pytest.mark.parametrize(
    ("headers", "wanted"),
    [
        (["Datum", "Traumtext"], "Traumtext"),
        (["Fecha", "Descripción"], "Descripción"),
        (["Date", "Récit"], "Récit"),
        (["When", "Dream text (raw)"], "Dream text (raw)"),
        (["updated", "Notes"], ""),
    ],
)
def test_header_names_in_four_languages(headers, wanted):
    from dreams.importing.tables import TEXT_HEADERS

    assert guess_column(headers, TEXT_HEADERS) == wanted


def test_windows_1252_is_preferred_where_it_reads_the_same():
    sample = "date,text\n1/2/2020,I was in a café, naïve and “happy”.\n".encode("cp1252")
    assert detect_encoding(sample, name="x.csv") == "cp1252"
    polish = "data;sen\n1;Śniło mi się, że szłam przez łąkę. Źrebię żółte, gęś.\n"
    assert detect_encoding(polish.encode("cp1250"), name="x.csv") == "cp1250"


def test_partial_dates_sort_among_what_they_name(client, user):
    raw = (
        b"date,text\n"
        b"2019-06-01,Quillowen of 2019.\n"
        b"sometime in 2020,Brastavel of 2020.\n"
        b"2021-03-01,Ormsquith of 2021.\n"
        b"2026-01-05,Zendrapol of 2026.\n"
    )
    load(user, "years.csv", raw)
    wolf = Dream.objects.get(owner=user, body__contains="Brastavel")
    assert wolf.dreamt_on == datetime.date(2020, 1, 1) and wolf.date_is_partial
    client.force_login(user)
    html = client.get("/?scope=mine&sort=oldest").content.decode()
    order = [html.index(word) for word in ("Quillowen", "Brastavel", "Ormsquith", "Zendrapol")]
    assert order == sorted(order)
    assert "sometime in 2020" in client.get(wolf.get_absolute_url()).content.decode()


def test_a_future_date_in_one_row_is_kept_as_written_and_pointed_out(user):
    raw = b"date,text\n(3004-01-29),A dream typed with a slip.\n2024-01-01,A quiet one.\n"
    seen = saving.survey(owner=user, plan=plan_of("slip.csv", raw))
    assert seen.new == 2 and seen.warnings == [
        "line 2: the date (3004-01-29) is in the future; kept as written, undated"
    ]
    load(user, "slip.csv", raw)
    slip = Dream.objects.get(owner=user, body__contains="slip")
    assert slip.dreamt_on is None and slip.dreamt_on_text == "(3004-01-29)"


def test_choosing_a_day_for_a_partial_date_makes_it_that_day(user):
    from dreams import entries

    load(user, "y.csv", b"date,text\n(1957),A tower of salt.\n")
    dream = Dream.objects.get(owner=user)
    assert dream.date_is_partial
    entries.save_edit(dream, changes={"dreamt_on": dream.dreamt_on}, tags=[],
                      base_version=dream.version)  # fmt: skip
    dream.refresh_from_db()
    assert dream.date_is_partial  # the form sent the same day back: still "1957"
    entries.save_edit(dream, changes={"dreamt_on": datetime.date(1957, 6, 2)}, tags=[],
                      base_version=dream.version)  # fmt: skip
    dream.refresh_from_db()
    assert not dream.date_is_partial and dream.dreamt_on == datetime.date(1957, 6, 2)


def test_the_preview_says_how_the_file_was_read_in_one_sentence(client, user):
    client.force_login(user)
    raw = "Datum;Traum\r\n01.10.2025;Ich träumte vom Café.\r\n".encode("cp1252")
    upload = SimpleUploadedFile("traum.csv", raw, content_type="text/csv")
    page = client.post("/import/", {"file": upload}, follow=True).content.decode()
    assert "Read as Windows-1252 text; columns separated by “;”." in page
    assert "read as Windows-1252 text" not in page  # was "Read as: read as Windows-1252 text"


def test_an_import_makes_no_query_per_row(make_user, settings):
    """Rows are written in bulk: four times the rows costs a few more statements (an INSERT
    per 45 dreams under SQLite's 999 parameters, one more batch), never one per row."""
    settings.IMPORT_BATCH_SECONDS = 1000  # batches of 50, 200, 800...: alike on every run
    words = ("mirror", "staircase", "lantern", "heron", "sea", "train", "snow", "door")
    counts = {}
    for rows in (100, 400):
        raw = "date,text\n" + "".join(
            f"2024-01-{1 + n % 28:02},Dream {n}: a {words[n % 8]} by the {words[n * 3 % 8]}.\n"
            for n in range(rows)
        )
        with CaptureQueriesContext(connection) as captured:
            summary = load(make_user(f"rows{rows}"), "many.csv", raw.encode())
        assert summary.created == rows
        counts[rows] = len(captured.captured_queries)
    assert counts[400] - counts[100] < 300 / 10, counts


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_looking_up_rows_already_here_reads_the_import_key_index_not_the_journal(user):
    """A journal of tens of thousands of dreams: each look-up by natural key goes through the
    unique index of (owner, source, id), never through every dream of the owner."""
    load(user, "diary.csv", b"date,text\n2025-01-10,A heron in the kitchen.\n")
    incoming = dreams_of(plan_of("diary.csv", b"date,text\n2025-01-10,A heron in the kitchen.\n"))
    with CaptureQueriesContext(connection) as captured:
        assert saving.known_keys(user, incoming) == {incoming[0].key}
    (lookup,) = [q["sql"] for q in captured.captured_queries if "source_id" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {lookup}")
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "dream_unique_import_key" in plan, plan


# A stray byte in a table, and binary files that are no table.


def sixty_rows() -> bytes:
    return b"date,text\n" + b"".join(
        f"2024-01-{1 + n % 28:02},Dream {n}: a lantern on the stairs.\n".encode() for n in range(60)
    )


def test_a_stray_nul_byte_is_refused_naming_its_line(user):
    lines = sixty_rows().split(b"\n")
    lines[40] = lines[40].replace(b"lantern", b"lan\x00tern")  # line 41
    raw = b"\n".join(lines)
    with pytest.raises(BadImport, match=r"^nul\.csv: line 41: a NUL byte; remove it and import"):
        list(plan_of("nul.csv", raw).read())
    with pytest.raises(BadImport, match="line 41"):
        load(user, "nul.csv", raw)
    assert not Dream.objects.filter(owner=user).exists()


def test_a_stray_nul_byte_is_named_on_the_preview_and_nothing_waits(client, user):
    from dreams.models import PendingImport

    client.force_login(user)
    raw = sixty_rows().replace(b"Dream 39:", b"Dream 39:\x00")
    upload = SimpleUploadedFile("nul.csv", raw, content_type="text/csv")
    page = client.post("/import/", {"file": upload}, follow=True).content.decode()
    assert "line 41: a NUL byte; remove it and import again" in page
    assert not PendingImport.objects.filter(owner=user).exists()
    assert not Dream.objects.filter(owner=user).exists()


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise((64, 64), 40).save(out, format="PNG")
    return out.getvalue()


def _zip() -> bytes:
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"4 0 obj\n<< /Length 40 /Filter /FlateDecode >>\nstream\n"
    + bytes(range(256)) * 4
    + b"\nendstream\nendobj\n%%EOF\n"
)


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("photo.csv", "png", "binary data, not an export or a table"),
        ("photo.txt", "png", "binary data, not an export or a table"),
        ("scan.csv", PDF, "binary data, not an export or a table"),
        ("book.csv", "zip", "no Markdown files in the zip"),
    ],
)
def test_real_binary_files_are_still_refused(user, name, raw, message):
    raw = {"png": _png, "zip": _zip}.get(raw, lambda: raw)()
    with pytest.raises(BadImport, match=message):
        list(plan_of(name, raw).read())


# Dates with a time of day, and dates that cannot be read.


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("4/11/2022 6:02 AM", datetime.date(2022, 4, 11)),
        ("2022-04-11T06:02:00", datetime.date(2022, 4, 11)),
        ("2022-04-11T06:02:00.250Z", datetime.date(2022, 4, 11)),
        ("2022-04-11T23:30:00-05:00", datetime.date(2022, 4, 11)),
        ("2022-04-11T00:30:00+02:00", datetime.date(2022, 4, 11)),
    ],
)
def test_a_date_with_a_time_is_that_day_not_undated(user, written, day):
    raw = f"date,text\n{written},A heron in the kitchen.\n".encode()
    [dream] = dreams_of(plan_of("times.csv", raw))
    assert dream.dreamt_on == day and dream.dreamt_on_precision == "day" and not dream.note
    assert load(user, "times.csv", raw).created == 1
    assert (
        load(user, "times.csv", f"date,text\n{day},A heron in the kitchen.\n".encode()).created == 0
    )


def test_times_do_not_hide_a_day_over_twelve_from_the_column(user):
    raw = b"date,text\n4/10/2022 7:15,A moth.\n13/4/2022 6:02 AM,A lift.\n"
    plan = plan_of("eu.csv", raw)
    assert plan.day_order.day_first and plan.day_order.decided
    assert dreams_of(plan)[0].dreamt_on == datetime.date(2022, 10, 4)


def test_times_that_read_both_ways_are_listed_to_check(user):
    seen = saving.survey(owner=user, plan=plan_of("us.csv", b"date,text\n3/4/21 7:15,A moth.\n"))
    assert seen.ambiguous == ["3/4/21 7:15 → 4 Mar 2021"]


def test_a_date_that_cannot_be_read_is_pointed_out_not_kept_silently(user):
    raw = b"date,text\nlast tuesday,A wolf at the door.\n(1957),A tower of salt.\n,No date.\n"
    seen = saving.survey(owner=user, plan=plan_of("odd.csv", raw))
    assert seen.new == 3 and seen.warnings == [
        "line 2: the date “last tuesday” could not be read; kept as written, undated"
    ]
    load(user, "odd.csv", raw)
    wolf = Dream.objects.get(owner=user, body__contains="wolf")
    assert wolf.dreamt_on is None and wolf.dreamt_on_text == "last tuesday"


def test_the_preview_page_lists_a_date_it_could_not_read(client, user):
    client.force_login(user)
    raw = b"date,text\n4/10/2022 7:15,A moth.\n31/31/2022 7:15,A lift.\n"
    upload = SimpleUploadedFile("odd.csv", raw, content_type="text/csv")
    page = client.post("/import/", {"file": upload}, follow=True).content.decode()
    assert "1 row to check" in page
    assert "line 3: the date “31/31/2022 7:15” could not be read" in page


# Timestamp headers, and a table with no header row.


def test_a_google_sheets_timestamp_column_reads_as_the_days(user):
    raw = (
        b"Timestamp,What did you dream?\n"
        b"4/10/2022 7:15:33,A lighthouse that walked into the sea.\n"
        b"4/11/2022 6:02:10,My teeth were made of glass marbles.\n"
        b"4/13/2022 21:40:00,A train of paper cranes.\n"
    )
    plan = plan_of("Dream journal (Responses) - Form responses 1.csv", raw)
    assert plan.columns["date"] == "Timestamp"
    assert plan.day_order.decided and not plan.day_order.day_first
    found = dreams_of(plan)
    assert [d.dreamt_on for d in found] == [
        datetime.date(2022, 4, 10), datetime.date(2022, 4, 11), datetime.date(2022, 4, 13)
    ]  # fmt: skip
    assert all(d.dreamt_on_precision == "day" and not d.note for d in found)


def test_a_german_column_with_times_reads_day_first(user):
    raw = (
        "Zeitstempel;Traum\n11.04.2022 06:02;Ein Zug aus Papier.\n"
        "03.05.2022 07:15:00;Die Treppe führte ins Meer.\n"
    ).encode()
    plan = plan_of("träume.csv", raw)
    assert plan.columns["date"] == "Zeitstempel" and plan.day_order.day_first
    assert [d.dreamt_on for d in dreams_of(plan)] == [
        datetime.date(2022, 4, 11), datetime.date(2022, 5, 3)
    ]  # fmt: skip


@pytest.mark.parametrize(
    "header",
    ["Timestamp", "Time stamp", "Date/time", "Datetime", "When", "Created", "Created at",
     "Entry date", "Zeitstempel", "Horodateur", "Marca temporal", "Date et heure",
     "Fecha y hora"],
)  # fmt: skip
def test_a_timestamp_header_is_the_date_column(header):
    raw = f"{header},Dream\n2022-04-11 06:02,A heron in the kitchen.\n".encode()
    plan = plan_of("stamps.csv", raw)
    assert plan.columns["date"] == header and plan.columns["text"] == "Dream"


def test_entry_date_is_not_taken_for_the_text():
    raw = b"Entry date,Notes\n2022-04-11,A heron.\n"
    with pytest.raises(BadImport, match="which column holds the dream"):
        plan_of("x.csv", raw)
    plan = plan_of("x.csv", raw, text_column="Notes")
    assert plan.columns == {"date": "Entry date", "text": "Notes", "title": ""}


def test_a_dream_date_column_wins_over_a_form_timestamp():
    raw = b"Timestamp,Date of the dream,Dream\n4/12/2022 9:00,4/11/2022,A heron.\n"
    plan = plan_of("form.csv", raw)
    assert plan.columns["date"] == "Date of the dream"
    assert dreams_of(plan)[0].dreamt_on == datetime.date(2022, 4, 11)


HEADERLESS = (
    b"2022-05-01,I was flying over mountains.\n"
    b"2022-05-02,A wolf waited at the door of my grandmother's house.\n"
)


def test_a_table_without_a_header_row_reads_its_first_row_as_a_dream(user):
    plan = plan_of("no-header.csv", HEADERLESS)
    assert plan.columns == {"date": "Column 1", "text": "Column 2", "title": ""}
    assert "no header row: columns taken as date and text" in plan.notes
    found = dreams_of(plan)
    assert [(d.dreamt_on, d.body[:22]) for d in found] == [
        (datetime.date(2022, 5, 1), "I was flying over moun"),
        (datetime.date(2022, 5, 2), "A wolf waited at the d"),
    ]
    assert found[0].where == "no-header.csv: line 1"
    assert load(user, "no-header.csv", HEADERLESS).created == 2


def test_a_headerless_table_with_times_and_more_columns():
    raw = (
        b"x1;4/10/2022 7:15 PM;A lighthouse walked into the sea;calm\n"
        b"x2;4/13/2022 6:02 AM;Glass teeth;odd\n"
    )
    plan = plan_of("export.csv", raw)
    assert plan.columns == {"date": "Column 2", "text": "Column 3", "title": ""}
    assert [d.dreamt_on for d in dreams_of(plan)] == [
        datetime.date(2022, 4, 10), datetime.date(2022, 4, 13)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("date_column", "text_column"), [("Column 1", "Column 2"), ("1", "2"), ("", "2")]
)
def test_columns_of_a_headerless_table_can_be_chosen_by_name_or_number(date_column, text_column):
    plan = plan_of("no-header.csv", HEADERLESS, date_column=date_column, text_column=text_column)
    assert plan.columns == {"date": "Column 1", "text": "Column 2", "title": ""}
    assert len(dreams_of(plan)) == 2


def test_a_header_row_with_a_known_name_is_a_header_even_beside_a_date():
    plan = plan_of("odd.csv", b"2022-05-01,Dream\n2022-05-02,I was flying over mountains.\n")
    assert plan.columns["text"] == "Dream" and len(dreams_of(plan)) == 1


def test_a_form_header_that_asks_a_question_is_a_header():
    raw = b"Timestamp,What did you dream about last night?\n4/10/2022 7:15,A lighthouse.\n"
    plan = plan_of("form.csv", raw)
    assert plan.columns["text"] == "What did you dream about last night?"
    assert len(dreams_of(plan)) == 1


@pytest.mark.parametrize(
    ("header", "cell", "as_written"),
    [
        ("date", "4/11/2022 6:02 AM", "4/11/2022 6:02 AM"),  # kept as text before
        ("Timestamp", "4/11/2022 6:02:00", ""),  # no date column before
    ],
)
def test_rows_imported_undated_before_their_date_was_read_are_not_added_again(
    user, header, cell, as_written
):
    body = "I was flying over the harbour."
    Dream.objects.create(
        owner=user, title="Flying", body=body, source="csv",
        source_id=natural_key(day=None, written=as_written, body=body),
    )  # fmt: skip
    raw = f"{header},text\n{cell},{body}\n".encode()
    seen = saving.survey(owner=user, plan=plan_of("again.csv", raw))
    assert (seen.new, seen.unchanged) == (0, 1)
    assert load(user, "again.csv", raw).created == 0
    assert Dream.objects.filter(owner=user).count() == 1
