from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.sign_out_body import SignOutBody
from ...models.sign_out_error_400 import SignOutError400
from ...models.sign_out_error_403 import SignOutError403
from ...models.sign_out_error_413 import SignOutError413
from ...models.sign_out_error_415 import SignOutError415
from ...models.sign_out_error_429 import SignOutError429
from ...models.sign_out_error_503 import SignOutError503
from ...models.success_response import SuccessResponse
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    body: SignOutBody | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/auth/sign-out",
    }

    
    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> SignOutError400 | SignOutError403 | SignOutError413 | SignOutError415 | SignOutError429 | SignOutError503 | SuccessResponse | None:
    if response.status_code == 200:
        response_200 = SuccessResponse.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = SignOutError400.from_dict(response.json())



        return response_400

    if response.status_code == 403:
        response_403 = SignOutError403.from_dict(response.json())



        return response_403

    if response.status_code == 413:
        response_413 = SignOutError413.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = SignOutError415.from_dict(response.json())



        return response_415

    if response.status_code == 429:
        response_429 = SignOutError429.from_dict(response.json())



        return response_429

    if response.status_code == 503:
        response_503 = SignOutError503.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[SignOutError400 | SignOutError403 | SignOutError413 | SignOutError415 | SignOutError429 | SignOutError503 | SuccessResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: SignOutBody | Unset = UNSET,

) -> Response[SignOutError400 | SignOutError403 | SignOutError413 | SignOutError415 | SignOutError429 | SignOutError503 | SuccessResponse]:
    """ End the presented session.

     Always 200 `{"success":true}` with any session or none, so callers learn nothing about the
    session; the cookies are always expired. Only the cookie CSRF rule (403) and an unreachable
    database (503, nothing revoked) answer otherwise.

    Args:
        body (SignOutBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[SignOutError400 | SignOutError403 | SignOutError413 | SignOutError415 | SignOutError429 | SignOutError503 | SuccessResponse]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    body: SignOutBody | Unset = UNSET,

) -> SignOutError400 | SignOutError403 | SignOutError413 | SignOutError415 | SignOutError429 | SignOutError503 | SuccessResponse | None:
    """ End the presented session.

     Always 200 `{"success":true}` with any session or none, so callers learn nothing about the
    session; the cookies are always expired. Only the cookie CSRF rule (403) and an unreachable
    database (503, nothing revoked) answer otherwise.

    Args:
        body (SignOutBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        SignOutError400 | SignOutError403 | SignOutError413 | SignOutError415 | SignOutError429 | SignOutError503 | SuccessResponse
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: SignOutBody | Unset = UNSET,

) -> Response[SignOutError400 | SignOutError403 | SignOutError413 | SignOutError415 | SignOutError429 | SignOutError503 | SuccessResponse]:
    """ End the presented session.

     Always 200 `{"success":true}` with any session or none, so callers learn nothing about the
    session; the cookies are always expired. Only the cookie CSRF rule (403) and an unreachable
    database (503, nothing revoked) answer otherwise.

    Args:
        body (SignOutBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[SignOutError400 | SignOutError403 | SignOutError413 | SignOutError415 | SignOutError429 | SignOutError503 | SuccessResponse]
     """


    kwargs = _get_kwargs(
        body=body,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    body: SignOutBody | Unset = UNSET,

) -> SignOutError400 | SignOutError403 | SignOutError413 | SignOutError415 | SignOutError429 | SignOutError503 | SuccessResponse | None:
    """ End the presented session.

     Always 200 `{"success":true}` with any session or none, so callers learn nothing about the
    session; the cookies are always expired. Only the cookie CSRF rule (403) and an unreachable
    database (503, nothing revoked) answer otherwise.

    Args:
        body (SignOutBody | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        SignOutError400 | SignOutError403 | SignOutError413 | SignOutError415 | SignOutError429 | SignOutError503 | SuccessResponse
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
