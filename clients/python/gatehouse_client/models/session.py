from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from typing import cast
import datetime






T = TypeVar("T", bound="Session")



@_attrs_define
class Session:
    """ A session as get-session shows it.

        Attributes:
            created_at (datetime.datetime):
            expires_at (datetime.datetime):
            id (str): Database strategy: the row id; jwt strategy: the `sid` claim.
            ip_address (str): Client address at sign-in; empty when unknown.
            token (str): The token this request presented (equal to the sign-in `token`); a JWT in the jwt strategy.
            updated_at (datetime.datetime):
            user_agent (str): `User-Agent` at sign-in; empty when missing.
            user_id (str):
     """

    created_at: datetime.datetime
    expires_at: datetime.datetime
    id: str
    ip_address: str
    token: str
    updated_at: datetime.datetime
    user_agent: str
    user_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        created_at = self.created_at.isoformat()

        expires_at = self.expires_at.isoformat()

        id = self.id

        ip_address = self.ip_address

        token = self.token

        updated_at = self.updated_at.isoformat()

        user_agent = self.user_agent

        user_id = self.user_id


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "createdAt": created_at,
            "expiresAt": expires_at,
            "id": id,
            "ipAddress": ip_address,
            "token": token,
            "updatedAt": updated_at,
            "userAgent": user_agent,
            "userId": user_id,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))




        expires_at = datetime.datetime.fromisoformat(d.pop("expiresAt"))




        id = d.pop("id")

        ip_address = d.pop("ipAddress")

        token = d.pop("token")

        updated_at = datetime.datetime.fromisoformat(d.pop("updatedAt"))




        user_agent = d.pop("userAgent")

        user_id = d.pop("userId")

        session = cls(
            created_at=created_at,
            expires_at=expires_at,
            id=id,
            ip_address=ip_address,
            token=token,
            updated_at=updated_at,
            user_agent=user_agent,
            user_id=user_id,
        )


        session.additional_properties = d
        return session

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
