"""Three-way merges of a dream's versions: fields, narrative, tags, motif choices."""

import pytest

from dreams import merging


def snap(*, title="The flooded house", body="I was in a house. Water rose. I woke.", **fields):
    tags = fields.pop("tags", ["water"])
    motif_choices = fields.pop("motif_choices", {})
    base_fields = {
        "dreamt_on": "2026-11-20", "dreamt_on_precision": None, "dreamt_on_text": "",
        "lucid": False, "nightmare": False, "recurring": False, "vividness": 3, "mood": "",
        "visibility": "private", "show_tags": False, "title_derived": False,
    }  # fmt: skip
    return {
        "title": title,
        "body": body,
        "fields": base_fields | fields,
        "tags": tags,
        "motif_choices": motif_choices,
    }


def test_sentences_cut_and_join_back_to_the_same_text():
    text = "I was in a house.  Water rose!\n\nThen… I woke? No\nend"
    parts = merging.sentences(text)
    assert "".join(parts) == text
    assert parts[:2] == ["I was in a house.  ", "Water rose!"]


def test_a_field_changed_on_one_side_is_taken_from_that_side():
    base = snap()
    mine = snap(title="My grandmother's house", mood="sad")
    saved = snap(lucid=True, vividness=5)
    merge = merging.merge(base, mine, saved)
    assert merge.conflicts == 0
    result = merge.resolve({})
    assert result["title"] == "My grandmother's house"
    assert result["fields"]["mood"] == "sad"
    assert result["fields"]["lucid"] is True and result["fields"]["vividness"] == 5
    assert merge.taken == {"title": "mine", "mood": "mine", "lucid": "saved", "vividness": "saved"}


def test_a_field_changed_differently_on_both_sides_asks_once():
    merge = merging.merge(snap(), snap(mood="sad"), snap(mood="joyful"))
    assert [c.name for c in merge.field_conflicts] == ["mood"]
    with pytest.raises(merging.MissingChoices) as missing:
        merge.resolve({})
    assert missing.value.names == ["field-mood"]
    assert merge.resolve({"field-mood": "saved"})["fields"]["mood"] == "joyful"


def test_the_date_takes_its_precision_with_it():
    saved = snap(dreamt_on="1957-01-01", dreamt_on_precision="year", dreamt_on_text="1957")
    result = merging.merge(snap(), snap(title="Other"), saved).resolve({})
    assert result["fields"]["dreamt_on_precision"] == "year"
    assert result["fields"]["dreamt_on_text"] == "1957"


def test_changes_to_different_sentences_merge_without_a_question():
    base = snap()
    mine = snap(body="I was in my grandmother's house. Water rose. I woke.")
    saved = snap(body="I was in a house. Water rose. I woke. The clock said four.")
    merge = merging.merge(base, mine, saved)
    assert merge.conflicts == 0
    assert merge.resolve({})["body"] == (
        "I was in my grandmother's house. Water rose. I woke. The clock said four."
    )
    assert {p.kind for p in merge.passages} == {"same", "mine", "saved"}


def test_neighbouring_sentences_changed_on_each_side_still_merge():
    base = snap(body="One. Two. Three.")
    merge = merging.merge(base, snap(body="One! Two. Three."), snap(body="One. Two! Three."))
    assert merge.conflicts == 0
    assert merge.resolve({})["body"] == "One! Two! Three."


def test_the_same_sentence_changed_differently_is_one_passage_to_choose():
    base = snap()
    mine = snap(body="I was in a house. Water rose to my knees. I woke.")
    saved = snap(body="I was in a house. Water rose to the ceiling. I woke.")
    merge = merging.merge(base, mine, saved)
    conflicts = [i for i, p in enumerate(merge.passages) if p.kind == "conflict"]
    assert len(conflicts) == 1 and merge.conflicts == 1
    (index,) = conflicts
    assert merge.passages[index].mine == "Water rose to my knees. "
    assert merge.passages[index].saved == "Water rose to the ceiling. "
    assert merge.resolve({f"passage-{index}": "mine"})["body"] == mine["body"]
    assert merge.resolve({f"passage-{index}": "saved"})["body"] == saved["body"]
    both = merge.resolve({f"passage-{index}": "both"})["body"]
    assert "my knees" in both and "the ceiling" in both


def test_the_same_change_on_both_sides_is_no_conflict():
    mine = snap(body="I was in a house. Water rose fast. I woke.", mood="sad")
    merge = merging.merge(snap(), mine, dict(mine))
    assert merge.conflicts == 0
    assert not merge.changes_saved


def test_tags_merge_as_sets_three_ways():
    base = snap(tags=["water", "house", "family"])
    mine = snap(tags=["water", "house", "grandmother"])  # took family off, added grandmother
    saved = snap(tags=["water", "Family", "flood"])  # took house off, added flood
    result = merging.merge(base, mine, saved).resolve({})
    assert sorted(t.casefold() for t in result["tags"]) == ["flood", "grandmother", "water"]


def test_a_motif_removed_on_one_side_stays_removed():
    base = snap(motif_choices={})
    mine = snap(motif_choices={"water": "drop"})
    saved = snap(title="Changed", motif_choices={})
    assert merging.merge(base, mine, saved).resolve({})["motif_choices"] == {"water": "drop"}
    # ...and the other way round: the saved side's removal survives an edit that left it alone
    assert merging.merge(base, saved, mine).resolve({})["motif_choices"] == {"water": "drop"}


def test_a_motif_kept_on_purpose_on_the_other_side_beats_a_removal():
    base = snap(motif_choices={"house": "drop"})
    mine = snap(motif_choices={"water": "drop", "house": "keep"})
    saved = snap(motif_choices={"water": "keep", "house": "drop"})
    result = merging.merge(base, mine, saved).resolve({})
    assert result["motif_choices"] == {"water": "keep", "house": "keep"}


def test_a_motif_set_back_to_as_found_on_one_side_follows_that_side():
    base = snap(motif_choices={"house": "keep"})
    mine = snap(motif_choices={})
    result = merging.merge(base, mine, snap(motif_choices={"house": "keep"})).resolve({})
    assert result["motif_choices"] == {}


def test_without_the_base_whatever_differs_is_asked():
    merge = merging.merge(None, snap(mood="sad", body="A."), snap(body="B."))
    assert [c.name for c in merge.field_conflicts] == ["mood"]
    assert [p.kind for p in merge.passages] == ["conflict"]
    assert merge.resolve({"field-mood": "mine", "passage-0": "saved"})["body"] == "B."


def test_a_derived_title_is_drawn_again_from_the_merged_narrative():
    base = snap(title="I was in a house", title_derived=True)
    mine = snap(title="Water everywhere", title_derived=True, body="Water everywhere. I woke.")
    saved = snap(title="I was in a house", title_derived=True, mood="sad")
    merge = merging.merge(base, mine, saved)
    assert merge.conflicts == 0
    assert merge.resolve({})["title"] == "Water everywhere"


def test_word_diff_marks_words_and_joins_back():
    pieces = merging.word_diff("Water rose to my knees.", "Water rose to the ceiling.")
    assert ("delete", "my knees") in pieces and ("insert", "the ceiling") in pieces
    assert "".join(t for op, t in pieces if op != "insert") == "Water rose to my knees."
    assert "".join(t for op, t in pieces if op != "delete") == "Water rose to the ceiling."
