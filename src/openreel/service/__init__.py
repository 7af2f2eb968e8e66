"""The OpenReel HTTP service (``openreel serve``): the only layer that knows HTTP.

>>> from openreel.service import Settings
>>> Settings().port
8000
"""

from openreel.service.app import app_state, create_app
from openreel.service.auth import create_api_key
from openreel.service.settings import Settings, load_settings

__all__ = ["Settings", "app_state", "create_api_key", "create_app", "load_settings"]
