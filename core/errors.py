class DomainError(Exception):
    """A change that the rules do not allow. `message` is translated and shown to the user."""

    def __init__(self, message: str, *, code: str = "invalid", status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status = status
