from enum import StrEnum

class SignOutError403Code(StrEnum):
    INVALID_ORIGIN = "INVALID_ORIGIN"
    MISSING_OR_NULL_ORIGIN = "MISSING_OR_NULL_ORIGIN"

    def __str__(self) -> str:
        return str(self.value)
