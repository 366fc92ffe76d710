"""Deterministic, dreamy SVG covers for dream cards.

Pure standard library (no Django import) so it can be used and tested anywhere.

The composition is painted in layers: a tilted gradient sky, blurred nebula orbs, a luminary,
a star field, three horizon layers whose shape language follows the mood, mood-specific
atmosphere (rain, embers, fireflies, shimmer) and up to four motif glyphs.  Every choice is
drawn from ``random.Random`` seeded with a SHA-256 of the dream, so the same dream always gets
the same, byte-identical cover.
"""

from __future__ import annotations

import colorsys
import hashlib
import itertools
import math
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

__all__ = ["COLOUR_WORDS", "colours_in", "cover_svg", "describe_cover"]

WIDTH = 400
HEIGHT = 260

COLOUR_WORDS: dict[str, str] = {
    # reds
    "red": "#c0392b",
    "crimson": "#a3142f",
    "scarlet": "#d62a1e",
    "vermilion": "#e34234",
    "ruby": "#9b111e",
    "maroon": "#6d1a2a",
    "burgundy": "#6b1830",
    "blood-red": "#8a0303",
    # oranges & browns
    "orange": "#e67e22",
    "amber": "#ffb020",
    "ember": "#e2582b",
    "copper": "#b87333",
    "bronze": "#a97142",
    "rust": "#a0431c",
    "tangerine": "#f28500",
    "apricot": "#f6b17a",
    "coral": "#f2765e",
    "brown": "#7b4a2d",
    "umber": "#5e3b24",
    "sepia": "#704214",
    "ochre": "#cc7722",
    "ocher": "#cc7722",
    "chestnut": "#8a3b22",
    "mahogany": "#6a2a1c",
    "beige": "#d9c7a7",
    "khaki": "#bfae7a",
    # yellows & golds
    "yellow": "#f4d03f",
    "gold": "#d4a62a",
    "golden": "#e0b040",
    "saffron": "#f4c430",
    "lemon": "#f5e050",
    "mustard": "#d6a72b",
    "honey": "#e8a93a",
    # greens
    "green": "#2e8b57",
    "emerald": "#1f9d6c",
    "jade": "#00a86b",
    "olive": "#7a7a2e",
    "lime": "#9acd32",
    "moss": "#5f7a3a",
    "sage": "#9caf88",
    "mint": "#98e0c0",
    "sea-green": "#2e8b7a",
    "viridian": "#40826d",
    # blue-greens
    "teal": "#1b8a8a",
    "turquoise": "#30c5c0",
    "aqua": "#3fd4d4",
    "cyan": "#22b8d6",
    "aquamarine": "#6fd6c0",
    "blue-green": "#1f8f8f",
    # blues
    "blue": "#2f6fd0",
    "azure": "#3a8de0",
    "cobalt": "#0047ab",
    "sapphire": "#1f3f9f",
    "navy": "#1b2a5e",
    "cerulean": "#2a7ab8",
    "ultramarine": "#2a3ec0",
    "sky-blue": "#7cc0ea",
    "midnight-blue": "#191970",
    "chrysalis-blue": "#5fa8c8",
    "periwinkle": "#8c9be8",
    # purples
    "indigo": "#3f2a86",
    "violet": "#7f4fc9",
    "purple": "#7b3fa0",
    "lavender": "#b6a0e0",
    "lilac": "#c4a2d8",
    "mauve": "#b784a7",
    "plum": "#6e2f63",
    "amethyst": "#9966cc",
    "magenta": "#c2188a",
    "fuchsia": "#d63ba8",
    "bruised-purple": "#4b2d5c",
    # pinks
    "pink": "#f08cb0",
    "blush": "#e8a3b0",
    "rose-gold": "#d8a08a",
    # whites & metals
    "white": "#f4f1ea",
    "ivory": "#f6f0dc",
    "pearl": "#e9e4d6",
    "cream": "#f3e6c4",
    "silver": "#b8bec8",
    "pewter": "#8e9296",
    "opal": "#a8c8c4",
    "platinum": "#d6d8d4",
    # greys & blacks
    "grey": "#8a8d91",
    "gray": "#8a8d91",
    "ash": "#7d7a78",
    "slate": "#5a6677",
    "charcoal": "#33363a",
    "black": "#121216",
    "ebony": "#1c1714",
    "obsidian": "#1b1624",
    "onyx": "#202024",
    "sable": "#241f1c",
}

COVER_TEXT = 2000  # characters: the colours that open a dream set its cover's palette

# A word: a run of letters, optionally joined to more runs by single hyphens.
_WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


def colours_in(text: str) -> list[tuple[str, str]]:
    """Colour words in ``text`` as ``(word, hex)``, in order of first appearance, each once.

    Matching is case-insensitive and on whole words only ("bored" or "redder" never match
    "red").  Hyphenated compounds are looked up whole ("chrysalis-blue"); an unknown compound
    falls back to its last part, so "foo-blue" yields ``("foo-blue", COLOUR_WORDS["blue"])``.
    """
    found: list[tuple[str, str]] = []
    # Each distinct word once, in order of first appearance (a narrative repeats its words).
    for word in dict.fromkeys(_WORD_RE.findall((text or "").lower())):
        hexcode = COLOUR_WORDS.get(word)
        if hexcode is None and "-" in word:
            hexcode = COLOUR_WORDS.get(word.rsplit("-", 1)[1])
        if hexcode is not None:
            found.append((word, hexcode))
    return found


# --------------------------------------------------------------------------------------------
# colour helpers


def _clamp(v: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if v < lo else hi if v > hi else v


def _hls(hexcode: str) -> tuple[float, float, float]:
    h = hexcode.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return colorsys.rgb_to_hls(r, g, b)


def _hex(h: float, l: float, s: float) -> str:  # noqa: E741 - HLS naming
    r, g, b = colorsys.hls_to_rgb(h % 1.0, _clamp(l), _clamp(s))
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def _luma(hexcode: str) -> float:
    h = hexcode.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _pull_hue(h: float, target: float, amount: float) -> float:
    d = ((target - h + 0.5) % 1.0) - 0.5
    return (h + d * amount) % 1.0


class _Colour:
    """A palette entry: hue/saturation are kept, lightness is chosen per role."""

    __slots__ = ("h", "l", "s")

    def __init__(self, h: float, l: float, s: float) -> None:  # noqa: E741
        self.h, self.l, self.s = h, l, s

    @classmethod
    def of(cls, hexcode: str) -> _Colour:
        """From hex; saturation is capped by chroma so near-whites/greys stay neutral."""
        h, l, s = _hls(hexcode)  # noqa: E741
        chroma = (1 - abs(2 * l - 1)) * s
        return cls(h, l, min(s, chroma * 1.6))

    def at(self, lightness: float, sat: float = 1.0, smax: float = 0.85) -> str:
        """Hex of this hue at a role lightness; keep a trace of the colour's own lightness."""
        lightness = lightness + (self.l - 0.5) * 0.22
        return _hex(self.h, lightness, min(self.s * sat, smax))


# --------------------------------------------------------------------------------------------
# mood settings

_MOODS: dict[str, dict] = {
    "": {"light": 0.0, "sat": 0.0, "hue": None, "stars": 48, "shapes": ("waves", "hills", "dunes")},
    "joyful": {
        "light": 0.13,
        "sat": 0.12,
        "hue": (0.11, 0.25),
        "stars": 85,
        "shapes": ("hills",),
    },
    "peaceful": {"light": 0.06, "sat": -0.1, "hue": None, "stars": 55, "shapes": ("waves",)},
    "curious": {"light": 0.02, "sat": 0.06, "hue": None, "stars": 55, "shapes": ("dunes", "hills")},
    "confused": {"light": 0.0, "sat": 0.04, "hue": None, "stars": 45, "shapes": ("tangle",)},
    "anxious": {"light": -0.09, "sat": -0.08, "hue": None, "stars": 30, "shapes": ("jagged",)},
    "frightened": {
        "light": -0.18,
        "sat": -0.14,
        "hue": (0.75, 0.15),
        "stars": 16,
        "shapes": ("jagged",),
    },
    "sad": {"light": -0.08, "sat": -0.22, "hue": (0.6, 0.4), "stars": 22, "shapes": ("low",)},
    "angry": {"light": -0.03, "sat": 0.18, "hue": (0.01, 0.45), "stars": 22, "shapes": ("peaks",)},
}


# --------------------------------------------------------------------------------------------
# svg helpers


def _n(v: float) -> str:
    s = f"{v:.1f}"
    if s.endswith(".0"):
        s = s[:-2]
    return "0" if s == "-0" else s


_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: str) -> str:
    return escape(_BAD_XML.sub("", value))


def _attr(value: str) -> str:
    return escape(_BAD_XML.sub("", value), {'"': "&quot;", "\n": "&#10;", "\t": "&#9;"})


def _smooth(points: list[tuple[float, float]]) -> str:
    """Catmull-Rom spline through points as cubic Bezier path commands."""
    out = [f"M{_n(points[0][0])} {_n(points[0][1])}"]
    for i in range(len(points) - 1):
        p0 = points[i - 1] if i else points[i]
        p1, p2 = points[i], points[i + 1]
        p3 = points[i + 2] if i + 2 < len(points) else p2
        c1 = (p1[0] + (p2[0] - p0[0]) / 6, p1[1] + (p2[1] - p0[1]) / 6)
        c2 = (p2[0] - (p3[0] - p1[0]) / 6, p2[1] - (p3[1] - p1[1]) / 6)
        out.append(f"C{_n(c1[0])} {_n(c1[1])} {_n(c2[0])} {_n(c2[1])} {_n(p2[0])} {_n(p2[1])}")
    return "".join(out)


def _sharp(points: list[tuple[float, float]]) -> str:
    head = f"M{_n(points[0][0])} {_n(points[0][1])}"
    return head + "".join(f"L{_n(x)} {_n(y)}" for x, y in points[1:])


def _ridge(rng: random.Random, shape: str, base: float, amp: float) -> tuple[list, bool]:
    """Points of one horizon line from x=-10 to x=410; returns (points, smooth?)."""
    pts: list[tuple[float, float]] = []
    if shape in ("waves", "low", "tangle"):
        f1 = rng.uniform(0.8, 2.2) * (1.8 if shape == "tangle" else 1.0)
        f2 = rng.uniform(2.5, 4.5)
        p1, p2 = rng.uniform(0, math.tau), rng.uniform(0, math.tau)
        a2 = rng.uniform(0.15, 0.35)
        step = 20
        for x in range(-10, 411, step):
            t = x / WIDTH * math.tau
            y = base - amp * (math.sin(t * f1 + p1) + a2 * math.sin(t * f2 + p2))
            pts.append((x, y))
        return pts, True
    if shape in ("hills", "dunes"):
        x = -10.0
        up = rng.random() < 0.5
        while x < 410:
            y = base - amp * (rng.uniform(0.55, 1.25) if up else rng.uniform(-0.45, 0.2))
            pts.append((x, y))
            if shape == "dunes":
                x += rng.uniform(25, 45) if up else rng.uniform(55, 95)
            else:
                x += rng.uniform(40, 85)
            up = not up
        pts.append((410, base - amp * rng.uniform(-0.2, 0.8)))
        return pts, True
    if shape == "peaks":
        x = -10.0
        up = rng.random() < 0.5
        while x < 410:
            y = base - amp * (rng.uniform(0.9, 2.0) if up else rng.uniform(-0.3, 0.35))
            pts.append((x, y))
            x += rng.uniform(22, 55)
            up = not up
        pts.append((410, base - amp * rng.uniform(0, 1)))
        return pts, False
    # jagged: a restless line of small teeth with the occasional spike
    x = -10.0
    drift = 0.0
    while x < 410:
        drift = _clamp(drift + rng.uniform(-0.35, 0.35), -1.0, 1.0)
        y = base - amp * (drift + rng.uniform(-0.45, 0.45))
        if rng.random() < 0.12:
            y -= amp * rng.uniform(0.9, 1.8)
        pts.append((x, y))
        x += rng.uniform(6, 16)
    pts.append((410, base - amp * drift))
    return pts, False


def _y_at(points: list[tuple[float, float]], x: float) -> float:
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if x0 <= x <= x1:
            t = 0 if x1 == x0 else (x - x0) / (x1 - x0)
            return y0 + (y1 - y0) * t
    return points[-1][1]


# --------------------------------------------------------------------------------------------
# glyphs (local coordinates; floating ones centred on 0,0, grounded ones stand on y=0)

_GROUNDED = {"character", "place"}


def _glyph(rng: random.Random, category: str, slug: str, ink: str, glow: str) -> str:
    sw = 'fill="none" stroke="%s" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"'
    stroke = sw % ink
    if category == "character":
        return (
            f'<g fill="{ink}"><circle cy="-27" r="3.6"/>'
            '<path d="M0 -23C-4.6 -23-6 -17-7.2 0H7.2C6 -17 4.6 -23 0 -23Z"/></g>'
        )
    if category == "place":
        if rng.random() < 0.5:
            return (
                f'<path fill="{ink}" d="M-6 0V-30L0 -41L6 -30V0Z"/>'
                f'<path fill="{glow}" d="M-1.7 -17v-4.5a1.7 1.7 0 0 1 3.4 0v4.5Z"/>'
            )
        return (
            f'<path fill="{ink}" d="M-16 0V-18A16 16 0 0 1 16 -18V0H10.5V-18'
            'A10.5 10.5 0 0 0 -10.5 -18V0Z"/>'
        )
    if category == "animal":
        return (
            f'<path {stroke} d="M-16 3Q-8 -8 0 1Q8 -8 16 3M5 -13Q9 -17 12.5 -13.5Q16 -17 20 -13'
            'M-22 -10Q-19 -13 -16 -10.5Q-13 -13 -10 -10"/>'
        )
    if category == "object":
        if rng.random() < 0.5:  # lantern
            return (
                f'<circle r="9" fill="{glow}" opacity=".35"/>'
                f'<path {stroke} d="M-3.5 -13A3.5 3.5 0 0 1 3.5 -13M-6 -10H6L8 8H-8ZM-5 11H5"/>'
                f'<circle cy="0" r="2.8" fill="{glow}"/>'
            )
        return (  # key
            f'<path {stroke} d="M-16 0a6 6 0 1 0 12 0a6 6 0 1 0 -12 0M-4 0H17M13 0V5M9 0V4"/>'
        )
    if category == "nature":
        if rng.random() < 0.55:  # crescent
            return f'<path fill="{ink}" d="M3 -14A14 14 0 1 0 3 14A11 11 0 1 1 3 -14Z"/>'
        return (  # a sprig of leaves
            f'<path {stroke} d="M0 17Q-2 2 2 -16"/><path fill="{ink}" d="M-0.5 8Q-10 8 -12 0'
            'Q-4 -1 -0.5 8ZM0 0Q9 0 11 -8Q3 -9 0 0ZM0.5 -7Q-7 -8 -8 -15Q-1 -15 0.5 -7Z"/>'
        )
    if category == "body":
        return (
            f'<path {stroke} d="M-18 0Q0 -15 18 0Q0 15 -18 0Z'
            'M-10 -11L-12 -15M0 -8V-13M10 -11L12 -15"/>'
            f'<circle r="4.6" fill="{ink}"/>'
        )
    if category == "action":
        if rng.random() < 0.6:  # spiral
            return (
                f'<path {stroke} d="M0 0a2 2 0 0 1 4 0a4 4 0 0 1 -8 0a6 6 0 0 1 12 0'
                'a8 8 0 0 1 -16 0a10 10 0 0 1 20 0"/>'
            )
        return (  # motion arcs
            f'<path {stroke} d="M-14 8A16 16 0 0 1 8 -12M-8 12A12 12 0 0 1 12 -6'
            'M-2 14A8 8 0 0 1 14 0"/>'
        )
    # colour (and anything unknown): a radiant star burst
    tint = COLOUR_WORDS.get(slug.lower())
    fill = _Colour.of(tint).at(0.72, 1.0, 0.9) if tint and category == "colour" else glow
    rays = rng.choice((8, 10, 12))
    d = []
    for i in range(rays):
        a = math.tau * i / rays + 0.2
        r0, r1 = 5.5, (17 if i % 2 == 0 else 11)
        d.append(
            f"M{_n(math.cos(a) * r0)} {_n(math.sin(a) * r0)}"
            f"L{_n(math.cos(a) * r1)} {_n(math.sin(a) * r1)}"
        )
    return f'<path {sw % ink} d="{"".join(d)}"/><circle r="4" fill="{fill}"/>'


def _sparkle(x: float, y: float, s: float) -> str:
    xs, ys = _n(x), _n(y)
    return (
        f"M{xs} {_n(y - s)}Q{xs} {ys} {_n(x + s)} {ys}Q{xs} {ys} {xs} {_n(y + s)}"
        f"Q{xs} {ys} {_n(x - s)} {ys}Q{xs} {ys} {xs} {_n(y - s)}Z"
    )


# --------------------------------------------------------------------------------------------
# the cover


def _palette(rng: random.Random, found: list[str]) -> list[_Colour]:
    cols: list[_Colour] = []
    for hexcode in found:
        c = _Colour.of(hexcode)
        if all(abs(c.h - o.h) + abs(c.l - o.l) + abs(c.s - o.s) > 0.02 for o in cols):
            cols.append(c)
        if len(cols) == 5:
            break
    if not cols:
        h = rng.random()
        offsets = rng.choice(((0, 0.08, -0.1), (0, 0.33, 0.66), (0, 0.45, 0.55), (0, 0.5, 0.12)))
        for off in offsets:
            cols.append(_Colour((h + off) % 1.0, rng.uniform(0.35, 0.65), rng.uniform(0.4, 0.8)))
    while len(cols) < 3:
        src = cols[len(cols) - 1]
        shift = rng.choice((-1, 1)) * rng.uniform(0.06, 0.16)
        if src.s < 0.1:  # achromatic: keep it mostly grey, with a faint hashed tint
            cols.append(_Colour(rng.random(), _clamp(1 - src.l, 0.2, 0.8), 0.14))
        else:
            cols.append(
                _Colour((src.h + shift) % 1.0, _clamp(src.l + rng.uniform(-0.2, 0.2)), src.s)
            )
    return cols


@dataclass
class _Scene:
    """What the painters share: the dream's random stream, palette and the geometry that one
    layer lays down and a later one uses. Painters run in a fixed order (cover_svg) and each
    draws from `rng` in turn, so a dream keeps its exact bytes."""

    rng: random.Random
    ids: str  # the id prefix of this cover's gradients and filters, "c1a2b3c"
    mood: str
    feel: dict  # the mood's settings (_MOODS)
    palette: list[_Colour]
    motifs: list[tuple[str, str]]  # (slug, category), at most four
    glow_col: str = ""  # the luminaries' halo, mist and ridge rims
    sky_mid: str = ""
    base: float = 0.0  # where the hills begin
    ridges: list[tuple[list[tuple[float, float]], bool]] = field(default_factory=list)
    hill_cols: list[str] = field(default_factory=list)
    lums: list[tuple[float, float, float]] = field(default_factory=list)  # (x, y, r)
    star_col: str = ""
    ink: str = ""  # the floating glyphs' ink and glow
    glow: str = ""
    taken: list[tuple[float, float, float]] = field(default_factory=list)  # circles glyphs avoid

    @property
    def lift(self) -> float:
        return self.feel["light"]

    def colour(self, index: int) -> _Colour:
        return self.palette[index % len(self.palette)]


def cover_svg(
    *,
    key: str,
    text: str,
    motifs: Sequence[tuple[str, str]] = (),
    mood: str = "",
    title: str = "",
) -> str:
    """A complete standalone SVG document painting an abstract cover for one dream.

    Same inputs give a byte-identical document.  ``text`` only contributes its colour words
    (never emitted); ``title`` is XML-escaped into ``<title>`` and the root ``aria-label``.
    """
    scene = _scene(key=key, text=text or "", motifs=motifs, mood=mood)
    # Order matters: each painter draws from scene.rng, and a dream must keep its exact bytes.
    painters = (
        _defs, _sky, _nebula, _stars, _luminaries, _inks, _horizon, _atmosphere,
        _floating_glyphs, _grain_and_vignette,
    )  # fmt: skip
    return _svg_open(title) + "".join(paint(scene) for paint in painters) + "</svg>"


def _scene(*, key: str, text: str, motifs, mood: str) -> _Scene:
    """The dream's random stream, seeded from all that shapes its cover, and its palette
    (the colour words of its text) shifted by the mood."""
    mood = (mood or "").strip().lower()
    feel = _MOODS.get(mood, _MOODS[""])
    motifs = [(str(s or ""), str(c or "").strip().lower()) for s, c in (motifs or ())][:4]
    material = "\x1f".join([str(key), text, mood] + [s for s, _ in motifs])
    digest = hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()
    rng = random.Random(int(digest, 16))
    palette = _palette(rng, [hx for _, hx in colours_in(text)])
    for c in palette:
        if feel["hue"]:
            c.h = _pull_hue(c.h, feel["hue"][0], feel["hue"][1])
        if mood == "confused":
            c.h = (c.h + rng.uniform(-0.12, 0.12)) % 1.0
        if c.s >= 0.1:
            c.s = _clamp(c.s + feel["sat"], 0.12, 1.0)
    return _Scene(
        rng=rng, ids="c" + digest[:7], mood=mood, feel=feel, palette=palette, motifs=motifs
    )


def _svg_open(title: str) -> str:
    label = (title or "").strip() or "Dream cover"
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 260" '
        f'preserveAspectRatio="xMidYMid slice" role="img" aria-label="{_attr(label)}">'
        f"<title>{_text(label)}</title>"
    )


def _defs(scene: _Scene) -> str:
    """Gradients and filters: the sky, the vignette, the mist, blur, glow and grain; then the
    ridges' shapes (drawn later) and their gradients."""
    out = [_sky_gradients(scene), _filters(scene)]
    _lay_ridges(scene)
    out.append(_hill_gradients(scene))
    return "<defs>" + "".join(out) + "</defs>"


def _sky_gradients(scene: _Scene) -> str:
    rng, p, lift = scene.rng, scene.ids, scene.lift
    main, second, third = scene.colour(0), scene.colour(1), scene.colour(2)
    tilt = rng.uniform(-0.45, 0.45)
    x1, y1 = 0.5 - math.sin(tilt) * 0.5, 0.5 - math.cos(tilt) * 0.5
    x2, y2 = 1 - x1, 1 - y1
    sky_top = second.at(0.1 + lift * 0.8, 0.9)
    scene.sky_mid = main.at(0.3 + lift, 1.0)
    sky_low = third.at(0.55 + lift, 1.0, 0.9)
    scene.glow_col = glow_col = third.at(0.8 + lift * 0.4, 0.9, 0.9)
    mid_at = rng.uniform(0.42, 0.62)
    return (
        f'<linearGradient id="{p}s" x1="{x1:.2f}" y1="{y1:.2f}" x2="{x2:.2f}" y2="{y2:.2f}">'
        f'<stop offset="0" stop-color="{sky_top}"/>'
        f'<stop offset="{mid_at:.2f}" stop-color="{scene.sky_mid}"/>'
        f'<stop offset=".9" stop-color="{sky_low}"/></linearGradient>'
        f'<radialGradient id="{p}v" cx=".5" cy=".45" r=".75">'
        '<stop offset=".55" stop-color="#000" stop-opacity="0"/>'
        f'<stop offset="1" stop-color="#000" stop-opacity="{0.5 - lift * 1.2:.2f}"/>'
        "</radialGradient>"
        f'<linearGradient id="{p}m" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{glow_col}" stop-opacity="0"/>'
        f'<stop offset=".65" stop-color="{glow_col}" stop-opacity=".3"/>'
        f'<stop offset="1" stop-color="{glow_col}" stop-opacity="0"/></linearGradient>'
    )


def _filters(scene: _Scene) -> str:
    rng, p = scene.rng, scene.ids
    return (
        f'<filter id="{p}b" x="-50%" y="-50%" width="200%" height="200%">'
        f'<feTurbulence type="fractalNoise" baseFrequency="{rng.uniform(0.006, 0.014):.3f}" '
        f'numOctaves="2" seed="{rng.randint(1, 999)}"/>'
        f'<feDisplacementMap in="SourceGraphic" scale="{rng.randint(30, 70)}" '
        'xChannelSelector="R" yChannelSelector="G"/>'
        f'<feGaussianBlur stdDeviation="{rng.uniform(9, 16):.1f}"/></filter>'
        f'<filter id="{p}g" x="-60%" y="-60%" width="220%" height="220%">'
        '<feGaussianBlur in="SourceGraphic" stdDeviation="1.8" result="b"/>'
        '<feMerge><feMergeNode in="b"/><feMergeNode in="SourceGraphic"/></feMerge></filter>'
        f'<filter id="{p}n" x="0" y="0" width="100%" height="100%">'
        '<feTurbulence type="fractalNoise" baseFrequency=".85" numOctaves="2" seed="7"/>'
        '<feColorMatrix values="0 0 0 0 1 0 0 0 0 1 0 0 0 0 1 0 0 0 .09 0"/></filter>'
    )


def _lay_ridges(scene: _Scene) -> None:
    """The three horizon ridges, back to front, in the mood's shape language."""
    rng = scene.rng
    shape = rng.choice(scene.feel["shapes"])
    scene.base = base = {"low": 212, "peaks": 178, "jagged": 184}.get(shape, 190) + rng.uniform(
        -10, 10
    )
    amp = {"low": 5, "peaks": 22, "jagged": 9, "tangle": 14, "waves": 9}.get(shape, 16)
    for i, (dy, ka) in enumerate(((-38, 1.5), (-12, 1.1), (32, 0.7))):
        lshape = shape
        if i == 2 and shape in ("peaks", "jagged"):
            lshape = "hills"  # a calmer foreground keeps the silhouettes readable
        pts, smooth = _ridge(rng, lshape, base + dy + rng.uniform(-5, 5), amp * ka)
        if i == 2 and lshape == "hills":
            pts = [(x, y + amp * 0.4) for x, y in pts]
            smooth = True
        scene.ridges.append((pts, smooth))


def _hill_gradients(scene: _Scene) -> str:
    lift, p = scene.lift, scene.ids
    main, second, third = scene.colour(0), scene.colour(1), scene.colour(2)
    scene.hill_cols = [
        third.at(0.34 + lift * 0.7, 0.75),
        second.at(0.2 + lift * 0.5, 0.7),
        main.at(0.085 + lift * 0.3, 0.65),
    ]
    out = []
    for i, col in enumerate(scene.hill_cols):
        ymin = min(y for _, y in scene.ridges[i][0])
        dark = _Colour(*_hls(col))
        out.append(
            f'<linearGradient id="{p}h{i}" gradientUnits="userSpaceOnUse" '
            f'x1="0" y1="{_n(ymin)}" x2="0" y2="260">'
            f'<stop offset="0" stop-color="{col}"/>'
            f'<stop offset="1" stop-color="{_hex(dark.h, dark.l * 0.55, dark.s)}"/>'
            "</linearGradient>"
        )
    return "".join(out)


def _sky(scene: _Scene) -> str:
    return f'<rect width="400" height="260" fill="url(#{scene.ids}s)"/>'


def _nebula(scene: _Scene) -> str:
    """Blurred, warped orbs of the palette, and the halo of each luminary (whose places are
    chosen here; their discs come after the stars)."""
    rng, lift, mood = scene.rng, scene.lift, scene.mood
    out = [f'<g filter="url(#{scene.ids}b)">']
    for i in range(rng.randint(3, 5)):
        c = scene.colour(i)
        rx = rng.uniform(45, 120)
        out.append(
            f'<ellipse cx="{_n(rng.uniform(-10, 410))}" cy="{_n(rng.uniform(0, 165))}" '
            f'rx="{_n(rx)}" ry="{_n(rx * rng.uniform(0.35, 0.8))}" '
            f'fill="{c.at(rng.uniform(0.48, 0.66) + lift * 0.6, 1.1, 0.95)}" '
            f'opacity="{rng.uniform(0.35, 0.62):.2f}" '
            f'transform="rotate({rng.randint(-30, 30)} 200 130)"/>'
        )
    lums = scene.lums
    count = 2 if mood == "confused" else (1 if mood == "joyful" or rng.random() < 0.78 else 0)
    for _ in range(count):
        lr = rng.uniform(9, 24) * (1.25 if mood == "joyful" else 1.0)
        for _ in range(12):
            lx, ly = rng.uniform(45, 355), rng.uniform(32, scene.base - 85)
            if all(math.hypot(lx - x, ly - y) > (lr + r) * 2.2 for x, y, r in lums):
                break
        lums.append((lx, ly, lr))
    for lx, ly, lr in lums:
        out.append(
            f'<circle cx="{_n(lx)}" cy="{_n(ly)}" r="{_n(lr * 2.6)}" fill="{scene.glow_col}" '
            'opacity=".5"/>'
        )
    out.append("</g>")
    return "".join(out)


def _stars(scene: _Scene) -> str:
    """A star field of zero-length round-capped strokes in three brightness classes, and a
    few glowing sparkles."""
    rng, third = scene.rng, scene.colour(2)
    scene.star_col = star_col = _hex(third.h, 0.96, 0.6)
    nstars = scene.feel["stars"] + rng.randint(-8, 8)
    classes: list[list[str]] = [[], [], []]
    for _ in range(nstars):
        y = 2 + (scene.base - 32) * (rng.random() ** 1.4)
        k = 0 if rng.random() < 0.6 else (1 if rng.random() < 0.75 else 2)
        classes[k].append(f"M{_n(rng.uniform(2, 398))} {_n(y)}h0")
    out = []
    for k, (w, o) in enumerate(((1.0, 0.45), (1.6, 0.7), (2.4, 0.9))):
        if classes[k]:
            out.append(
                f'<path d="{"".join(classes[k])}" stroke="{star_col}" stroke-width="{w}" '
                f'stroke-linecap="round" opacity="{o}"/>'
            )
    nspark = {"joyful": 7, "frightened": 0, "anxious": 1, "sad": 1}.get(scene.mood, 3)
    sparks = "".join(
        _sparkle(rng.uniform(15, 385), rng.uniform(10, scene.base - 60), rng.uniform(3, 7))
        for _ in range(nspark + rng.randint(0, 2))
    )
    if sparks:
        out.append(
            f'<path d="{sparks}" fill="{star_col}" opacity=".85" filter="url(#{scene.ids}g)"/>'
        )
    return "".join(out)


def _luminaries(scene: _Scene) -> str:
    """The moon(s) or sun: a glowing disc, a crescent when the mood is dark (or by chance)."""
    rng, p, third = scene.rng, scene.ids, scene.colour(2)
    out = []
    for i, (lx, ly, lr) in enumerate(scene.lums):
        disc = _hex(third.h, 0.9 + scene.lift * 0.3, 0.55)
        cx, cy, r = _n(lx), _n(ly), _n(lr)
        mask = ""
        if scene.mood in ("sad", "frightened", "anxious") or rng.random() < 0.4:  # a crescent
            off = lr * rng.uniform(0.3, 0.55) * rng.choice((-1, 1))
            out.append(
                f'<mask id="{p}k{i}"><circle cx="{cx}" cy="{cy}" r="{_n(lr + 1)}" fill="#fff"/>'
                f'<circle cx="{_n(lx + off)}" cy="{_n(ly - abs(off) * 0.4)}" r="{_n(lr * 0.95)}"/>'
                "</mask>"
            )
            mask = f' mask="url(#{p}k{i})"'
        out.append(
            f'<g filter="url(#{p}g)" opacity=".92"><circle cx="{cx}" cy="{cy}" r="{r}" '
            f'fill="{disc}"{mask}/></g>'
        )
    return "".join(out)


def _inks(scene: _Scene) -> str:
    """Glyph ink that reads against the sky, and the room the luminaries already take."""
    third = scene.colour(2)
    light_sky = _luma(scene.sky_mid) > 0.5
    scene.ink = _hex(third.h, 0.13, 0.35) if light_sky else _hex(third.h, 0.94, 0.45)
    scene.glow = _hex(scene.colour(0).h, 0.8, 0.9)
    scene.taken = [(x, y, r + 20) for x, y, r in scene.lums]
    return ""


def _place(scene: _Scene, xr: tuple[float, float], yr: tuple[float, float], gap: float):
    """A spot for a glyph at least `gap` from everything taken, or the roomiest of 24 tries."""
    rng = scene.rng
    best = (rng.uniform(*xr), rng.uniform(*yr))
    best_d = -1.0
    for _ in range(24):
        cx, cy = rng.uniform(*xr), rng.uniform(*yr)
        d = min((math.hypot(cx - x, cy - y) - r for x, y, r in scene.taken), default=1e9)
        if d > gap:
            return cx, cy
        if d > best_d:
            best, best_d = (cx, cy), d
    return best


def _horizon(scene: _Scene) -> str:
    """The three ridges back to front, mist behind the middle one, a rim of light along the
    two far ones, and the grounded glyphs (characters, places) standing on the middle ridge."""
    p, rng = scene.ids, scene.rng
    grounded = [(slug, cat) for slug, cat in scene.motifs if cat in _GROUNDED]
    out = []
    for i, (pts, smooth) in enumerate(scene.ridges):
        if i == 1:
            out.append(
                f'<rect y="{_n(scene.base - 90)}" width="400" height="120" fill="url(#{p}m)"/>'
            )
        ridge = _smooth(pts) if smooth else _sharp(pts)
        op = (0.9, 0.96, 1)[i]
        out.append(f'<path d="{ridge}L410 270L-10 270Z" fill="url(#{p}h{i})" opacity="{op}"/>')
        if i < 2:  # a faint rim of light along the ridge
            out.append(
                f'<path d="{ridge}" fill="none" stroke="{scene.glow_col}" stroke-width=".8" '
                f'opacity="{0.35 - i * 0.12:.2f}"/>'
            )
        if i == 1:
            for slug, cat in grounded:
                gx, _ = _place(scene, (40, 360), (0, 1), 40)
                gy = _y_at(pts, gx) + 2.5
                scene.taken.append((gx, gy - 20, 22))
                s = rng.uniform(0.75, 1.0) if cat == "character" else rng.uniform(0.9, 1.3)
                out.append(
                    f'<g transform="translate({_n(gx)} {_n(gy)}) scale({s:.2f})" opacity=".95">'
                    f"{_glyph(rng, cat, slug, scene.hill_cols[1], scene.glow)}</g>"
                )
    return "".join(out)


def _atmosphere(scene: _Scene) -> str:
    """The mood in the air: shimmer on still water, rain, embers or fireflies."""
    rng, mood, base = scene.rng, scene.mood, scene.base
    if mood == "peaceful":
        lines = []
        for _ in range(rng.randint(7, 11)):
            x, y = rng.uniform(10, 370), rng.uniform(base + 36, 252)
            lines.append(f"M{_n(x)} {_n(y)}h{_n(rng.uniform(10, 40))}")
        return (
            f'<path d="{"".join(lines)}" stroke="{scene.glow_col}" stroke-width="1" '
            'stroke-linecap="round" opacity=".3"/>'
        )
    if mood == "sad":
        lines = []
        for _ in range(rng.randint(26, 38)):
            x, y, ln = rng.uniform(0, 420), rng.uniform(-10, 250), rng.uniform(8, 18)
            lines.append(f"M{_n(x)} {_n(y)}l{_n(-ln * 0.25)} {_n(ln)}")
        return (
            f'<path d="{"".join(lines)}" stroke="{scene.star_col}" stroke-width=".7" '
            'stroke-linecap="round" opacity=".22"/>'
        )
    if mood in ("angry", "curious"):
        dots = []
        for _ in range(rng.randint(10, 16)):
            dots.append(f"M{_n(rng.uniform(10, 390))} {_n(rng.uniform(base - 80, 250))}h0")
        hue = 0.05 if mood == "angry" else 0.16
        return (
            f'<path d="{"".join(dots)}" stroke="{_hex(hue, 0.68, 1)}" stroke-width="2.2" '
            f'stroke-linecap="round" opacity=".8" filter="url(#{scene.ids}g)"/>'
        )
    return ""


def _floating_glyphs(scene: _Scene) -> str:
    """Objects, animals and the rest float in the sky, tilted, glowing faintly."""
    rng, out = scene.rng, []
    for slug, cat in scene.motifs:
        if cat in _GROUNDED:
            continue
        gx, gy = _place(scene, (34, 366), (30, scene.base - 62), 46)
        scene.taken.append((gx, gy, 24))
        rot = rng.randint(-14, 14)
        s = rng.uniform(0.85, 1.25)
        out.append(
            f'<g transform="translate({_n(gx)} {_n(gy)}) rotate({rot}) scale({s:.2f})" '
            f'opacity="{rng.uniform(0.62, 0.8):.2f}" filter="url(#{scene.ids}g)">'
            f"{_glyph(rng, cat, slug, scene.ink, scene.glow)}</g>"
        )
    return "".join(out)


def _grain_and_vignette(scene: _Scene) -> str:
    return (
        f'<rect width="400" height="260" filter="url(#{scene.ids}n)" opacity=".8"/>'
        f'<rect width="400" height="260" fill="url(#{scene.ids}v)"/>'
    )


def describe_cover(
    *,
    text: str,
    motif_names: Sequence[str] = (),
    mood: str = "",
    colours: Sequence[tuple[str, str]] | None = None,
) -> str:
    """The cover's text alternative: what the picture shows, in words. `colours`: the
    colours_in() of `text`, where they were found already."""
    found = colours_in(text or "") if colours is None else colours
    colours = [word for word, _ in found][:3]
    parts = ["An abstract dreamscape"]
    if mood:
        article = "an" if mood[:1].lower() in "aeiou" else "a"
        parts.append(f"in {article} {mood.lower()} mood")
    if colours:
        listed = (
            colours[0] if len(colours) == 1 else ", ".join(colours[:-1]) + f" and {colours[-1]}"
        )
        parts.append(f"in {listed}")
    description = " ".join(parts)
    names = [name.lower() for name in motif_names][:4]
    if names:
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
        description += f", with signs of {listed}"
    return description + "."
