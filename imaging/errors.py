"""The one error type of the imaging services: its message (Chinese) is shown as is."""


class PhotoError(Exception):
    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code
