"""One repository per aggregate. Repositories never commit: `UnitOfWork` does."""

from db.repositories.attempts import AttemptRepository
from db.repositories.organisations import OrganisationRepository
from db.repositories.steps import StepRepository
from db.repositories.users import UserRepository

__all__ = ["AttemptRepository", "OrganisationRepository", "StepRepository", "UserRepository"]
