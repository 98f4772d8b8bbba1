"""``python -m digitkit`` (and ``torchrun -m digitkit train ...``): the same as the ``digitkit`` command."""

import sys

from digitkit.cli import main

sys.exit(main())
