"""What a message in the outbox is. The sender renders each kind when it goes out, from the
data as it is then (the event, the broadcast)."""

from __future__ import annotations

from enum import StrEnum


class OutboxKind(StrEnum):
    #: About an event, to those signed up.
    REMINDER = "event_reminder"
    CHANGED = "event_changed"
    CANCELLED = "event_cancelled"
    PROMOTED = "event_promoted"
    TRIAL_FEEDBACK = "trial_feedback"
    #: The one reminder about a questionnaire left unfinished.
    QUIZ_REMINDER = "quiz_reminder"
    #: A new event, to the subscribers it fits.
    ANNOUNCEMENT = "event_announced"
    #: A coordinator's broadcast: to an audience they chose, or to the subscribers of a topic
    #: (who can unsubscribe from it, as from announcements).
    BROADCAST = "broadcast"
    BROADCAST_TO_SUBSCRIBERS = "broadcast_topic"
    #: A consultation request was taken, held or not held: to the person who asked.
    CONSULTATION = "consultation"
    #: The monitoring's question to a school leaver: where they go after grade 9 or 11.
    DESTINATION_SURVEY = "destination_survey"
    #: An administrator took a coordinator's rights away: to that coordinator.
    COORDINATOR_REVOKED = "coordinator_revoked"

    #: Parents and children: a parent linked or unlinked, a parent's consent given (a notice
    #: to the other side); a copy of a child's event reminder to a parent who asked for it.
    FAMILY_NOTICE = "family_notice"
    CHILD_REMINDER = "child_event_reminder"


#: What unsubscribing stops.
SUBSCRIBED_KINDS = (OutboxKind.ANNOUNCEMENT, OutboxKind.BROADCAST_TO_SUBSCRIBERS)
