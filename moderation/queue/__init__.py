"""The review queue: cases opened by held submissions, reports and appeals; claiming; decisions.

Public: ``services`` (``case_open``, ``case_priority``; claiming: ``case_claim``, ``case_release``,
``case_next``), ``decisions`` (every moderator decision as a service, ``case_decide`` by name,
``appeal_decide``, and ``DECISIONS`` with their labels and keyboard shortcuts), ``selectors``
(the queue's order, ``case_review``: one case and its evidence).
"""
