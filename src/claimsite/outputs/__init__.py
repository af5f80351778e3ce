"""Outputs made from the catalog besides the pages: the data package, feeds, citations.

Each module here reads `claimsite.catalog.Catalog` (never another output's internals) and returns
file contents as values (`{site-relative path: bytes}`); the plugin publishes them inside the site and
`claimsite export` writes them to a folder. Writing files is `claimsite.write`'s job.
"""
