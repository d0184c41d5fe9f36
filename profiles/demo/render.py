"""Render the demo's media: portrait JPEGs with Pillow, short H.264 MP4s with ffmpeg.

Pure: functions take plain parameters and return bytes; the seed stores them (``pool``). Text is
drawn by Pillow (a system TrueType font when one is found, else Pillow's bundled one) and laid
over the video, so the ffmpeg build needs no ``drawtext``.
"""

from __future__ import annotations

import io
import random
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from content.media import MediaError, run_ffmpeg

RGB = tuple[int, int, int]

# Shapes the product "illustration" can take; anything else draws none.
SHAPES = ("bottle", "box", "disc", "tote", "sneaker", "shirt", "plant")


@dataclass(frozen=True)
class Palette:
    """Colours of one design: a gradient from ``top`` to ``bottom``, an ``accent``, and ``ink`` for text."""

    name: str
    top: RGB
    bottom: RGB
    accent: RGB
    ink: RGB

    @property
    def light(self) -> bool:
        """Whether the background is light, so that text panels go dark-on-light."""
        return _luminance(_mix(self.top, self.bottom, 0.5)) > 150


def _luminance(colour: RGB) -> float:
    """Perceived brightness, 0-255 (ITU-R BT.601 weights)."""
    return 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]


WHITE: RGB = (255, 255, 255)
PALETTES: tuple[Palette, ...] = (
    Palette("peach", (255, 183, 161), (255, 236, 210), (226, 86, 76), (64, 32, 40)),
    Palette("lavender", (197, 182, 255), (255, 214, 236), (116, 78, 196), (42, 30, 72)),
    Palette("mint", (160, 226, 200), (226, 240, 198), (32, 128, 100), (20, 58, 48)),
    Palette("ocean", (30, 78, 150), (98, 190, 214), (255, 208, 88), WHITE),
    Palette("sunset", (250, 112, 96), (254, 184, 120), (110, 36, 78), WHITE),
    Palette("night", (28, 28, 58), (96, 62, 146), (255, 122, 178), WHITE),
    Palette("sand", (240, 224, 200), (204, 174, 142), (138, 88, 56), (50, 34, 24)),
    Palette("forest", (30, 80, 66), (118, 168, 118), (242, 222, 150), WHITE),
    Palette("berry", (118, 28, 78), (222, 90, 122), (255, 222, 120), WHITE),
    Palette("sky", (146, 198, 255), (232, 242, 255), (38, 88, 200), (20, 30, 62)),
    Palette("charcoal", (38, 38, 44), (88, 88, 100), (255, 188, 60), WHITE),
    Palette("citrus", (255, 214, 92), (255, 246, 196), (232, 104, 40), (60, 40, 10)),
)

_BOLD_FONTS = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf", "Arial_Bold.ttf")
_REGULAR_FONTS = ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf")


@lru_cache(maxsize=64)
def _font(size: int, *, bold: bool) -> ImageFont.FreeTypeFont:
    for name in _BOLD_FONTS if bold else _REGULAR_FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    # Pillow's bundled scalable font (needs FreeType, which Pillow's wheels include).
    font = ImageFont.load_default(size)
    if not isinstance(font, ImageFont.FreeTypeFont):
        raise MediaError("Pillow was built without FreeType: no scalable font to draw text with.")
    return font


def _hex(colour: RGB) -> str:
    return "0x{:02x}{:02x}{:02x}".format(*colour)


def _mix(a: RGB, b: RGB, share: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * share),
        round(a[1] + (b[1] - a[1]) * share),
        round(a[2] + (b[2] - a[2]) * share),
    )


def _gradient(size: tuple[int, int], palette: Palette, *, angle: float) -> Image.Image:
    """A two-colour linear gradient, ``angle`` degrees off vertical."""
    mask = Image.linear_gradient("L").rotate(angle, resample=Image.Resampling.BILINEAR, expand=False)
    # The rotation leaves black corners; cropping the middle keeps a clean ramp.
    mask = mask.crop((40, 40, 216, 216)).resize(size, Image.Resampling.BILINEAR)
    return Image.composite(Image.new("RGB", size, palette.bottom), Image.new("RGB", size, palette.top), mask)


def _background(size: tuple[int, int], palette: Palette, rng: random.Random) -> Image.Image:
    """The gradient with blurred translucent blobs on it (RGBA).

    Drawn at quarter size and scaled up: everything in it is soft, and it costs a tenth.
    """
    small = (size[0] // 4, size[1] // 4)
    width, height = small
    image = _gradient(small, palette, angle=rng.uniform(-25, 25)).convert("RGBA")
    blobs = Image.new("RGBA", small, (0, 0, 0, 0))
    draw = ImageDraw.Draw(blobs)
    for _ in range(rng.randint(3, 5)):
        radius = rng.randint(width // 6, width // 2)
        x, y = rng.randint(0, width), rng.randint(0, height)
        colour = rng.choice((palette.accent, WHITE, _mix(palette.top, WHITE, 0.5)))
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=(*colour, rng.randint(40, 110)))
    image.alpha_composite(blobs.filter(ImageFilter.GaussianBlur(6)))
    return image.resize(size, Image.Resampling.BICUBIC)


def _illustration(draw: ImageDraw.ImageDraw, shape: str, box: tuple[int, int, int, int], palette: Palette) -> None:
    """A flat stand-in for the product: a few primitives in the palette's colours."""
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    cx = (left + right) // 2
    body = palette.accent
    shade = _mix(palette.accent, (0, 0, 0), 0.25)
    shine = (255, 255, 255, 150)
    # A soft shadow on the "floor" under every object.
    draw.ellipse((cx - w * 0.38, bottom - h * 0.06, cx + w * 0.38, bottom + h * 0.04), fill=(0, 0, 0, 45))
    if shape == "bottle":
        bw = w * 0.34
        draw.rounded_rectangle((cx - bw / 2, top + h * 0.28, cx + bw / 2, bottom), radius=int(bw * 0.22), fill=body)
        draw.rectangle((cx - bw * 0.18, top + h * 0.14, cx + bw * 0.18, top + h * 0.3), fill=shade)
        draw.rounded_rectangle((cx - bw * 0.26, top, cx + bw * 0.26, top + h * 0.16), radius=10, fill=palette.ink)
        draw.rounded_rectangle((cx - bw * 0.3, top + h * 0.5, cx + bw * 0.3, top + h * 0.75), radius=8, fill=WHITE)
        draw.rectangle((cx - bw * 0.38, top + h * 0.34, cx - bw * 0.3, bottom - h * 0.08), fill=shine)
    elif shape == "box":
        draw.rounded_rectangle((left + w * 0.12, top + h * 0.2, right - w * 0.12, bottom), radius=18, fill=body)
        draw.rectangle((left + w * 0.12, top + h * 0.2, right - w * 0.12, top + h * 0.36), fill=shade)
        draw.rectangle((cx - w * 0.05, top + h * 0.2, cx + w * 0.05, bottom), fill=WHITE)
    elif shape == "disc":
        r = min(w, h) * 0.42
        cy = top + h * 0.5
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=body)
        draw.ellipse((cx - r * 0.55, cy - r * 0.55, cx + r * 0.55, cy + r * 0.55), fill=shade)
        draw.ellipse((cx - r * 0.15, cy - r * 0.15, cx + r * 0.15, cy + r * 0.15), fill=WHITE)
        draw.arc((cx - r * 0.85, cy - r * 0.85, cx + r * 0.85, cy + r * 0.85), 200, 260, fill=shine, width=8)
    elif shape == "tote":
        draw.arc((cx - w * 0.2, top, cx + w * 0.2, top + h * 0.5), 180, 360, fill=palette.ink, width=12)
        draw.polygon(
            [(left + w * 0.12, top + h * 0.25), (right - w * 0.12, top + h * 0.25), (right, bottom), (left, bottom)],
            fill=body,
        )
        draw.rectangle((left + w * 0.3, top + h * 0.45, right - w * 0.3, top + h * 0.6), fill=WHITE)
    elif shape == "sneaker":
        sole_top = bottom - h * 0.2
        draw.polygon(
            [
                (left + w * 0.04, sole_top),
                (left + w * 0.06, top + h * 0.34),
                (left + w * 0.3, top + h * 0.38),
                (left + w * 0.46, top + h * 0.5),
                (right - w * 0.16, bottom - h * 0.42),
                (right - w * 0.04, sole_top),
            ],
            fill=body,
        )
        draw.ellipse((right - w * 0.3, bottom - h * 0.44, right, sole_top + h * 0.06), fill=body)
        draw.rounded_rectangle((left, sole_top, right, bottom), radius=int(h * 0.08), fill=WHITE)
        draw.line((left, sole_top + h * 0.09, right, sole_top + h * 0.09), fill=shade, width=4)
        draw.rectangle((left + w * 0.04, top + h * 0.34, left + w * 0.12, sole_top), fill=shade)
        for i in range(4):
            x = left + w * (0.34 + 0.07 * i)
            y = top + h * (0.44 + 0.05 * i)
            draw.line((x, y, x + w * 0.07, y - h * 0.05), fill=WHITE, width=7)

    elif shape == "shirt":
        shoulders, hem = top + h * 0.12, bottom - h * 0.02
        draw.polygon(
            [
                (cx - w * 0.14, shoulders),
                (cx - w * 0.44, top + h * 0.24),
                (cx - w * 0.34, top + h * 0.42),
                (cx - w * 0.24, top + h * 0.36),
                (cx - w * 0.26, hem),
                (cx + w * 0.26, hem),
                (cx + w * 0.24, top + h * 0.36),
                (cx + w * 0.34, top + h * 0.42),
                (cx + w * 0.44, top + h * 0.24),
                (cx + w * 0.14, shoulders),
            ],
            fill=body,
        )
        draw.chord((cx - w * 0.14, shoulders - h * 0.08, cx + w * 0.14, shoulders + h * 0.08), 0, 180, fill=shade)
        draw.line((cx, shoulders + h * 0.1, cx, hem), fill=shade, width=4)
    elif shape == "plant":
        pot_top = bottom - h * 0.3
        leaf = _mix(palette.accent, (40, 140, 80), 0.6)
        for i, (dx, dy, r) in enumerate(
            ((-0.2, -0.2, 0.17), (0.2, -0.24, 0.16), (0.0, -0.4, 0.19), (-0.1, -0.05, 0.14))
        ):
            x, y, radius = cx + w * dx, pot_top + h * dy, w * r
            colour = leaf if i % 2 else _mix(leaf, WHITE, 0.2)
            draw.ellipse((x - radius, y - radius * 1.4, x + radius, y + radius * 1.4), fill=colour)
        draw.polygon(
            [(cx - w * 0.24, pot_top), (cx + w * 0.24, pot_top), (cx + w * 0.18, bottom), (cx - w * 0.18, bottom)],
            fill=palette.ink if palette.ink != WHITE else shade,
        )
        draw.rectangle((cx - w * 0.26, pot_top, cx + w * 0.26, pot_top + h * 0.05), fill=WHITE)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= max_width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fit_title(
    draw: ImageDraw.ImageDraw, text: str, width: int, max_lines: int = 3
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest bold size (down to 40 % of the start) at which ``text`` wraps into ``max_lines``."""
    start = width // 11
    size = start
    while True:
        font = _font(size, bold=True)
        lines = _wrap(draw, text, font, width * 0.84)
        if len(lines) <= max_lines or size <= start * 0.4:
            return font, lines[:max_lines]
        size = int(size * 0.9)


def _layer(
    size: tuple[int, int],
    *,
    title: str,
    subtitle: str,
    badge: str,
    palette: Palette,
    shape: str,
    rng: random.Random,
) -> Image.Image:
    """The transparent foreground: illustration, a text panel at the bottom, a price badge."""
    width, height = size
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    if shape in SHAPES:
        side = int(width * 0.62)
        left = (width - side) // 2 + rng.randint(-width // 20, width // 20)
        top = int(height * 0.16)
        _illustration(draw, shape, (left, top, left + side, top + int(side * 1.1)), palette)

    font, lines = _fit_title(draw, title, width)
    sub_font = _font(max(12, width // 26), bold=False)
    line_height = int(font.size * 1.2)
    pad = width // 18
    text_height = line_height * len(lines) + (int(sub_font.size * 1.8) if subtitle else 0)
    panel_top = height - text_height - pad * 3
    panel = (0, 0, 0, 120) if not palette.light else (255, 255, 255, 150)
    draw.rounded_rectangle((pad // 2, panel_top, width - pad // 2, height - pad), radius=pad, fill=panel)
    ink = WHITE if not palette.light else palette.ink
    y = panel_top + pad
    if subtitle:
        draw.text((pad * 1.3, y), subtitle.upper(), font=sub_font, fill=(*_mix(ink, palette.accent, 0.35), 255))
        y += int(sub_font.size * 1.8)
    for line in lines:
        draw.text((pad * 1.3, y), line, font=font, fill=ink)
        y += line_height

    if badge:
        badge_font = _font(max(12, width // 20), bold=True)
        text_width = draw.textlength(badge, font=badge_font)
        bx, by = width - pad - text_width - pad, pad * 1.5
        draw.rounded_rectangle(
            (bx, by, bx + text_width + pad, by + badge_font.size * 1.6),
            radius=int(badge_font.size),
            fill=palette.accent,
        )
        badge_ink = (24, 24, 28) if _luminance(palette.accent) > 150 else WHITE
        draw.text((bx + pad / 2, by + badge_font.size * 0.28), badge, font=badge_font, fill=badge_ink)
    return layer


def image_render(
    *,
    title: str,
    palette: Palette,
    seed: int,
    subtitle: str = "",
    badge: str = "",
    shape: str = "",
    width: int = 720,
    height: int = 1280,
    quality: int = 84,
) -> bytes:
    """A portrait JPEG (baseline, RGB) of a product or campaign visual.

    A diagonal gradient in ``palette``, soft blobs placed by ``seed``, an optional flat
    illustration (one of ``SHAPES``), ``title`` wrapped in large bold type on a panel at the
    bottom with ``subtitle`` above it, and ``badge`` (e.g. a price) in a pill at the top right.
    The same arguments give the same bytes (with the same Pillow and fonts).
    """
    rng = random.Random(seed)
    size = (width, height)
    image = _background(size, palette, rng)
    image.alpha_composite(
        _layer(size, title=title, subtitle=subtitle, badge=badge, palette=palette, shape=shape, rng=rng)
    )
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def _png(image: Image.Image, path: Path) -> str:
    image.save(path, format="PNG", compress_level=1)
    return str(path)


def video_render(
    *,
    title: str,
    palette: Palette,
    seed: int,
    subtitle: str = "",
    badge: str = "",
    shape: str = "",
    width: int = 480,
    height: int = 854,
    duration_ms: int = 3000,
    fps: int = 24,
) -> bytes:
    """A short silent portrait MP4: H.264 (High, yuv420p), ``+faststart`` so browsers stream it.

    An animated three-colour gradient (ffmpeg's ``gradients`` source, seeded), a blurred blob
    drifting across it, the ``image_render`` foreground sliding and fading in over the first
    0.6 s, and a progress bar along the bottom edge. Runs one single-threaded ffmpeg process
    (about 1.2 s of CPU for 3 s at 480x854), so callers may run several in parallel.
    Width and height must be even. Raises ``MediaError`` when ffmpeg fails.
    """
    if width % 2 or height % 2:
        raise MediaError("Video width and height must be even for yuv420p.")
    rng = random.Random(seed)
    seconds = duration_ms / 1000
    size = (width, height)
    foreground = _layer(size, title=title, subtitle=subtitle, badge=badge, palette=palette, shape=shape, rng=rng)
    blob_side = width // 2
    blob = Image.new("RGBA", (blob_side, blob_side), (0, 0, 0, 0))
    # Inset so that the blur fades out before the edge of the square.
    inset = blob_side // 5
    ImageDraw.Draw(blob).ellipse((inset, inset, blob_side - inset, blob_side - inset), fill=(*WHITE, 80))
    blob = blob.filter(ImageFilter.GaussianBlur(blob_side // 14))
    bar = Image.new("RGBA", (width, max(4, height // 140)), (*palette.accent, 230))
    middle = _mix(palette.top, palette.accent, 0.35)
    gradients = (
        f"gradients=s={width}x{height}:r={fps}:d={seconds}:n=3:seed={rng.randrange(2**31)}:speed=0.012"
        f":c0={_hex(palette.top)}:c1={_hex(middle)}:c2={_hex(palette.bottom)}"
    )
    # Each still is decoded once and repeated by the loop filter (``-loop 1`` would decode it per frame).
    still = f"loop=loop=-1:size=1,fps={fps}"
    graph = ";".join(
        (
            f"[2:v]{still}[blob]",
            f"[0:v][blob]overlay=x='(W-w)/2+W*0.3*sin(2*PI*t/{seconds})':y='H*0.3+H*0.08*cos(2*PI*t/{seconds})'[b1]",
            f"[1:v]{still},fade=t=in:st=0:d=0.6:alpha=1[fg]",
            "[b1][fg]overlay=x=0:y='H*0.05*max(0,1-t/0.6)'[b2]",
            f"[3:v]{still}[bar]",
            f"[b2][bar]overlay=x='-W+W*t/{seconds}':y=H-h,format=yuv420p[v]",
        )
    )
    with tempfile.TemporaryDirectory(prefix="feedsite-video-") as tmp:
        folder = Path(tmp)
        out = folder / "out.mp4"
        args = ["-f", "lavfi", "-i", gradients]
        for name, image in (("fg.png", foreground), ("blob.png", blob), ("bar.png", bar)):
            args += ["-i", _png(image, folder / name)]
        args += ["-filter_complex", graph, "-map", "[v]", "-t", str(seconds), "-r", str(fps)]
        args += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"]
        args += ["-threads", "1", "-movflags", "+faststart", "-an", str(out)]
        run_ffmpeg(args)
        return out.read_bytes()
