"""The one error type of the accounts services: its message is shown to the person."""


class AccountError(Exception):
    code = "error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DuplicateIdNumber(AccountError):
    """证件号码已被注册: the registration page then offers the three ways on."""

    code = "duplicate_id"


class PhoneInUse(AccountError):
    """手机号已使用."""

    code = "phone_in_use"


class Throttled(AccountError):
    code = "throttled"


class AlreadySubmitted(AccountError):
    """The same upload form sent again (a double tap): the first sending stands, nothing
    more is stored or counted."""

    code = "already_submitted"
