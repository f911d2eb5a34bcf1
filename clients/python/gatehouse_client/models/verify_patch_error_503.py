from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, BinaryIO, TextIO, TYPE_CHECKING, Generator

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

from ..models.verify_patch_error_503_code import VerifyPatchError503Code






T = TypeVar("T", bound="VerifyPatchError503")



@_attrs_define
class VerifyPatchError503:
    """ The error object; `message` is human-readable, `code` is stable.

        Attributes:
            code (VerifyPatchError503Code):
            message (str):
     """

    code: VerifyPatchError503Code
    message: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)





    def to_dict(self) -> dict[str, Any]:
        code = self.code.value

        message = self.message


        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({
            "code": code,
            "message": message,
        })

        return field_dict



    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        code = VerifyPatchError503Code(d.pop("code"))




        message = d.pop("message")

        verify_patch_error_503 = cls(
            code=code,
            message=message,
        )


        verify_patch_error_503.additional_properties = d
        return verify_patch_error_503

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
