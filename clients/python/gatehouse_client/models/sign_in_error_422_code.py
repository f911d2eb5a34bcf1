from enum import StrEnum

class SignInError422Code(StrEnum):
    INVALID_USERNAME = "INVALID_USERNAME"
    USERNAME_TOO_LONG = "USERNAME_TOO_LONG"
    USERNAME_TOO_SHORT = "USERNAME_TOO_SHORT"

    def __str__(self) -> str:
        return str(self.value)
