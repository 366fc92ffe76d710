"""Pictures decoded, checked, oriented, stripped and resized (dreams/imaging.py, pure)."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageCms

from dreams import imaging
from dreams.imaging import BadPicture, Limits, prepare


def _open(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _photo_with_gps_and_rotation() -> bytes:
    """A 60x20 JPEG, left half red and right half blue, that asks to be turned 90° (EXIF
    Orientation 6) and says where it was taken (GPS), with a comment and an ICC profile."""
    image = Image.new("RGB", (60, 20), (220, 0, 0))
    image.paste((0, 0, 220), (30, 0, 60, 20))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPSInfo
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    image.save(
        buffer, format="JPEG", exif=exif, icc_profile=profile, comment=b"at home", quality=95
    )
    return buffer.getvalue()


def test_a_photo_is_turned_upright_and_keeps_no_metadata():
    raw = _photo_with_gps_and_rotation()
    assert _open(raw).getexif().get_ifd(0x8825)  # the GPS is there to begin with
    prepared = prepare(raw, name="IMG_0001.JPG")
    assert set(prepared.variants) == {"card", "page", "full"}
    for data in prepared.variants.values():
        image = _open(data)
        assert image.format == "WEBP"
        assert image.size == (20, 60)  # turned upright
        assert not image.getexif()
        assert not {"exif", "xmp", "icc_profile", "comment"} & set(image.info)
        assert b"Exif" not in data and b"PhoneMaker" not in data and b"at home" not in data
        # Turned clockwise: the red half, on the left, is now on top.
        top, bottom = image.convert("RGB").getpixel((10, 5)), image.getpixel((10, 55))
        assert top[0] > 150 > top[2] and bottom[2] > 150 > bottom[0]
    assert (prepared.width, prepared.height) == (20, 60)
    assert imaging.is_plain_webp(prepared.variants["full"])


def test_variants_are_resized_to_their_side_and_never_enlarged(image_bytes):
    prepared = prepare(image_bytes("PNG", size=(4000, 1000)), name="wide.png")
    sizes = {name: _open(data).size for name, data in prepared.variants.items()}
    assert sizes == {"card": (800, 200), "page": (1600, 400), "full": (3200, 800)}
    small = prepare(image_bytes("JPEG", size=(300, 200)), name="small.jpg")
    assert {_open(d).size for d in small.variants.values()} == {(300, 200)}


def test_a_drawing_keeps_its_exact_pixels_and_transparency():
    drawing = Image.new("RGBA", (120, 90), (0, 0, 0, 0))
    drawing.paste((200, 10, 10, 255), (10, 10, 60, 40))
    buffer = io.BytesIO()
    drawing.save(buffer, format="PNG")
    prepared = prepare(buffer.getvalue(), name="sketch.png")
    full = _open(prepared.variants["full"])
    assert full.mode == "RGBA"
    assert full.tobytes() == drawing.tobytes()  # lossless


def test_a_gif_gives_its_first_frame():
    frames = [Image.new("P", (40, 40), i) for i in (1, 2, 3)]
    for frame, colour in zip(frames, [(255, 0, 0), (0, 255, 0), (0, 0, 255)], strict=True):
        frame.putpalette([0, 0, 0, *colour] * 128)
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    prepared = prepare(buffer.getvalue(), name="loop.gif")
    pixel = _open(prepared.variants["full"]).convert("RGB").getpixel((5, 5))
    assert pixel[0] > 200 and pixel[1] < 50 and pixel[2] < 50


@pytest.mark.skipif(not imaging.HEIC, reason="pillow-heif is not installed")
def test_a_heic_photo_is_read(image_bytes):
    prepared = prepare(image_bytes("HEIF", size=(64, 48)), name="IMG_0002.HEIC")
    assert _open(prepared.variants["full"]).size == (64, 48)


def test_an_export_of_ours_comes_back_byte_for_byte(image_bytes):
    first = prepare(image_bytes("JPEG", size=(900, 600)), name="p.jpg")
    again = prepare(first.variants["full"], name="full.webp")
    assert again.variants["full"] == first.variants["full"]
    assert again.sha256 == first.sha256


def test_a_webp_with_metadata_is_encoded_afresh(image_bytes):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    raw = image_bytes("WEBP", size=(50, 50), exif=exif)
    assert not imaging.is_plain_webp(raw)
    prepared = prepare(raw, name="x.webp")
    assert b"PhoneMaker" not in prepared.variants["full"]
    assert imaging.is_plain_webp(prepared.variants["full"])


def _truncated_jpeg(image_bytes) -> bytes:
    whole = image_bytes("JPEG", size=(400, 300), colour=(10, 120, 200))
    return whole[: len(whole) // 2]


def _bomb() -> bytes:
    # 30,000 x 30,000 pixels of one colour: a few kilobytes on disk, 900 megapixels to decode.
    buffer = io.BytesIO()
    Image.new("1", (30_000, 30_000)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


BAD_FILES = [
    # (what, name, how to make the bytes, words the message must have)
    ("html named .png", "cat.png", lambda mk: b"<!doctype html><script>alert(1)</script>",
     "is not a picture"),
    ("svg named .png", "cat.png",
     lambda mk: b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "is not a picture"),
    ("empty file", "empty.jpg", lambda mk: b"", "is not a picture"),
    ("a jpeg named .png", "photo.png", lambda mk: mk("JPEG"), "holds a JPEG image"),
    ("truncated jpeg", "cut.jpg", _truncated_jpeg, "cut short or damaged"),
    ("a bmp", "old.bmp", lambda mk: mk("BMP"), "is not a picture"),
    ("a decompression bomb", "bomb.png", lambda mk: _bomb(), "megapixels"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "name", "make", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_bad_files_are_refused_with_a_clear_message(image_bytes, what, name, make, words):
    with pytest.raises(BadPicture) as refused:
        prepare(make(image_bytes), name=name)
    assert words in str(refused.value)
    assert name in str(refused.value)


def test_size_and_pixel_limits_are_the_ones_given(image_bytes):
    raw = image_bytes("PNG", size=(2000, 1000))
    with pytest.raises(BadPicture, match="at most 1 megapixels"):
        prepare(raw, name="big.png", limits=Limits(max_pixels=1_000_000))
    with pytest.raises(BadPicture, match="may be at most 0 MB"):
        prepare(raw, name="big.png", limits=Limits(max_bytes=1000))


def test_a_plain_webp_is_told_from_one_with_extra_chunks(image_bytes):
    plain = image_bytes("WEBP", size=(10, 10), lossless=True)
    assert imaging.is_plain_webp(plain)
    # An unknown chunk appended (the RIFF size fixed up) could carry anything: not plain.
    extra = plain + b"ZZZZ" + (4).to_bytes(4, "little") + b"data"
    extra = extra[:4] + (len(extra) - 8).to_bytes(4, "little") + extra[8:]
    assert not imaging.is_plain_webp(extra)
    assert not imaging.is_plain_webp(plain[:-3])
    assert not imaging.is_plain_webp(b"GIF89a" + plain)
