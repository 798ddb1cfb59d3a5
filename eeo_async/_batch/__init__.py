"""The batch engine: plan, job, progress, report and its view, behind ``eeo_async.Batcher``.

May import the core modules, ``_wire`` and ``_api`` (for the rows of its named verbs).
"""
