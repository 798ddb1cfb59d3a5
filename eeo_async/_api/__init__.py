"""The API areas: one module per area of the docs, each with its rows and typed methods.

May import the core modules and ``_wire``; composed into ``eeo_async.Client``.
"""
