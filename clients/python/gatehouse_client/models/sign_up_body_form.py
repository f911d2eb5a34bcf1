from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset






T = TypeVar("T", bound="SignUpBodyForm")



@_attrs_define
class SignUpBodyForm:
    """ `SignUpBody` as a form: every field is a string.

        Attributes:
            email (str): Trimmed, checked against Zod's email pattern, lower-cased.
            name (str): May be empty; at most 256 characters, no NUL.
            password (str): 8 to 128 characters counted as JavaScript counts them (UTF-16 code units) and at most
                72 UTF-8 bytes. (In code points, as JSON Schema counts: at least 4, since a character
                outside the Basic Multilingual Plane counts twice, and at most 72.)
            callback_url (str | Unset): A relative path or a URL on a trusted origin; checked, otherwise unused on sign-up.
            display_username (str | Unset): Shown form of `username`; defaults to it as typed. At most 256 characters, no
                NUL.
            image (str | Unset): At most 2048 characters, no NUL.
            username (str | Unset): 3 to 30 characters of `[A-Za-z0-9_.]`; stored lower-cased.
     """

    email: str
    name: str
    password: str
    callback_url: str | Unset = UNSET
    display_username: str | Unset = UNSET
    image: str | Unset = UNSET
    username: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        email = self.email

        name = self.name

        password = self.password

        callback_url = self.callback_url

        display_username = self.display_username

        image = self.image

        username = self.username


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "email": email,
            "name": name,
            "password": password,
        })
        if callback_url is not UNSET:
            field_dict["callbackURL"] = callback_url
        if display_username is not UNSET:
            field_dict["displayUsername"] = display_username
        if image is not UNSET:
            field_dict["image"] = image
        if username is not UNSET:
            field_dict["username"] = username

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        email = d.pop("email")

        name = d.pop("name")

        password = d.pop("password")

        callback_url = d.pop("callbackURL", UNSET)

        display_username = d.pop("displayUsername", UNSET)

        image = d.pop("image", UNSET)

        username = d.pop("username", UNSET)

        sign_up_body_form = cls(
            email=email,
            name=name,
            password=password,
            callback_url=callback_url,
            display_username=display_username,
            image=image,
            username=username,
        )


        sign_up_body_form.additional_properties = d
        return sign_up_body_form

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
