"""The sans-I/O wire layer: value kinds, endpoint rows, and a codec and signer per API generation.

May import the core modules (``_codes``, ``_constants``, ``_errors``, ``_models``) only.
"""
