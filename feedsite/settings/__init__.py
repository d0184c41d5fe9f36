"""Settings, split by concern. Values from the environment come only from ``feedsite.env``."""

from feedsite.settings.api import *  # noqa: F403
from feedsite.settings.django import *  # noqa: F403
from feedsite.settings.feed import *  # noqa: F403
from feedsite.settings.moderation import *  # noqa: F403
from feedsite.settings.security import *  # noqa: F403
from feedsite.settings.services import *  # noqa: F403
from feedsite.settings.shop import *  # noqa: F403
from feedsite.settings.studio import *  # noqa: F403
