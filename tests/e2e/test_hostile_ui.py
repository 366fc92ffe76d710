"""Hostile input in a real browser: XSS payloads through every field that is shown again.
Any dialog fails the test; no page may carry a script or an event handler from user text."""

import io
import urllib.parse

from playwright.sync_api import expect

from dreams import entries, vocabulary
from dreams.importing import saving
from dreams.importing.files import read_file
from dreams.models import Dream

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(2)>',
    "<svg onload=alert(3)>",
    "[click me](javascript:alert(4))",
    "![pic](data:text/html,<script>alert(5)</script>)",
    '<a href="JaVaScRiPt:alert(6)">x</a>',
    '<iframe srcdoc="<script>alert(7)</script>"></iframe>',
    "<details open ontoggle=alert(8)>",
    "'-alert(9)-'",
    "&#x3C;script&#x3E;alert(10)&#x3C;/script&#x3E;",
    "<<script>script>alert(11)<</script>/script>",
    "jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert(12) )//</stYle/</titLe/</teXtarEa/"
    "</scRipt/--!>\\x3csVg/<sVg/oNloAd=alert(12)//>\\x3e",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(13)>",
    "<a href='data:text/html;base64,PHNjcmlwdD5hbGVydCgxNCk8L3NjcmlwdD4='>x</a>",
]
RUNNABLE = """() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on")) found.push(el.tagName + " " + attr.name);
      if (/^\\s*(javascript|data|vbscript):/i.test(attr.value) &&
          ["href", "src", "action", "formaction", "xlink:href"].includes(attr.name))
        found.push(el.tagName + " " + attr.name + "=" + attr.value);
    }
  }
  for (const s of document.querySelectorAll("script"))
    if (!s.src || !new URL(s.src).pathname.startsWith("/static/")) found.push("script " + s.src);
  return found;
}"""


def test_no_payload_runs_anywhere(new_page, writer, log_in):
    dreams = []
    for n, payload in enumerate(PAYLOADS):
        dream = entries.save_dream(
            Dream(owner=writer, title=payload[:200], body=f"{payload}\n\nA mirror {n}.",
                  visibility=Dream.Visibility.SHARED),
            tags=[payload[:60], f"tag{n}"],
        )  # fmt: skip
        dreams.append(dream)
    own = vocabulary.make_motif(owner=writer, name="Glass owl", category="animal",
                                words=[PAYLOADS[1][:60]])  # fmt: skip
    vocabulary.add_word(owner=writer, motif=own, word=PAYLOADS[0][:60])
    rows = "date,text\n" + "".join(
        f'2024-01-0{1 + n % 9},"{p.replace(chr(34), chr(34) * 2)}"\n'
        for n, p in enumerate(PAYLOADS)
    )
    raw = rows.encode()
    plan = read_file(name="hostile.csv", opener=lambda: io.BytesIO(raw))
    saving.apply(owner=writer, plan=plan)

    page = log_in(new_page(), writer)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    urls = ["/", "/?scope=mine", "/motifs/", "/motifs/glass-owl/", "/motifs/mirror/", "/tags/",
            "/insights/", "/trash/"]  # fmt: skip
    for dream in dreams[:6]:
        urls += [dream.get_absolute_url(), f"/dreams/{dream.pk}/edit/",
                 f"/dreams/{dream.pk}/thread/"]  # fmt: skip
    urls += ["/search/?" + urllib.parse.urlencode({"q": p}) for p in PAYLOADS]
    urls += ["/?" + urllib.parse.urlencode({"tag": p, "motif": p}) for p in PAYLOADS[:4]]
    for url in urls:
        page.goto(url)
        expect(page.locator("main")).to_be_visible()
        page.mouse.move(200, 300)
        assert page.evaluate(RUNNABLE) == [], url
    # Typing a payload into the live search and the preview runs nothing either.
    page.goto("/search/")
    page.locator("#q").fill(PAYLOADS[1])
    page.goto("/dreams/new/")
    page.locator("#id_body").fill("\n".join(PAYLOADS))
    expect(page.locator("#preview")).to_contain_text("alert(9)")
    assert page.evaluate(RUNNABLE) == []
    assert dialogs == []
