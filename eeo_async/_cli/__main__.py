"""``python -m eeo_async._cli``: the ``eeo-async`` command."""

import sys

from .main import main

sys.exit(main())
