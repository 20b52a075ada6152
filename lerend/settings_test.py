"""Settings for the test suite: the real settings with test switches on."""

import os

os.environ["LEREND_TESTING"] = "1"

from lerend.settings import *  # noqa: F403

# Tests read the English source strings unless they ask for Dutch (Accept-Language or the
# language cookie); the tests of the Dutch default set LANGUAGE_CODE back to "nl".
LANGUAGE_CODE = "en"
