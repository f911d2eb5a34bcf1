from enum import StrEnum

class SignInUsernameError401Code(StrEnum):
    INVALID_USERNAME_OR_PASSWORD = "INVALID_USERNAME_OR_PASSWORD"

    def __str__(self) -> str:
        return str(self.value)
