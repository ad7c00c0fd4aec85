class ServiceError(Exception):
    """A request that cannot be carried out as asked; handlers turn it into a polite reply."""


class NotRegistered(ServiceError):
    """The user has not given consent, so nothing may be stored about them."""


class ConsentOutdated(ServiceError):
    """The user agreed to an older consent text: nothing more is stored until they agree again."""


class ProfileIncomplete(ServiceError):
    """The user has not yet said who they are (role, and the school and grade it needs)."""


class NotFound(ServiceError):
    """The thing asked for does not exist or is not the user's (stale or forged button)."""


class NotAllowed(ServiceError):
    """The choice is not open to this user (a forged or outdated button)."""


class NotPermitted(ServiceError):
    """A coordinator's or administrator's action by someone who is not (or no longer) one, or
    for an organisation they do not run. Checked against the database on every call."""
