"""The one error type of the records services: its message is shown to the person."""


class RecordError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class FieldErrors(RecordError):
    """Values refused by the field rules: the reason per field, every one at once, so a
    form shows each under its field (records.rules)."""

    def __init__(self, errors: dict[str, str], labels: dict[str, str]):
        self.errors = errors
        super().__init__(
            "；".join(f"{labels.get(name, name)}：{why}" for name, why in errors.items())
        )
