"""The suite's root: pytest puts this folder on ``sys.path``.

So every test folder can import the shared helpers kept here (``locals_support``).
"""
