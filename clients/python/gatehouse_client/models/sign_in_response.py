from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast

if TYPE_CHECKING:
  from ..models.user import User





T = TypeVar("T", bound="SignInResponse")



@_attrs_define
class SignInResponse:
    """ 
        Attributes:
            redirect (bool): `true` when a `callbackURL` was given; the client then navigates to `url`.
            token (str):
            user (User): A user as every endpoint shows it; never a password or a hash. Example: {'createdAt':
                '2026-11-22T20:03:28.257Z', 'displayUsername': 'Al_99', 'email': 'al@example.com', 'emailVerified': False, 'id':
                '2OGVgxEHF4mhoNXIyeh9lsVuY3UrYquY', 'image': None, 'name': 'Al', 'updatedAt': '2026-11-22T20:03:28.257Z',
                'username': 'al_99'}.
            url (str | Unset):
     """

    redirect: bool
    token: str
    user: User
    url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        from ..models.user import User # noqa: PLC0415
        redirect = self.redirect

        token = self.token

        user = self.user.to_dict()

        url = self.url


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "redirect": redirect,
            "token": token,
            "user": user,
        })
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.user import User # noqa: PLC0415
        d = dict(src_dict)
        redirect = d.pop("redirect")

        token = d.pop("token")

        user = User.from_dict(d.pop("user"))




        url = d.pop("url", UNSET)

        sign_in_response = cls(
            redirect=redirect,
            token=token,
            user=user,
            url=url,
        )


        sign_in_response.additional_properties = d
        return sign_in_response

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
