"""Signals inside moderation, so that its packages depend one way (``checks`` → ``queue``).

``decision_taken(sender=AuditEntry, action)``: sent by ``queue.decisions`` once each moderator's
decision commits; the checks retrain the classifier when enough decisions have come (connected in
``ModerationConfig.ready``). Receivers' errors are logged (``send_robust``): a decision stands.
"""

from django.dispatch import Signal

decision_taken = Signal()
