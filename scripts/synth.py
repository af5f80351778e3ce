#!/usr/bin/env python3
"""Write a synthetic claim corpus: a shortcut for `python -m claimsite.synth` (see that module)."""

import sys

from claimsite.synth import main

if __name__ == "__main__":
    sys.exit(main())
