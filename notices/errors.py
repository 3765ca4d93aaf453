"""The one error type of the notices services: its message is shown to the person."""


class NoticeError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class SignatureNeedsConfirmation(NoticeError):
    """Signing a sheet that is not true yet (students 未校对, the window still open): the
    counselor is shown `warnings` and signs again only if she says so."""

    def __init__(self, warnings: list[str]):
        super().__init__(" ".join(warnings))
        self.warnings = warnings
