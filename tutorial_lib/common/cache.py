"""The course's cache folder: converted weights (notebooks 04–07), trained networks (02, 06) and judges (02, 08).

Everything the course computes once and reuses lives under one folder, so a teacher can find it,
copy it to a classroom's machines, or delete it:

* ``$TUTORIAL_CACHE_DIR`` when that variable is set (the tests point it at a temporary folder);
* otherwise the user cache folder of the operating system (``platformdirs``), for example
  ``~/.cache/tutorial_lib`` on Linux.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "TUTORIAL_CACHE_DIR"


def cache_dir() -> Path:
    """Where converted weights and trained networks are cached: ``$TUTORIAL_CACHE_DIR`` or the user cache dir."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("tutorial_lib"))
