"""`python -m claimsite` runs the command line."""

from claimsite.cli import main

main()
