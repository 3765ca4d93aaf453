"""The one error type of the records services: its message is shown to the person."""


class RecordError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
