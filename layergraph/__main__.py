"""``python -m layergraph ...``: the same as the ``layergraph`` command."""

import sys

from .cli import main

sys.exit(main())
