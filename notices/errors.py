"""The one error type of the notices services: its message is shown to the person."""


class NoticeError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
