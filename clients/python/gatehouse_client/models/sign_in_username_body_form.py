from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset






T = TypeVar("T", bound="SignInUsernameBodyForm")



@_attrs_define
class SignInUsernameBodyForm:
    """ `SignInUsernameBody` as a form: every field is a string.

        Attributes:
            password (str): At most 128 characters; more than 72 UTF-8 bytes never matches.
            username (str):
            callback_url (str | Unset):
     """

    password: str
    username: str
    callback_url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        password = self.password

        username = self.username

        callback_url = self.callback_url


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "password": password,
            "username": username,
        })
        if callback_url is not UNSET:
            field_dict["callbackURL"] = callback_url

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        password = d.pop("password")

        username = d.pop("username")

        callback_url = d.pop("callbackURL", UNSET)

        sign_in_username_body_form = cls(
            password=password,
            username=username,
            callback_url=callback_url,
        )


        sign_in_username_body_form.additional_properties = d
        return sign_in_username_body_form

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
