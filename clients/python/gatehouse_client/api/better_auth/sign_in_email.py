from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.sign_in_email_body import SignInEmailBody
from ...models.sign_in_email_error_400 import SignInEmailError400
from ...models.sign_in_email_error_401 import SignInEmailError401
from ...models.sign_in_email_error_403 import SignInEmailError403
from ...models.sign_in_email_error_413 import SignInEmailError413
from ...models.sign_in_email_error_415 import SignInEmailError415
from ...models.sign_in_email_error_429 import SignInEmailError429
from ...models.sign_in_email_error_503 import SignInEmailError503
from ...models.sign_in_response import SignInResponse
from typing import cast



def _get_kwargs(
    *,
    body: SignInEmailBody,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/auth/sign-in/email",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> SignInEmailError400 | SignInEmailError401 | SignInEmailError403 | SignInEmailError413 | SignInEmailError415 | SignInEmailError429 | SignInEmailError503 | SignInResponse | None:
    if response.status_code == 200:
        response_200 = SignInResponse.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = SignInEmailError400.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = SignInEmailError401.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = SignInEmailError403.from_dict(response.json())



        return response_403

    if response.status_code == 413:
        response_413 = SignInEmailError413.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = SignInEmailError415.from_dict(response.json())



        return response_415

    if response.status_code == 429:
        response_429 = SignInEmailError429.from_dict(response.json())



        return response_429

    if response.status_code == 503:
        response_503 = SignInEmailError503.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[SignInEmailError400 | SignInEmailError401 | SignInEmailError403 | SignInEmailError413 | SignInEmailError415 | SignInEmailError429 | SignInEmailError503 | SignInResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SignInEmailBody,

) -> Response[SignInEmailError400 | SignInEmailError401 | SignInEmailError403 | SignInEmailError413 | SignInEmailError415 | SignInEmailError429 | SignInEmailError503 | SignInResponse]:
    """ Better Auth's email sign-in: as [`sign_in`], by email only.

    Args:
        body (SignInEmailBody): Sign-in body for `/sign-in/email`. Example: {'email':
            'al@example.com', 'password': 'correct-horse-battery'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[SignInEmailError400 | SignInEmailError401 | SignInEmailError403 | SignInEmailError413 | SignInEmailError415 | SignInEmailError429 | SignInEmailError503 | SignInResponse]
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
    client: AuthenticatedClient | Client,
    body: SignInEmailBody,

) -> SignInEmailError400 | SignInEmailError401 | SignInEmailError403 | SignInEmailError413 | SignInEmailError415 | SignInEmailError429 | SignInEmailError503 | SignInResponse | None:
    """ Better Auth's email sign-in: as [`sign_in`], by email only.

    Args:
        body (SignInEmailBody): Sign-in body for `/sign-in/email`. Example: {'email':
            'al@example.com', 'password': 'correct-horse-battery'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        SignInEmailError400 | SignInEmailError401 | SignInEmailError403 | SignInEmailError413 | SignInEmailError415 | SignInEmailError429 | SignInEmailError503 | SignInResponse
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SignInEmailBody,

) -> Response[SignInEmailError400 | SignInEmailError401 | SignInEmailError403 | SignInEmailError413 | SignInEmailError415 | SignInEmailError429 | SignInEmailError503 | SignInResponse]:
    """ Better Auth's email sign-in: as [`sign_in`], by email only.

    Args:
        body (SignInEmailBody): Sign-in body for `/sign-in/email`. Example: {'email':
            'al@example.com', 'password': 'correct-horse-battery'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[SignInEmailError400 | SignInEmailError401 | SignInEmailError403 | SignInEmailError413 | SignInEmailError415 | SignInEmailError429 | SignInEmailError503 | SignInResponse]
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
    client: AuthenticatedClient | Client,
    body: SignInEmailBody,

) -> SignInEmailError400 | SignInEmailError401 | SignInEmailError403 | SignInEmailError413 | SignInEmailError415 | SignInEmailError429 | SignInEmailError503 | SignInResponse | None:
    """ Better Auth's email sign-in: as [`sign_in`], by email only.

    Args:
        body (SignInEmailBody): Sign-in body for `/sign-in/email`. Example: {'email':
            'al@example.com', 'password': 'correct-horse-battery'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        SignInEmailError400 | SignInEmailError401 | SignInEmailError403 | SignInEmailError413 | SignInEmailError415 | SignInEmailError429 | SignInEmailError503 | SignInResponse
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
