from enum import StrEnum

class SignInError401Code(StrEnum):
    INVALID_EMAIL_OR_PASSWORD = "INVALID_EMAIL_OR_PASSWORD"
    INVALID_USERNAME_OR_PASSWORD = "INVALID_USERNAME_OR_PASSWORD"

    def __str__(self) -> str:
        return str(self.value)
