"""Settings for the test suite: the real settings with test switches on."""

import os

os.environ["LEREND_TESTING"] = "1"

from lerend.settings import *  # noqa: F403
