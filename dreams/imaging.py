"""Pictures of dreams, decoded and made safe: pure functions from uploaded bytes to variants.

Pillow decodes (HEIC through pillow-heif when it is installed); the EXIF orientation is applied
and every piece of metadata (EXIF with its GPS, XMP, IPTC, comments, the ICC profile after
converting to sRGB) is left behind, because each variant is encoded afresh from pixels alone.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError, features

try:  # HEIC (iPhone photos): a well-kept decoder, when its wheel installs on this machine.
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIC = True
except ImportError:  # pragma: no cover - depends on the machine
    HEIC = False

# What a picture may be, by what Pillow finds inside (never by its name alone).
FORMATS = {"JPEG": "a JPEG", "PNG": "a PNG", "WEBP": "a WebP", "GIF": "a GIF"}
if HEIC:
    FORMATS["HEIF"] = "a HEIC"
# What a file's name promises, by its extension.
NAMED = {
    ".jpg": "JPEG", ".jpeg": "JPEG", ".jfif": "JPEG", ".png": "PNG", ".webp": "WEBP",
    ".gif": "GIF", ".heic": "HEIF", ".heif": "HEIF",
}  # fmt: skip

# The variants: (longest side in pixels, lossy quality). Never enlarged.
VARIANTS = {"card": (800, 78), "page": (1600, 82), "full": (3200, 90)}
# WebP everywhere a Pillow build can write it, JPEG otherwise.
OUTPUT = ("WEBP", "webp", "image/webp") if features.check("webp") else ("JPEG", "jpg", "image/jpeg")


class BadPicture(ValueError):
    """A file that is not a picture Somnia keeps; the message says why, for the person."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 50_000_000  # a 50-megapixel photo; a decompression bomb is far larger


@dataclass(frozen=True)
class Prepared:
    """A picture ready to store: each variant's encoded bytes, and the full one's facts."""

    variants: dict[str, bytes]  # "card" | "page" | "full" -> encoded bytes in OUTPUT's format
    width: int  # of the full variant, in pixels
    height: int
    sha256: str  # of the full variant's bytes
    extension: str  # "webp" (or "jpg")
    content_type: str


def prepare(raw: bytes, *, name: str, limits: Limits = Limits()) -> Prepared:
    """Decode a picture, check it, orient it, strip it and encode its variants.

    `raw` is the uploaded file's bytes and `name` its file name (its extension must not promise
    a different type than the content). Raises BadPicture with a message for the person: too
    large, too many pixels, not an image, a type it is not named as, truncated or corrupt, HEIC
    without a decoder. A WebP that holds nothing but pixels (as Somnia writes them) within the
    full size is kept byte for byte, so an export imported again keeps the very same pixels."""
    label = PurePath(name).name or "The file"
    if len(raw) > limits.max_bytes:
        raise BadPicture(
            f"“{label}” is {len(raw) / 2**20:.1f} MB; a picture may be at most "
            f"{limits.max_bytes // 2**20} MB."
        )
    image = _open(raw, label=label, limits=limits)
    if image.format == "WEBP" and is_plain_webp(raw) and max(image.size) <= VARIANTS["full"][0]:
        full = raw
    else:
        full = None
    pixels = _pixels(image, label=label)
    variants = {}
    for variant, (side, quality) in VARIANTS.items():
        if variant == "full" and full is not None:
            variants[variant] = full
            continue
        lossless = variant == "full" and image.format in {"PNG", "GIF"}
        variants[variant] = _encode(pixels, side=side, quality=quality, lossless=lossless)
    width, height = _fitted(pixels.size, VARIANTS["full"][0])
    return Prepared(
        variants=variants,
        width=width,
        height=height,
        sha256=hashlib.sha256(variants["full"]).hexdigest(),
        extension=OUTPUT[1],
        content_type=OUTPUT[2],
    )


def _open(raw: bytes, *, label: str, limits: Limits) -> Image.Image:
    """Identify the image by its content, and refuse a bomb before decoding a single pixel."""
    kinds = ", ".join(FORMATS.values()).replace("a ", "").rsplit(", ", 1)
    accepted = " or ".join(kinds)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw), formats=list(FORMATS))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise BadPicture(
            f"“{label}” has far too many pixels to open safely; a picture may have at most "
            f"{limits.max_pixels / 1e6:.0f} megapixels."
        ) from None
    except UnidentifiedImageError:
        promised = NAMED.get(PurePath(label).suffix.lower())
        if promised == "HEIF" and not HEIC:
            raise BadPicture(
                f"“{label}” is a HEIC photo, which this server cannot read: choose “Most "
                "Compatible” in the camera's settings, or share the photo as a JPEG."
            ) from None
        raise BadPicture(f"“{label}” is not a picture Somnia can read ({accepted}).") from None
    except Exception as error:  # a decoder's own complaint about a broken header
        raise BadPicture(f"“{label}” is damaged and cannot be read ({error}).") from None
    promised = NAMED.get(PurePath(label).suffix.lower())
    if promised and promised != image.format:
        raise BadPicture(
            f"“{label}” is named as {FORMATS.get(promised, promised)} file but holds "
            f"{FORMATS[image.format]} image; nothing was saved."
        )
    width, height = image.size
    if width * height > limits.max_pixels:
        raise BadPicture(
            f"“{label}” is {width} × {height} pixels ({width * height / 1e6:.0f} megapixels); "
            f"a picture may have at most {limits.max_pixels / 1e6:.0f} megapixels."
        )
    return image


def _pixels(image: Image.Image, *, label: str) -> Image.Image:
    """The first frame's pixels, upright, in sRGB, with nothing else attached."""
    try:
        image.seek(0)  # a GIF's (or an animated WebP's) first frame
        image.load()
        upright = ImageOps.exif_transpose(image) or image
        profile = image.info.get("icc_profile")
        if upright.mode not in {"RGB", "RGBA"}:
            has_alpha = upright.mode in {"RGBA", "LA", "PA"} or "transparency" in upright.info
            upright = upright.convert("RGBA" if has_alpha else "RGB")
        if profile:
            upright = _to_srgb(upright, profile)
    except OSError as error:  # "image file is truncated", a broken stream
        raise BadPicture(f"“{label}” is cut short or damaged ({error}).") from None
    # A new image holds pixels only: no EXIF, XMP, comments or profile can come along.
    clean = Image.new(upright.mode, upright.size)
    clean.paste(upright)
    return clean


def _to_srgb(image: Image.Image, profile: bytes) -> Image.Image:
    """Colours as the profile meant them, in sRGB, so the profile itself can be dropped."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=image.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unreadable profile: the pixels as they are


def _fitted(size: tuple[int, int], side: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _encode(pixels: Image.Image, *, side: int, quality: int, lossless: bool) -> bytes:
    size = _fitted(pixels.size, side)
    image = pixels if size == pixels.size else pixels.resize(size, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    fmt = OUTPUT[0]
    if fmt == "JPEG" and image.mode == "RGBA":  # pragma: no cover - Pillow without WebP
        image = image.convert("RGB")
    options = {"lossless": True} if lossless and fmt == "WEBP" else {"quality": quality}
    image.save(buffer, format=fmt, method=4 if fmt == "WEBP" else None, **options)
    return buffer.getvalue()


def is_plain_webp(raw: bytes) -> bool:
    """True for a still WebP whose chunks hold pixels only (no EXIF, XMP, ICC, animation).

    Reads the RIFF container (https://developers.google.com/speed/webp/docs/riff_container)."""
    if len(raw) < 20 or raw[:4] != b"RIFF" or raw[8:12] != b"WEBP":
        return False
    if int.from_bytes(raw[4:8], "little") + 8 != len(raw):
        return False
    offset, allowed = 12, {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}
    while offset < len(raw):
        if offset + 8 > len(raw):
            return False
        tag, size = raw[offset : offset + 4], int.from_bytes(raw[offset + 4 : offset + 8], "little")
        if tag not in allowed:
            return False
        # VP8X flags: ICC 0x20, alpha 0x10, EXIF 0x08, XMP 0x04, animation 0x02.
        if tag == b"VP8X" and raw[offset + 8] & 0x2E:
            return False
        offset += 8 + size + (size & 1)
    return offset == len(raw)
