from enum import StrEnum

class SignInEmailError401Code(StrEnum):
    INVALID_EMAIL_OR_PASSWORD = "INVALID_EMAIL_OR_PASSWORD"

    def __str__(self) -> str:
        return str(self.value)
