"""claimsite: a static site of sourced claims."""

from importlib.metadata import version

__version__ = version("claimsite")
