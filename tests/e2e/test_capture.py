"""Writing that never loses a word, in Chromium at phone size: saved exactly once, on the
writer's own day, through lost networks and sessions."""

import contextlib
import datetime
import re
import time
import zoneinfo

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from dreams import zones
from dreams.models import Draft, Dream

PHONE = {"width": 390, "height": 844}
DREAM_URL = re.compile(r"/dreams/\d+/$")


def restore_newest(page):
    """Take the copy the form offers as the newest (the device's or the server's)."""
    newest = page.locator("[data-draft-choice]").first
    newest.get_by_role("button", name=re.compile("^Restore")).first.click()


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_back_and_save_again_gives_one_dream(new_page, writer, log_in, javascript):
    page = log_in(new_page(**PHONE, javascript=javascript), writer)
    words = "A heron stood in the kitchen sink."
    page.goto("/dreams/new/")
    page.locator("#id_body").fill(words)
    page.get_by_role("button", name="Save dream").click()
    expect(page).to_have_url(DREAM_URL)
    page.go_back()
    expect(page.locator("#id_body")).to_have_value(words)
    page.get_by_role("button", name="Save dream").click()
    expect(page).to_have_url(DREAM_URL)
    expect(page.locator(".messages")).to_contain_text("already saved")
    assert Dream.objects.filter(owner=writer).count() == 1


def test_the_same_post_replayed_by_the_network_gives_one_dream(new_page, writer, log_in):
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    page.locator("#id_body").fill("The tram ran on water.")
    with page.expect_request(
        lambda r: r.method == "POST" and r.url.endswith("/dreams/new/")
    ) as sent:
        page.get_by_role("button", name="Save dream").click()
    expect(page).to_have_url(DREAM_URL)
    request = sent.value
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    for _ in range(2):  # the flaky network sends it twice more
        replay = page.request.post(
            request.url,
            data=request.post_data_buffer,
            headers={"content-type": request.headers["content-type"], "x-csrftoken": token},
        )
        assert replay.ok and DREAM_URL.search(replay.url)
        assert "already saved" in replay.text()
    assert Dream.objects.filter(owner=writer).count() == 1


def test_the_browser_hashes_words_as_the_server_does(new_page, writer, log_in):
    from dreams.drafts import words_hash

    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    for title, body in [("", "Hi ☾"), ("Ŝea", "line\r\none\n\n🌊 é")]:
        assert page.evaluate("([t, b]) => somniaHashWords(t, b)", [title, body]) == words_hash(
            title=title, body=body
        )


def sign_up(page):
    """Fill in the open sign-up page as marlow, who lands on the writing form."""
    page.locator("#id_username").fill("marlow")
    page.locator("#id_password1").fill("owls in the attic 31")
    page.locator("#id_password2").fill("owls in the attic 31")
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile("/dreams/new/$"))


@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Tokyo"])
def test_the_writers_own_day_and_clock(new_page, transactional_db, zone):
    page = new_page(**PHONE, timezone_id=zone)
    page.goto("/accounts/signup/")
    sign_up(page)
    there = datetime.datetime.now(zoneinfo.ZoneInfo(zone))
    expect(page.locator("#id_dreamt_on")).to_have_value(there.date().isoformat())
    page.locator("#id_body").type("A ferry crossed a desert.")
    status = page.locator("#autosave-status time")
    expect(status).to_be_visible(timeout=20_000)
    shown = datetime.datetime.fromisoformat(status.get_attribute("datetime"))
    assert shown.utcoffset() == there.utcoffset()
    assert status.inner_text()[:5] in {
        (there + datetime.timedelta(minutes=m)).strftime("%H:%M") for m in (0, 1)
    }
    # No prompt: the device and the account agree.
    expect(page.locator(".zone-prompt")).to_have_count(0)


def test_a_device_in_another_zone_is_offered_the_switch(new_page, writer, log_in):
    page = log_in(new_page(**PHONE, timezone_id="Asia/Tokyo"), writer)
    page.goto("/accounts/")
    prompt = page.locator(".zone-prompt")
    expect(prompt).to_contain_text("This device is on Asia/Tokyo time")
    prompt.get_by_role("button", name="Use Asia/Tokyo").click()
    expect(page.locator(".messages")).to_contain_text("Asia/Tokyo")
    expect(page.locator(".zone-prompt")).to_have_count(0)
    assert zones.zone_of(writer) == "Asia/Tokyo"
    page.goto("/dreams/new/")
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Tokyo")).date()
    expect(page.locator("#id_dreamt_on")).to_have_value(today.isoformat())


def log_in_with_password(page, user, password="a sleepy dream 77"):
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(password)
    page.locator("#id_password").press("Enter")


def expect_logged_out_in_place(page):
    for panel in ("#preview", "#motif-suggestions", "#autosave-status"):
        expect(page.locator(panel)).to_contain_text("You are logged out", timeout=10_000)
    # Never the login page inside the form.
    expect(page.locator("form form, #preview input, #motif-suggestions input")).to_have_count(0)


def session_ends_mid_typing(page):
    """A dream begun and saved as a draft, then the session cookie gone and more words typed:
    the form says so in place."""
    page.goto("/dreams/new/")
    page.locator("#id_body").type("I was on a train through mirrors. ")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=20_000)
    page.context.clear_cookies(name="sessionid")
    page.locator("#id_body").press("End")
    page.keyboard.type("The conductor was my cat.")
    expect_logged_out_in_place(page)


def test_the_session_ends_mid_typing_and_the_words_come_back_whole(new_page, writer, log_in):
    page = log_in(new_page(**PHONE), writer)
    session_ends_mid_typing(page)
    page.locator("#autosave-status").get_by_role("link", name="Log in again").click()
    log_in_with_password(page, writer)
    expect(page).to_have_url(re.compile("/dreams/new/$"))
    restore_newest(page)
    expect(page.locator("#id_body")).to_have_value(
        "I was on a train through mirrors. The conductor was my cat."
    )


def test_the_status_redrawn_mid_press_never_takes_log_in_again_from_under_the_pointer(
    new_page, writer, log_in
):
    """Pressing "Log in again" leaves the text box, whose autosave answers 401 at once and drew
    the status anew, link and all, between the press and the release: the click missed."""
    page = log_in(new_page(**PHONE), writer)
    session_ends_mid_typing(page)
    page.locator("#id_body").press("End")
    page.keyboard.type(" More.")  # the change the press will make the text box report
    page.evaluate(
        """() => document.body.addEventListener('htmx:afterRequest', (event) => {
               const elt = event.detail.elt;
               if (elt && elt.id === 'autosave-status') window.autosaveAnswered = true; })"""
    )
    page.locator("#autosave-status").get_by_role("link", name="Log in again").hover()
    page.mouse.down()
    page.wait_for_function("() => window.autosaveAnswered === true")
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => setTimeout(done)))")
    page.mouse.up()
    expect(page.locator("#id_username")).to_be_visible()


def test_a_second_tab_logs_out_and_the_first_keeps_every_word(new_page, writer, log_in):
    writing = log_in(new_page(**PHONE), writer)
    writing.goto("/dreams/new/")
    writing.locator("#id_body").type("A lighthouse with no stairs. ")
    expect(writing.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)
    other = writing.context.new_page()
    other.goto("/accounts/")
    other.get_by_role("button", name="Log out").click()
    # Closed only once it has landed: Chromium can hang closing a page whose navigation the
    # service worker is still answering (page.close() has no timeout).
    expect(other.locator(".messages")).to_contain_text("You are logged out.")
    other.close()
    writing.locator("#id_body").press("End")
    writing.keyboard.type("I climbed the light itself.")
    expect_logged_out_in_place(writing)
    writing.locator("#preview").get_by_role("link", name="Log in again").click()
    log_in_with_password(writing, writer)
    expect(writing).to_have_url(re.compile("/dreams/new/$"))
    restore_newest(writing)
    expect(writing.locator("#id_body")).to_have_value(
        "A lighthouse with no stairs. I climbed the light itself."
    )


def test_back_online_the_preview_and_motifs_catch_up_at_once(new_page, writer, log_in):
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    page.context.set_offline(True)
    page.locator("#id_body").type("A hall of **mirrors** and a moth.")
    expect(page.locator("#autosave-alert")).to_contain_text("kept on this device")
    page.wait_for_timeout(1000)  # the preview's and the motifs' requests failed meanwhile
    page.context.set_offline(False)
    # No key pressed: the "online" event alone brings everything up to date.
    expect(page.locator("#preview strong")).to_have_text("mirrors", timeout=10_000)
    expect(page.locator("#motif-suggestions")).to_contain_text("Mirror", timeout=10_000)
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)


def test_the_network_drops_and_the_longer_device_copy_is_offered_beside_the_server_one(
    new_page, writer, log_in
):
    # Without the service worker: Chromium's emulated offline does not hold back what a
    # worker forwards (the closing page's beacon), and this outage must be real.
    page = log_in(new_page(**PHONE, service_workers="block"), writer)
    page.goto("/dreams/new/")
    page.locator("#id_body").type("A wolf followed me through snow.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)
    fields = ("title", "body", "words_hash", "changed_at")
    before_the_outage = Draft.objects.filter(owner=writer).values(*fields).get()
    page.context.set_offline(True)
    page.locator("#id_body").press("End")
    page.keyboard.type(" It spoke my name. Then it wore my coat.")
    expect(page.locator("#autosave-alert")).to_contain_text("kept on this device")
    context = page.context
    page.close()
    # The closing page's beacon outlives the page, and with it Chromium's emulated outage, so it
    # sometimes reaches the server; in a real outage it is lost. Undo it if it came through.
    time.sleep(1)
    Draft.objects.filter(owner=writer).update(**before_the_outage)
    context.set_offline(False)
    page = context.new_page()
    page.goto("/dreams/new/")
    choice = page.locator("[data-draft-choice]")
    expect(choice).to_have_count(1)
    expect(choice).to_contain_text("Two versions")
    newer, older = choice.locator(".draft-copy").nth(0), choice.locator(".draft-copy").nth(1)
    expect(newer).to_contain_text("Newer: on this device")
    expect(older).to_contain_text("Older: on the server")
    # The words only it holds are marked.
    expect(newer.locator("mark")).to_have_text("It spoke my name. Then it wore my coat.")
    expect(older.locator("mark")).to_have_count(0)
    # Restoring the older copy never overwrites the newer: it stays offered.
    older.get_by_role("button", name="Restore this one").click()
    expect(page.locator("#id_body")).to_have_value("A wolf followed me through snow.")
    expect(page.locator("[data-draft-choice]")).to_contain_text("Then it wore my coat.")
    page.locator("#id_body").press("End")
    page.keyboard.type(" (older)")
    page.reload()
    expect(page.locator("[data-draft-choice]")).to_have_count(2)
    restore_newest(page)  # the one just typed in, from the older copy
    expect(page.locator("#id_body")).to_have_value("A wolf followed me through snow. (older)")
    page.reload()
    whole = page.locator("[data-draft-choice]", has_text="Then it wore my coat.")
    whole.get_by_role("button", name=re.compile("^Restore")).first.click()
    expect(page.locator("#id_body")).to_have_value(
        "A wolf followed me through snow. It spoke my name. Then it wore my coat."
    )
    page.keyboard.press("Control+Enter")
    expect(page).to_have_url(DREAM_URL)
    assert Dream.objects.get().body.endswith("Then it wore my coat.")


def test_every_unsaved_draft_is_listed_at_once_and_discard_drops_both_copies(
    new_page, writer, log_in
):
    page = log_in(new_page(**PHONE), writer)
    for n in range(5):
        page.goto("/dreams/new/")
        page.locator("#id_body").type(f"Dream number {n} about a river.")
        expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=10_000)
    page.goto("/dreams/new/")
    items = page.locator("[data-draft-choice]")
    expect(items).to_have_count(5)
    expect(items.first).to_contain_text("Dream number 4")  # newest first
    expect(items.nth(4)).to_contain_text("Dream number 0")
    items.filter(has_text="Dream number 2").get_by_role("button", name="Discard").click()
    expect(page.locator(".messages")).to_contain_text("Draft discarded")
    expect(items).to_have_count(4)
    expect(page.locator("[data-drafts]")).not_to_contain_text("Dream number 2")
    assert not Draft.objects.filter(body__contains="number 2").exists()
    assert "number 2" not in page.evaluate("JSON.stringify(localStorage)")


def test_a_corrupt_or_foreign_device_copy_is_ignored_with_a_warning(new_page, writer, log_in):
    page = log_in(new_page(**PHONE), writer)
    warnings = []
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    page.goto("/dreams/new/")
    page.evaluate(
        """(user) => {
            localStorage.setItem(`somnia-draft:${user}:/dreams/new/:x`, "{not json");
            localStorage.setItem(`somnia-draft:${user}:/dreams/new/:y`, JSON.stringify({
                user: "999", draftKey: "y", savedAt: Date.now(),
                fields: {body: "Someone else's secret dream"}}));
            localStorage.setItem(`somnia-draft:999:/dreams/new/:z`, JSON.stringify({
                user: "999", draftKey: "z", savedAt: Date.now(),
                fields: {body: "Another account's words"}}));
        }""",
        str(writer.pk),
    )
    page.reload()
    expect(page.locator("#id_body")).to_be_visible()
    expect(page.locator("[data-drafts]")).to_be_hidden()
    assert any("unreadable or foreign" in w for w in warnings)


RULES = [
    # (server, device, current, expected [(key, places, differ)])
    ([], [], {"key": "k0", "hash": "h0"}, []),
    ([{"key": "a", "body": "x", "changedAt": 1, "hash": "h1"}],
     [{"key": "a", "body": "x", "changedAt": 2, "hash": "h1"}],
     {"key": "k0", "hash": "h0"}, [("a", ["both"], False)]),
    ([{"key": "a", "body": "x", "changedAt": 1, "hash": "h1"}],
     [{"key": "a", "body": "x y", "changedAt": 2, "hash": "h2"}],
     {"key": "k0", "hash": "h0"}, [("a", ["device", "server"], True)]),
    ([{"key": "a", "body": "x y", "changedAt": 3, "hash": "h2"}],
     [{"key": "a", "body": "x", "changedAt": 2, "hash": "h1"}],
     {"key": "k0", "hash": "h0"}, [("a", ["server", "device"], True)]),
    ([{"key": "a", "body": "x", "changedAt": 1, "hash": "h1"}],
     [{"key": "b", "body": "z", "changedAt": 5, "hash": "h3"},
      {"key": "c", "body": "  ", "changedAt": 9, "hash": "h4"}],
     {"key": "k0", "hash": "h0"}, [("b", ["device"], False), ("a", ["server"], False)]),
    # What the form shows already is not offered again...
    ([{"key": "a", "body": "x", "changedAt": 1, "hash": "h1"}], [],
     {"key": "a", "hash": "h1"}, []),
    # ...unless the other copy of its key differs.
    ([{"key": "a", "body": "x", "changedAt": 1, "hash": "h1"}],
     [{"key": "a", "body": "x y", "changedAt": 2, "hash": "h2"}],
     {"key": "a", "hash": "h1"}, [("a", ["device", "server"], True)]),
]  # fmt: skip


def test_the_reconciliation_rules(new_page, writer, log_in):
    page = log_in(new_page(), writer)
    page.goto("/dreams/new/")
    for server, device, current, expected in RULES:
        groups = page.evaluate(
            "([s, d, c]) => SomniaDrafts.reconcile(s, d, c)", [server, device, current]
        )
        got = [(g["key"], [c["place"] for c in g["copies"]], g["differ"]) for g in groups]
        assert got == expected, (server, device, current)
    newer_kept = page.evaluate(
        """() => { const g = SomniaDrafts.reconcile([{key: "a", body: "x", changedAt: 1,
              hash: "1"}], [{key: "a", body: "x y", changedAt: 2, hash: "2"}], {key: "k"})[0];
              return [SomniaDrafts.keyAfterRestore(g, g.copies[0], "fresh"),
                      SomniaDrafts.keyAfterRestore(g, g.copies[1], "fresh")]; }"""
    )
    assert newer_kept == ["a", "fresh"]
    marks = page.evaluate("() => SomniaDrafts.markDifferences('a wolf ran', 'a fox ran')")
    assert [text for text, changed in marks if changed] == ["wolf"]


def _wait_for_offline_copy(page):
    """Until the service worker controls the page and keeps the writing form."""
    for _ in range(150):
        if page.evaluate(
            "() => !!navigator.serviceWorker.controller &&"
            " caches.match('/dreams/new/').then(r => !!r)"
        ):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the writing form was never kept for offline use")


def test_after_one_visit_the_form_opens_offline_and_a_dream_saved_offline_arrives_once(
    new_page, writer, log_in
):
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    _wait_for_offline_copy(page)
    page.context.set_offline(True)
    page.goto("/dreams/new/")
    expect(page.locator("#id_body")).to_be_visible()
    page.locator("#id_body").type("A ferry crossed the desert with no water.")
    page.get_by_role("button", name="Save dream").click()
    queue = page.locator("[data-send-queue]")
    expect(queue).to_contain_text("Waiting to be sent (1)")
    expect(queue).to_contain_text("A ferry crossed the desert")
    assert not Dream.objects.exists()
    expect(page.get_by_role("heading", level=1)).to_have_text("No network just now")
    page.context.set_offline(False)
    # The worker is asked to send too, at the same moment as the page: still one dream.
    page.evaluate("navigator.serviceWorker.controller.postMessage('send')")
    expect(queue).to_contain_text("Sent", timeout=15_000)
    expect(queue).not_to_contain_text("Waiting to be sent")
    # Sent: the page no longer tells the writer they are offline.
    back = "Back online: your dream was saved"
    expect(page.get_by_role("heading", level=1)).to_have_text(back)
    expect(page).to_have_title(f"{back} · Somnia")
    expect(page.get_by_text("could not reach the server")).to_be_hidden()
    expect(page.get_by_role("link", name="Go to your journal")).to_have_attribute(
        "href", "/?scope=mine"
    )
    expect(queue.get_by_role("link", name="Open it")).to_have_attribute("href", DREAM_URL)
    page.evaluate("SomniaOffline.settled()")
    assert list(Dream.objects.values_list("body", flat=True)) == [
        "A ferry crossed the desert with no water."
    ]
    assert page.evaluate("SomniaQueue.all().then(e => e.length)") == 0


def test_a_newcomer_saves_offline_and_back_online_is_told_the_dream_arrived(
    new_page, transactional_db
):
    # The worker is installed on the sign-up page, before the account exists: the offline
    # page it keeps carries a token that logging in renews. Sending with it was refused, and
    # the page said "Not sent yet" while the worker's own send had saved the dream.
    page = new_page(**PHONE)
    page.goto("/accounts/signup/")
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    sign_up(page)
    _wait_for_offline_copy(page)
    page.context.set_offline(True)
    page.goto("/dreams/new/")
    page.locator("#id_body").type("A lantern floated up the stairwell.")
    page.get_by_role("button", name="Save dream").click()
    queue = page.locator("[data-send-queue]")
    expect(queue).to_contain_text("Waiting to be sent (1)")
    page.context.set_offline(False)
    back = "Back online: your dream was saved"
    expect(page.get_by_role("heading", level=1)).to_have_text(back, timeout=15_000)
    page.evaluate("SomniaOffline.settled()")
    expect(queue).not_to_contain_text("Not sent yet")
    expect(queue).not_to_contain_text("Waiting to be sent")
    expect(queue.get_by_role("link", name="Open it")).to_have_attribute("href", DREAM_URL)
    assert list(Dream.objects.values_list("body", flat=True)) == [
        "A lantern floated up the stairwell."
    ]
    assert page.evaluate("SomniaQueue.all().then(e => e.length)") == 0


def test_the_offline_line_never_moves_the_save_button_from_under_the_pointer(
    new_page, writer, log_in
):
    """Pressing "Save dream" leaves the text box, whose autosave fails at once with no network:
    the line saying so grew the bar the button sits in, the button moved up between the press
    and the release, the release missed it, and the dream was neither saved nor queued."""
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    _wait_for_offline_copy(page)
    page.context.set_offline(True)
    page.goto("/dreams/new/")
    page.evaluate(
        "document.body.addEventListener('htmx:sendError', () => { window.autosaveFailed = true; })"
    )
    page.locator("#id_body").fill("A ferry crossed the desert with no water.")
    button = page.get_by_role("button", name="Save dream")
    box = button.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.wait_for_function("() => window.autosaveFailed === true")
    page.evaluate("new Promise(done => requestAnimationFrame(() => setTimeout(done)))")
    page.mouse.up()
    expect(page.locator("[data-send-queue]")).to_contain_text("Waiting to be sent (1)")


def test_a_dream_the_server_refuses_from_the_queue_stays_with_the_reason(new_page, writer, log_in):
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    _wait_for_offline_copy(page)
    page.context.set_offline(True)
    page.goto("/dreams/new/")
    page.locator("#id_body").type("A dream from a clock that ran ahead.")
    page.locator("#id_dreamt_on").fill("2999-01-01")
    page.get_by_role("button", name="Save dream").click()
    expect(page.locator("[data-send-queue]")).to_contain_text("Waiting to be sent (1)")
    page.context.set_offline(False)
    item = page.locator("[data-send-queue] li")
    expect(item).to_contain_text("future", timeout=15_000)
    assert not Dream.objects.exists()
    assert Draft.objects.get().body == "A dream from a clock that ran ahead."
    item.get_by_role("link", name="Open it in the form").click()
    expect(page.locator("[data-draft-choice]")).to_contain_text("a clock that ran ahead")


def test_back_to_a_refused_form_after_saving_it_queues_nothing(new_page, writer, log_in):
    """Back to the page a refused post answered: the worker does not take the browser's
    cache-only request for a lost network (it said "No network just now" and queued the
    refused words again, under "Waiting to be sent", beside the saved dream)."""
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    _wait_for_offline_copy(page)
    page.goto("/dreams/new/")
    page.locator("#id_body").fill("A dream from a clock that ran ahead.")
    page.locator("#id_dreamt_on").fill("2999-01-01")
    page.get_by_role("button", name="Save dream").click()
    expect(page.locator("#id_dreamt_on-error")).to_contain_text("future")
    page.locator("#id_dreamt_on").fill("2020-01-01")
    page.get_by_role("button", name="Save dream").click()
    expect(page).to_have_url(DREAM_URL)
    with contextlib.suppress(PlaywrightError):
        page.go_back()  # the browser's own "resend the form?" page, or what it kept
    expect(page.get_by_role("heading", name="No network just now")).to_have_count(0)
    page.goto("/")
    expect(page.locator("[data-send-queue] li")).to_have_count(0)
    assert page.evaluate("SomniaQueue.all().then(e => e.length)") == 0
    assert Dream.objects.filter(owner=writer).count() == 1


def test_a_title_left_empty_stays_derived_and_a_typed_one_is_kept(new_page, writer, log_in):
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    title = page.locator("#id_title")
    page.locator("#id_body").type("My grandmother's house was flooded to the roof.")
    expect(title).to_have_attribute("placeholder", re.compile("grandmother", re.I))
    page.keyboard.press("Control+Enter")
    expect(page).to_have_url(DREAM_URL)
    dream = Dream.objects.get()
    page.goto(f"/dreams/{dream.pk}/edit/")
    expect(title).to_have_value("")
    expect(title).to_have_attribute("placeholder", dream.title)
    page.locator("#id_body").fill("A lighthouse walked into the sea at noon.")
    expect(title).to_have_attribute("placeholder", re.compile("lighthouse", re.I))
    page.keyboard.press("Control+Enter")
    expect(page.locator("h1")).to_contain_text("ighthouse")
    page.goto(f"/dreams/{dream.pk}/edit/")
    title.click()
    page.keyboard.type("The flooded house")
    expect(title).to_have_value("The flooded house")  # typed into an empty field, not appended
    page.keyboard.press("Control+Enter")
    expect(page.locator("h1")).to_have_text("The flooded house")
    page.goto(f"/dreams/{dream.pk}/edit/")
    page.locator("#id_body").fill("Now it is about a moth.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("h1")).to_have_text("The flooded house")


def test_without_javascript_the_form_promises_only_what_it_does(new_page, writer, log_in):
    page = log_in(new_page(**PHONE, javascript=False), writer)
    page.goto("/dreams/new/")
    form = page.locator("form.dream-form")
    for promise in ("Drafts save themselves", "Ctrl", "as you write", "Preview"):
        assert promise not in form.inner_text(), promise
    expect(form).to_contain_text("Nothing is kept until you press “Save dream”")
    page.locator("#id_body").fill("Plain words, plainly saved.")
    page.get_by_role("button", name="Save dream").click()
    expect(page).to_have_url(DREAM_URL)
    expect(page.locator(".dream__body")).to_contain_text("Plain words, plainly saved.")


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_a_form_opened_last_night_dates_the_dream_on_the_morning_it_is_saved(
    new_page, writer, log_in, zone
):
    # The form left open overnight (or the copy kept for offline use, made yesterday) was
    # drawn with yesterday's date; saved at 6 a.m., the dream is the writer's today.
    zones.set_zone(user=writer, reported=zone)
    page = log_in(new_page(**PHONE, timezone_id=zone), writer)
    here = zoneinfo.ZoneInfo(zone)
    drawn = datetime.datetime.now(here).date()
    page.clock.install()
    page.goto("/dreams/new/")
    expect(page.locator("#id_dreamt_on")).to_have_value(drawn.isoformat())
    morning = datetime.datetime.combine(drawn + datetime.timedelta(days=1), datetime.time(6), here)
    page.clock.set_system_time(morning)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page.locator("#id_dreamt_on")).to_have_value(morning.date().isoformat())
    page.locator("#id_body").fill("The ferry left without me; the sea was made of paper.")
    page.get_by_role("button", name="Save dream").click()
    expect(page).to_have_url(DREAM_URL)
    assert Dream.objects.get(owner=writer).dreamt_on == morning.date()


def test_a_date_the_writer_chose_is_never_moved_by_the_clock(new_page, writer, log_in):
    page = log_in(new_page(**PHONE), writer)
    page.clock.install()
    page.goto("/dreams/new/")
    page.locator("#id_dreamt_on").fill("2026-01-02")
    page.clock.set_system_time(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1))
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    page.locator("#id_body").fill("A dream from January, written down late.")
    page.get_by_role("button", name="Save dream").click()
    expect(page).to_have_url(DREAM_URL)
    assert Dream.objects.get(owner=writer).dreamt_on == datetime.date(2026, 1, 2)


def test_a_dream_sent_from_the_queue_is_no_longer_offered_as_unsaved(new_page, writer, log_in):
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    _wait_for_offline_copy(page)
    page.context.set_offline(True)
    page.goto("/dreams/new/")
    page.locator("#id_body").type("An owl carried the lighthouse away.")
    page.get_by_role("button", name="Save dream").click()
    expect(page.locator("[data-send-queue]")).to_contain_text("Waiting to be sent (1)")
    page.context.set_offline(False)
    expect(page.locator("[data-send-queue]")).to_contain_text("Sent", timeout=15_000)
    page.evaluate("SomniaOffline.settled()")
    assert Dream.objects.get().body == "An owl carried the lighthouse away."
    # The words are in the journal: the form no longer offers them as an unsaved draft.
    page.goto("/dreams/new/")
    expect(page.locator("#id_body")).to_be_visible()
    expect(page.locator("[data-draft-choice]")).to_have_count(0)
    expect(page.locator("[data-drafts]")).to_be_hidden()


def test_words_typed_after_a_save_stay_offered(new_page, writer, log_in):
    # A copy under a saved form's key with other words than the dream's is not safe: kept.
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    page.locator("#id_body").fill("A bell rang under the lake.")
    page.get_by_role("button", name="Save dream").click()
    expect(page).to_have_url(DREAM_URL)
    page.go_back()
    page.context.set_offline(True)
    page.locator("#id_body").type(" Then the lake rang back.")
    page.context.set_offline(False)
    page.goto("/dreams/new/")
    expect(page.locator("[data-draft-choice]")).to_contain_text("Then the lake rang back")


def test_back_online_an_untouched_form_saves_no_draft(new_page, writer, log_in):
    page = log_in(new_page(**PHONE), writer)
    page.goto("/dreams/new/")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if "autosave" in r.url else None)
    page.context.set_offline(True)
    page.context.set_offline(False)
    page.wait_for_timeout(1500)
    assert posts == []
    expect(page.locator("#autosave-status")).not_to_contain_text("Draft saved")
    page.locator("#id_body").type("A moth.")
    page.context.set_offline(True)
    page.context.set_offline(False)
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved")


def _queue(page, writer, body):
    """Put a dream into the device's queue, as a save with no network does."""
    page.evaluate(
        """([writer, body]) => SomniaQueue.add({url: "/dreams/new/", fields: [
               ["draft_key", crypto.randomUUID()], ["writer", writer], ["body", body],
               ["visibility", "private"]]})""",
        [str(writer.pk), body],
    )


def _send_answered_with(page, writer, status: int) -> dict:
    """Queue a dream and send it once, the server's answer replaced by a bare `status` (a
    proxy's page, not Somnia's JSON); the entry as the queue keeps it afterwards."""
    page.goto("/dreams/new/")
    page.route(
        "**/dreams/new/",
        lambda route: (
            route.fulfill(status=status, body="Not Somnia")
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    _queue(page, writer, "A gate of salt.")
    entry = page.evaluate(
        """() => SomniaQueue.all().then(([entry]) => SomniaQueue.send(entry))
               .then((outcome) => SomniaQueue.all().then(([e]) => ({...e, outcome})))"""
    )
    page.unroute("**/dreams/new/")
    return entry


def test_a_server_that_fails_on_the_way_back_leaves_the_dream_waiting_with_the_reason(
    new_page, writer, log_in
):
    # A weak connection's proxy answers 502: the dream waits, and the line says why (it
    # said "log in to send it" to a writer who was logged in).
    page = log_in(new_page(**PHONE), writer)
    entry = _send_answered_with(page, writer, 502)
    assert entry["outcome"] == "waiting" and "could not take it just now" in entry["reason"]
    assert entry["retry"] is True and entry["attempts"] == 1  # sent again shortly
    assert "log in" not in entry["reason"]
    sent = page.evaluate(
        """() => SomniaQueue.sendAll(document.cookie.match(/csrftoken=([^;]+)/)[1])
               .then((sent) => sent.length)"""
    )
    assert sent == 1
    assert list(Dream.objects.values_list("body", flat=True)) == ["A gate of salt."]


def test_the_journal_under_sent_lists_the_dream_just_sent(new_page, writer, log_in):
    page = log_in(new_page(**PHONE), writer)
    page.goto("/?scope=mine")
    expect(page.locator(".gallery__count")).to_have_text("0 dreams")
    _queue(page, writer, "A gate of salt by the sea.")
    page.evaluate("SomniaOffline.refresh(true)")
    expect(page.locator("[data-send-queue]")).to_contain_text("Sent")
    expect(page.locator(".gallery__count")).to_have_text("1 dream")
    expect(page.locator("#gallery")).to_contain_text("A gate of salt by the sea")
    assert page.url.endswith("/?scope=mine")


def test_a_reply_that_can_never_succeed_is_final_and_says_why(new_page, writer, log_in):
    # A 413 said "sent again shortly" and was posted again on every page load.
    entry = _send_answered_with(log_in(new_page(**PHONE), writer), writer, 413)
    assert entry["outcome"] == entry["status"] == "refused"
    assert entry["reason"] == "The server refused it: too large to send (error 413)."
