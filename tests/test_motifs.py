"""Motif detection is pure: these tests need no database."""

import time

from dreams import motifs
from dreams.motifs import Lexicon, LexiconEntry, detect

LEXICON = Lexicon(
    [
        LexiconEntry("mirror", "Mirror", "object", ("mirrors", "mirrored", "looking glass")),
        LexiconEntry("staircase", "Staircase", "place", ("stairs", "stairway", "steps")),
        LexiconEntry("feather", "Feather", "object", ("plume",)),
        LexiconEntry("grandfather-clock", "Grandfather clock", "object"),
        LexiconEntry("grandfather", "Grandfather", "character", ("grandpa",)),
        LexiconEntry("flying", "Flying", "action", ("fly", "flew", "soaring")),
    ]
)


def by_slug(text: str, lexicon: Lexicon = LEXICON) -> dict[str, motifs.Detection]:
    return {d.slug: d for d in detect(text, lexicon=lexicon)}


def test_word_forms_and_case_and_punctuation_match_with_exact_spans():
    text = "MIRRORS everywhere; the hall was mirrored. A mirror!"
    found = by_slug(text)["mirror"]
    assert found.count == 3
    assert [(s.text, s.start, s.end) for s in found.spans] == [
        ("MIRRORS", 0, 7),
        ("mirrored", 33, 41),
        ("mirror", 45, 51),
    ]
    assert all(text[s.start : s.end] == s.text for s in found.spans)
    assert found.words == ["mirrors", "mirrored", "mirror"]


def test_stemming_finds_forms_not_listed():
    assert "flying" in by_slug("We flies over the town")  # "flies" stems like "fly"
    assert "feather" in by_slug("Feathers fell")


def test_multi_word_motifs_win_over_their_first_word_and_stay_in_one_sentence():
    found = by_slug("My grandfather clock struck nine.")
    assert "grandfather-clock" in found and "grandfather" not in found
    found = by_slug("I saw my grandfather. Clock hands spun.")
    assert "grandfather" in found and "grandfather-clock" not in found
    assert "mirror" in by_slug("An old looking-glass")


def test_no_partial_words():
    assert by_slug("The stepsister admired a mirrorball") == {}


def test_most_frequent_first_and_without_removes():
    text = "stairs, steps, a feather, stairs"
    assert [d.slug for d in detect(text, lexicon=LEXICON)] == ["staircase", "feather"]
    assert list(by_slug(text, LEXICON.without(["staircase"]))) == ["feather"]


def test_the_shipped_lexicon_is_large_and_categorised():
    lexicon = motifs.builtin_lexicon()
    assert len(lexicon) >= 250
    categories = {entry.category for entry in lexicon.entries}
    assert categories == {
        "character", "animal", "place", "object", "nature", "body", "action", "colour"
    }  # fmt: skip
    slugs = [entry.slug for entry in lexicon.entries]
    assert len(slugs) == len(set(slugs))
    assert all(slug == slug.lower() and " " not in slug for slug in slugs)


def test_the_shipped_lexicon_finds_seed_symbols():
    text = "The feathers drift down. You climb the staircase past shattered mirrors."
    found = by_slug(text, motifs.builtin_lexicon())
    assert {"feather", "staircase", "mirror"} <= set(found)


def test_idioms_are_not_motifs():
    lexicon = Lexicon(
        [LexiconEntry("heart", "Heart", "body"), LexiconEntry("key", "Key", "object")],
        idioms=("at the heart of", "minor key"),
    )
    assert by_slug("At the heart of it, a song in a minor key.", lexicon) == {}
    assert set(by_slug("My heart raced; I found a key.", lexicon)) == {"heart", "key"}


def test_the_shipped_lexicon_skips_common_false_friends():
    found = by_slug(
        "On the one hand it was a dead end; the earth was pale and hazy.",
        motifs.builtin_lexicon(),
    )
    assert not {"hand", "dying", "planet", "white", "mist"} & set(found)


BUILTIN = motifs.builtin_lexicon()


def found_in(text: str) -> set[str]:
    return set(by_slug(text, BUILTIN))


def test_lemmas_find_irregular_forms():
    found = found_in("The children watched the mice while wolves howled; knives glinted; we flew.")
    assert {"child", "rat", "wolf", "knife", "flying"} <= found


def test_lemmas_leave_other_words_alone():
    # Porter stems took these for Compass, Deer, Missing limb, Elevator, Boss, Father, Sun, Friend.
    text = (
        "She looked at me with compassion. He does it several times. The elevation made me "
        "dizzy; I manage. A fatherly tone, a sunny afternoon, a friendly nod."
    )
    assert not {"compass", "deer", "missing-limb", "elevator", "boss", "father", "sun"} & (
        found_in(text)
    )
    assert "friend" not in found_in("The clerk was friendly.")


def test_evidence_spans_stay_exact_with_lemmas():
    text = "Two Children ran past."
    span = by_slug(text, BUILTIN)["child"].spans[0]
    assert (span.text, text[span.start : span.end]) == ("Children", "Children")


def test_verb_forms_do_not_find_things():
    # "faced", "armed", "parked": verbs, not a face, an arm or a park.
    found = found_in("I faced the wall. The armed guard parked the van.")
    assert not {"face", "arm", "park"} & found
    assert "being-chased" in found_in("A dog chased me through the yard.")


def test_compounds_that_are_not_the_motif():
    assert "train-station" not in found_in("We stopped at a gas station, then a radio station.")
    assert "train-station" not in found_in("Dad drove the old station wagon.")
    assert "train-station" in found_in("I waited on the platform for the last train.")


def test_words_that_count_only_with_cues():
    assert "mountain" not in found_in("From the summit of the tower I could see the city.")
    assert "mountain" not in found_in("The skyscraper had a glass peak.")
    assert "mountain" in found_in("We reached the summit; snow lay on every rock.")


def test_capitalised_names_are_not_colours_or_weather():
    assert not {"crimson", "tree", "sun"} & found_in(
        "I met Sam Crimson in Oak Valley, and we watched Sunshine Cleaners."
    )
    assert "crimson" in found_in("The curtains were crimson.")
    assert "lake" in found_in("We swam in Crater Lake at night.")


def test_figures_of_speech():
    assert not {"falling", "dawn", "train"} & found_in(
        "I fell asleep on the couch. It dawned on me that I had lost my train of thought."
    )
    assert "sleeping" in found_in("I fell asleep on the couch.")


def test_the_hands_of_a_clock_are_the_clock_not_a_hand():
    for text in (
        "There was a clock with no hands on the wall.",
        "I watched the hands of the clock go backwards.",
        "The clock had no hands, only a face of glass.",
        "The clock's hands spun and the minute hand fell off.",
    ):
        found = found_in(text)
        assert "clock" in found and "hand" not in found, text
    assert "hand" in found_in("I held the clock in both hands.")


def test_falling_back_asleep_is_sleeping_not_a_fall():
    for text in (
        "I woke up and fell back asleep.",
        "I kept falling back to sleep on the bus.",
        "I went back to sleep.",
        "I must have fallen right back to sleep.",
    ):
        found = found_in(text)
        assert "sleeping" in found and "falling" not in found, text
    assert "falling" in found_in("I fell back onto the cold floor.")


def test_teeth_falling_out_is_the_teeth_dream_not_a_fall():
    for text in (
        "My teeth were falling out.",
        "My teeth started falling out one by one.",
        "My teeth fell out into my hand.",
        "I felt a tooth fall out of my mouth.",
    ):
        found = found_in(text)
        assert {"tooth", "teeth-falling-out"} <= found and "falling" not in found, text
    found = found_in("My teeth chattered as I fell out of the plane.")
    assert "falling" in found and "teeth-falling-out" not in found


def test_feet_after_a_number_are_a_measure():
    assert "foot" not in found_in("The wall was 40 feet wide and six feet tall.")
    assert "foot" in found_in("My bare feet were cold on the tiles.")


def test_kinds_and_everyday_wordings():
    assert "clothing" in found_in("I wore a red sweater and my old shirt.")
    assert "money" in found_in("He gave me twenty dollars in cash and some loose change.")
    assert "stranger" in found_in("There were men I didn't know standing by the door.")
    assert "stranger" in found_in("A man I had never seen before sat down beside me.")
    assert "restaurant" in found_in("We ate at a little restaurant by the harbour.")
    assert "doctor" in found_in("The doctors said I could go home.")
    assert "priest" in found_in("Two priests walked past the gate.")
    assert "theatre" in found_in("We sat in the back row of the theatre.")


def test_neighbours_next_door_and_the_door_itself():
    found = found_in("The woman next door waved at me.")
    assert "neighbour" in found and "door" not in found and "stranger" not in found


def test_user_words_are_taken_literally():
    lexicon = Lexicon([LexiconEntry("moon", "Moon (full)", "nature", ("(a|b) c",))])
    assert set(by_slug("The moon full rose.", lexicon)) == {"moon"}
    assert by_slug("a c", lexicon) == {}


# Dreams written for these tests, one per language, each holding a staircase, a mother and a
# fall; the English lexicon must find nothing in the others ("die" is no Dying, "mar" no Sea).
DREAMS_ELSEWHERE = {
    "de": "Die Tür war offen. Die Katze lief durch den Garten, und ich hatte Angst zu fallen.",
    "nl": "Ik droomde dat ik in een groot huis was met mijn moeder. De trap hield nooit op.",
    "es": "Soñé que estaba en el mar con mi madre. Había una escalera que subía hasta el cielo.",
    "fr": "Je marchais dans la rue et le soleil brillait. Un miroir attendait au bout du couloir.",
    "it": "Ho sognato che ero in una casa enorme con mia madre. C'era una scala senza fine.",
    "pt": "Sonhei que estava no mar com a minha mãe. Havia uma escada que subia até o céu.",
}


def test_text_that_does_not_read_as_english_gets_no_english_motifs():
    for language, text in DREAMS_ELSEWHERE.items():
        assert found_in(text) == set(), language


def test_english_reads_as_english_names_numbers_and_other_scripts_and_all():
    assert "dying" in found_in("Die-hard fans die at the end of the film, Jody and Ruth too.")
    assert {"train", "tunnel"} <= found_in("我在火车上看见一把伞。The train went into a tunnel.")
    assert "mother" in found_in("Mom and I, 1987: Tex, Nate, Billy Jeou and my mother.")


def test_a_writers_own_words_are_found_in_any_language():
    own = LexiconEntry("mirror", "Mirror", "object", ("Spiegel",))
    text = "Ich sah mich im Spiegel, und die Treppe war lang."
    assert set(by_slug(text, BUILTIN.plus([own]))) == {"mirror"}


def test_a_sentence_in_another_language_inside_an_english_dream_gets_no_english_motifs():
    text = (
        "I stood at the door of my grandmother's house. A man said: Die Tür war offen, komm "
        "herein. Then I walked up the stairs."
    )
    found = found_in(text)
    assert "dying" not in found and {"door", "grandmother", "house", "staircase"} <= found
    quoted = "She whispered \u201cdie Katze ist tot, die Tür ist zu\u201d and I ran to the car."
    assert found_in(quoted) == {"voice", "running", "car"}
    # Quotes and line breaks end a sentence as a full stop does.
    lines = "We swam in the lake.\nIch weiß nicht, wo die Treppe war\nThen the sun rose."
    assert found_in(lines) == {"swimming", "lake", "sun"}


def test_short_sentences_follow_the_whole_texts_language():
    assert "dying" in found_in("The soldier shouted: Die! Then the mirror broke in two.")
    german = "Ich stand vor dem Spiegel und die Tür war zu. Oh my god. Dann bin ich gelaufen."
    assert found_in(german) == set()
    # A list of names is English still: an unknown word capitalised mid-sentence counts half.
    assert "mother" in found_in("We all came: Tex, Nate, Billy Jeou and my mother.")


def test_a_writers_own_words_are_found_in_a_sentence_of_another_language():
    own = LexiconEntry("mirror", "Mirror", "object", ("Spiegel",))
    text = "I woke up in the old house. Ich sah mich im Spiegel, und die Treppe war lang."
    assert set(by_slug(text, BUILTIN.plus([own]))) == {"house", "mirror"}


def test_reading_each_sentences_language_stays_linear_at_the_maximum_length():
    texts = [
        ("The mirror broke. Die Tür war offen, komm herein! Sam and Jody ran. " * 1500)[:100_000],
        ("Sam and Jody komm herein Tür offen the mirror " * 2500)[:100_000],  # no break at all
    ]
    for text in texts:
        started = time.perf_counter()
        found_in(text)
        assert time.perf_counter() - started < 5.0  # a tenth of that on a quiet machine
    found = found_in(texts[0])
    assert "mirror" in found and "dying" not in found


def test_every_shipped_phrase_begins_with_a_word():
    for entry in BUILTIN.entries:
        for form in (*entry.forms, *entry.weak, *entry.not_phrases):
            slots = motifs.slots_of(form)
            assert slots and all(choice for choice in slots[0]), (entry.slug, form)


def test_salience_favours_a_rare_repeated_early_motif_over_a_common_body_part():
    text = "An orb hung over the field. I raised my hand. The orb hummed; the orb dimmed."
    found = motifs.detect(text, lexicon=BUILTIN)
    shares = {"orb": 0.001, "hand": 0.1, "meadow": 0.02}
    ranked = motifs.rank(found, length=len(text), shares=shares)
    assert ranked[0].slug == "orb"
    assert "hand" not in motifs.chief(ranked, most=1)


def test_chief_motifs_are_the_few_that_stand_out():
    ranked = [motifs.Salient("orb", 9.0), motifs.Salient("seed", 4.0), motifs.Salient("hand", 1.0)]
    assert motifs.chief(ranked) == ["orb", "seed"]
    assert motifs.chief([]) == []
    # The same motif weighs less where many dreams have it.
    common = motifs.salience([("eye", "body", 2, 0)], length=100, shares={"eye": 0.5})
    rare = motifs.salience([("eye", "body", 2, 0)], length=100, shares={"eye": 0.01})
    assert rare[0].score > common[0].score
