from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..types import UNSET, Unset
from typing import cast
import datetime






T = TypeVar("T", bound="User")



@_attrs_define
class User:
    """ A user as every endpoint shows it; never a password or a hash.

        Example:
            {'createdAt': '2026-11-22T20:03:28.257Z', 'displayUsername': 'Al_99', 'email': 'al@example.com',
                'emailVerified': False, 'id': '2OGVgxEHF4mhoNXIyeh9lsVuY3UrYquY', 'image': None, 'name': 'Al', 'updatedAt':
                '2026-11-22T20:03:28.257Z', 'username': 'al_99'}

        Attributes:
            created_at (datetime.datetime):
            email (str): Trimmed and lower-cased.
            email_verified (bool):
            id (str):
            name (str): May be empty.
            updated_at (datetime.datetime):
            display_username (None | str | Unset): The username as typed; `null` when `username` is.
            image (None | str | Unset):
            username (None | str | Unset): Lower-cased; `null` for a user without one.
     """

    created_at: datetime.datetime
    email: str
    email_verified: bool
    id: str
    name: str
    updated_at: datetime.datetime
    display_username: None | str | Unset = UNSET
    image: None | str | Unset = UNSET
    username: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        email = self.email

        email_verified = self.email_verified

        id = self.id

        name = self.name

        updated_at = self.updated_at.isoformat()

        display_username: None | str | Unset
        if isinstance(self.display_username, Unset):
            display_username = UNSET
        else:
            display_username = self.display_username

        image: None | str | Unset
        if isinstance(self.image, Unset):
            image = UNSET
        else:
            image = self.image

        username: None | str | Unset
        if isinstance(self.username, Unset):
            username = UNSET
        else:
            username = self.username


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "createdAt": created_at,
            "email": email,
            "emailVerified": email_verified,
            "id": id,
            "name": name,
            "updatedAt": updated_at,
        })
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
        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        email = d.pop("email")

        email_verified = d.pop("emailVerified")

        id = d.pop("id")

        name = d.pop("name")

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))




        def _parse_display_username(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        display_username = _parse_display_username(d.pop("displayUsername", UNSET))


        def _parse_image(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        image = _parse_image(d.pop("image", UNSET))


        def _parse_username(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        username = _parse_username(d.pop("username", UNSET))


        user = cls(
            created_at=created_at,
            email=email,
            email_verified=email_verified,
            id=id,
            name=name,
            updated_at=updated_at,
            display_username=display_username,
            image=image,
            username=username,
        )


        user.additional_properties = d
        return user

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
