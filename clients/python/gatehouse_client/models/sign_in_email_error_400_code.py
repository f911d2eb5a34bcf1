from enum import StrEnum

class SignInEmailError400Code(StrEnum):
    BAD_REQUEST = "BAD_REQUEST"
    INVALID_EMAIL = "INVALID_EMAIL"
    PASSWORD_TOO_LONG = "PASSWORD_TOO_LONG"
    VALIDATION_ERROR = "VALIDATION_ERROR"

    def __str__(self) -> str:
        return str(self.value)
