from enum import StrEnum

class SignUpEmailError403Code(StrEnum):
    CROSS_SITE_NAVIGATION_LOGIN_BLOCKED = "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED"
    INVALID_CALLBACK_URL = "INVALID_CALLBACK_URL"
    INVALID_ORIGIN = "INVALID_ORIGIN"
    MISSING_OR_NULL_ORIGIN = "MISSING_OR_NULL_ORIGIN"

    def __str__(self) -> str:
        return str(self.value)
