"""``python -m ppocr_native.models``: the same as ``ppocr models``."""

import sys

from .command import main

sys.exit(main())
