"""The review queue: cases opened by held submissions, reports and appeals; claiming; decisions.

Public: ``services`` (``case_open`` and the decisions), ``selectors`` (the queue's order).
"""
