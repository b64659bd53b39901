"""Build the dataset shipped in ``scoring/data/`` from the official open data files.

Run ``python -m scoring.build`` (reads ``<repo>/../shared/data/``; ``--shared DIR`` to
read another copy). See :mod:`scoring.build.dataset` for what is derived and how.
"""
