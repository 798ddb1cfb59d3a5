"""The batch engine: plan, job, progress, report and its view, behind ``eeo_async.Batcher``.

The report is its outcome columns, its row keys and its files (JSON and CSV). May import the
core modules, ``_wire`` and ``_api`` (for the rows of its named verbs).
"""
