"""One repository per aggregate. Repositories never commit: `UnitOfWork` does."""

from db.repositories.attempts import AttemptRepository
from db.repositories.broadcasts import BroadcastRepository
from db.repositories.conversations import ConversationRepository
from db.repositories.coordinators import CoordinatorRepository
from db.repositories.events import EventRepository, RegistrationRepository
from db.repositories.family import FamilyRepository
from db.repositories.max_messages import MaxMessageRepository
from db.repositories.organisations import OrganisationRepository
from db.repositories.outbox import OutboxRepository
from db.repositories.stats import StatsRepository
from db.repositories.steps import StepRepository
from db.repositories.subscriptions import SubscriptionRepository
from db.repositories.teachers import TeacherRepository
from db.repositories.users import UserRepository

__all__ = [
    "AttemptRepository",
    "BroadcastRepository",
    "ConversationRepository",
    "CoordinatorRepository",
    "EventRepository",
    "FamilyRepository",
    "MaxMessageRepository",
    "OrganisationRepository",
    "OutboxRepository",
    "RegistrationRepository",
    "StatsRepository",
    "StepRepository",
    "SubscriptionRepository",
    "TeacherRepository",
    "UserRepository",
]
