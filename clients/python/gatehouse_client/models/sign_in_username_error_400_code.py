from enum import StrEnum

class SignInUsernameError400Code(StrEnum):
    BAD_REQUEST = "BAD_REQUEST"
    PASSWORD_TOO_LONG = "PASSWORD_TOO_LONG"
    VALIDATION_ERROR = "VALIDATION_ERROR"

    def __str__(self) -> str:
        return str(self.value)
