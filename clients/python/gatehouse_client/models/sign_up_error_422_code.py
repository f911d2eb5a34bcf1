from enum import StrEnum

class SignUpError422Code(StrEnum):
    USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL = "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL"

    def __str__(self) -> str:
        return str(self.value)
