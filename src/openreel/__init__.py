"""OpenReel: data-driven personalized video from one master template."""

__version__ = "0.1.0"
