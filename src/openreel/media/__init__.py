"""User media in, finished files out: the PyAV/Pillow layer of the server renderer.

* Safe opening from bytes: :func:`probe_image`, :func:`decode_image`, :func:`decode_frames`
  (images); :func:`probe_media`, :func:`probe_video`, :func:`probe_audio` (audio/video); the
  real format comes from magic bytes (:func:`sniff`), every cap is checked before decoding,
  FFmpeg never opens anything but the bytes given. :mod:`~openreel.media.sandbox` runs the
  same decoders in a limited child process.
* :class:`ClipReader`: forward-only video clip frames (trim, loop, speed) as BGRA arrays.
* :func:`mix`: all audio tracks mixed once into 48 kHz stereo float32.
* :class:`VideoEncoder` (H.264 MP4, ProRes 4444, VP9 alpha), :func:`write_still`,
  :func:`write_gif`, :func:`write_webp_animation`, :func:`write_vtt`; all outputs atomic.
* :func:`fetch`: the one SSRF-safe fetcher for data-bound URLs.

Every failure caused by the media or the URL is a :class:`~openreel.errors.MediaError` with an
``OR-E4xx`` code.
"""

from openreel.media.audio import AudioTrack, MixSettings, PcmTrack, mix, mix_pcm, total_samples
from openreel.media.clip import ClipReader
from openreel.media.encode import VideoEncoder
from openreel.media.fetch import FetchResult, FetchSettings, fetch
from openreel.media.image import ImageInfo, decode_frames, decode_image, probe_image
from openreel.media.limits import ImageLimits, MediaLimits
from openreel.media.pcm import decode_pcm
from openreel.media.probe import MediaInfo, StreamInfo, probe_audio, probe_media, probe_video
from openreel.media.sandbox import (
    SandboxLimits,
    decode_image_sandboxed,
    run_sandboxed,
    validate_media_sandboxed,
)
from openreel.media.sniff import sniff
from openreel.media.stills import write_gif, write_still, write_webp_animation
from openreel.media.vtt import write_vtt

__all__ = [
    "AudioTrack",
    "ClipReader",
    "FetchResult",
    "FetchSettings",
    "ImageInfo",
    "ImageLimits",
    "MediaInfo",
    "MediaLimits",
    "MixSettings",
    "PcmTrack",
    "SandboxLimits",
    "StreamInfo",
    "VideoEncoder",
    "decode_frames",
    "decode_image",
    "decode_image_sandboxed",
    "decode_pcm",
    "fetch",
    "mix",
    "mix_pcm",
    "probe_audio",
    "probe_image",
    "probe_media",
    "probe_video",
    "run_sandboxed",
    "sniff",
    "total_samples",
    "validate_media_sandboxed",
    "write_gif",
    "write_still",
    "write_vtt",
    "write_webp_animation",
]
