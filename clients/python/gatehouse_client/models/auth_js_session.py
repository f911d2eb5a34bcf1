from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime

if TYPE_CHECKING:
  from ..models.auth_js_user import AuthJsUser





T = TypeVar("T", bound="AuthJsSession")



@_attrs_define
class AuthJsSession:
    """ Auth.js-shaped session, for apps migrating from it.

        Attributes:
            expires (datetime.datetime): The session's `expiresAt`.
            user (AuthJsUser): The user as Auth.js shows it.
     """

    expires: datetime.datetime
    user: AuthJsUser
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.auth_js_user import AuthJsUser # noqa: PLC0415
        expires = self.expires.isoformat()

        user = self.user.to_dict()


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "expires": expires,
            "user": user,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.auth_js_user import AuthJsUser # noqa: PLC0415
        d = dict(src_dict)
        expires = datetime.datetime.fromisoformat(d.pop("expires"))




        user = AuthJsUser.from_dict(d.pop("user"))




        auth_js_session = cls(
            expires=expires,
            user=user,
        )


        auth_js_session.additional_properties = d
        return auth_js_session

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
