"""Caps applied to user media before anything is decoded.

Two immutable settings objects, passed explicitly (there is no global configuration):
:class:`ImageLimits` for still and animated images, :class:`MediaLimits` for audio/video
containers. The defaults follow RELIABILITY.md rule 5: FFmpeg's own fuzzers cap a frame at
4096x4096, Pillow's bomb guard starts at about 89 megapixels (we stop at 40).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

MiB = 1 << 20

#: Pillow warns (``DecompressionBombWarning``) above this many pixels and fails above twice
#: as many; our own cap must stay below it so that Pillow's guard never fires first.
PILLOW_BOMB_PIXELS = 89_478_485

IMAGE_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF"})
CONTAINERS = frozenset({"MP4", "MATROSKA", "WEBM", "MP3", "OGG", "WAV", "FLAC"})
VIDEO_CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1", "prores"})
AUDIO_CODECS = frozenset(
    {
        "aac",
        "mp3",
        "opus",
        "vorbis",
        "flac",
        "alac",
        "pcm_s16le",
        "pcm_s24le",
        "pcm_s32le",
        "pcm_f32le",
        "pcm_u8",
    }
)


@dataclass(frozen=True, slots=True)
class ImageLimits:
    """Caps for images.

    ``max_pixels`` bounds one frame (width x height of the canvas); ``max_total_pixels`` bounds
    frames x canvas pixels for animations; ``max_frames`` bounds the frame count.
    """

    max_bytes: int = 25 * MiB
    max_pixels: int = 40_000_000
    max_side: int = 16_384
    max_frames: int = 1_000
    max_total_pixels: int = 100_000_000  # decoded RGBA frames: at most 400 MB
    formats: frozenset[str] = IMAGE_FORMATS

    def __post_init__(self) -> None:
        if not 0 < self.max_pixels <= PILLOW_BOMB_PIXELS:
            raise ValueError(f"max_pixels must be in 1..{PILLOW_BOMB_PIXELS}")
        if min(self.max_bytes, self.max_side, self.max_frames, self.max_total_pixels) <= 0:
            raise ValueError("image limits must be positive")
        if not self.formats <= IMAGE_FORMATS:
            raise ValueError(f"image formats must be a subset of {sorted(IMAGE_FORMATS)}")


@dataclass(frozen=True, slots=True)
class MediaLimits:
    """Caps for audio/video containers, checked on the probe before any frame is decoded.

    ``max_duration_s`` applies to the container and to every stream; streams whose duration is
    not known from the header are additionally cut off at that time while decoding.
    """

    max_bytes: int = 512 * MiB
    max_width: int = 4096
    max_height: int = 4096
    max_duration_s: Fraction = Fraction(600)
    max_streams: int = 8  # phones add several metadata tracks to one video and one audio
    max_fps: Fraction = Fraction(240)
    containers: frozenset[str] = CONTAINERS
    video_codecs: frozenset[str] = VIDEO_CODECS
    audio_codecs: frozenset[str] = AUDIO_CODECS
    #: Extra decoder names allowed by codec id; kept apart so tests can add e.g. ``ffv1``.
    extra_codecs: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if min(self.max_bytes, self.max_width, self.max_height, self.max_streams) <= 0:
            raise ValueError("media limits must be positive")
        if self.max_duration_s <= 0 or self.max_fps <= 0:
            raise ValueError("media limits must be positive")
        if not self.containers <= CONTAINERS:
            raise ValueError(f"containers must be a subset of {sorted(CONTAINERS)}")
