from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.sign_in_response import SignInResponse
from ...models.sign_in_username_body import SignInUsernameBody
from ...models.sign_in_username_error_400 import SignInUsernameError400
from ...models.sign_in_username_error_401 import SignInUsernameError401
from ...models.sign_in_username_error_403 import SignInUsernameError403
from ...models.sign_in_username_error_413 import SignInUsernameError413
from ...models.sign_in_username_error_415 import SignInUsernameError415
from ...models.sign_in_username_error_422 import SignInUsernameError422
from ...models.sign_in_username_error_429 import SignInUsernameError429
from ...models.sign_in_username_error_503 import SignInUsernameError503
from typing import cast



def _get_kwargs(
    *,
    body: SignInUsernameBody,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/auth/sign-in/username",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> SignInResponse | SignInUsernameError400 | SignInUsernameError401 | SignInUsernameError403 | SignInUsernameError413 | SignInUsernameError415 | SignInUsernameError422 | SignInUsernameError429 | SignInUsernameError503 | None:
    if response.status_code == 200:
        response_200 = SignInResponse.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = SignInUsernameError400.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = SignInUsernameError401.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = SignInUsernameError403.from_dict(response.json())



        return response_403

    if response.status_code == 413:
        response_413 = SignInUsernameError413.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = SignInUsernameError415.from_dict(response.json())



        return response_415

    if response.status_code == 422:
        response_422 = SignInUsernameError422.from_dict(response.json())



        return response_422

    if response.status_code == 429:
        response_429 = SignInUsernameError429.from_dict(response.json())



        return response_429

    if response.status_code == 503:
        response_503 = SignInUsernameError503.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[SignInResponse | SignInUsernameError400 | SignInUsernameError401 | SignInUsernameError403 | SignInUsernameError413 | SignInUsernameError415 | SignInUsernameError422 | SignInUsernameError429 | SignInUsernameError503]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SignInUsernameBody,

) -> Response[SignInResponse | SignInUsernameError400 | SignInUsernameError401 | SignInUsernameError403 | SignInUsernameError413 | SignInUsernameError415 | SignInUsernameError422 | SignInUsernameError429 | SignInUsernameError503]:
    """ Better Auth's username sign-in: as [`sign_in`], by username only.

    Args:
        body (SignInUsernameBody): Sign-in body for `/sign-in/username`. Example: {'password':
            'correct-horse-battery', 'username': 'al_99'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[SignInResponse | SignInUsernameError400 | SignInUsernameError401 | SignInUsernameError403 | SignInUsernameError413 | SignInUsernameError415 | SignInUsernameError422 | SignInUsernameError429 | SignInUsernameError503]
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
    body: SignInUsernameBody,

) -> SignInResponse | SignInUsernameError400 | SignInUsernameError401 | SignInUsernameError403 | SignInUsernameError413 | SignInUsernameError415 | SignInUsernameError422 | SignInUsernameError429 | SignInUsernameError503 | None:
    """ Better Auth's username sign-in: as [`sign_in`], by username only.

    Args:
        body (SignInUsernameBody): Sign-in body for `/sign-in/username`. Example: {'password':
            'correct-horse-battery', 'username': 'al_99'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        SignInResponse | SignInUsernameError400 | SignInUsernameError401 | SignInUsernameError403 | SignInUsernameError413 | SignInUsernameError415 | SignInUsernameError422 | SignInUsernameError429 | SignInUsernameError503
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SignInUsernameBody,

) -> Response[SignInResponse | SignInUsernameError400 | SignInUsernameError401 | SignInUsernameError403 | SignInUsernameError413 | SignInUsernameError415 | SignInUsernameError422 | SignInUsernameError429 | SignInUsernameError503]:
    """ Better Auth's username sign-in: as [`sign_in`], by username only.

    Args:
        body (SignInUsernameBody): Sign-in body for `/sign-in/username`. Example: {'password':
            'correct-horse-battery', 'username': 'al_99'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[SignInResponse | SignInUsernameError400 | SignInUsernameError401 | SignInUsernameError403 | SignInUsernameError413 | SignInUsernameError415 | SignInUsernameError422 | SignInUsernameError429 | SignInUsernameError503]
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
    body: SignInUsernameBody,

) -> SignInResponse | SignInUsernameError400 | SignInUsernameError401 | SignInUsernameError403 | SignInUsernameError413 | SignInUsernameError415 | SignInUsernameError422 | SignInUsernameError429 | SignInUsernameError503 | None:
    """ Better Auth's username sign-in: as [`sign_in`], by username only.

    Args:
        body (SignInUsernameBody): Sign-in body for `/sign-in/username`. Example: {'password':
            'correct-horse-battery', 'username': 'al_99'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        SignInResponse | SignInUsernameError400 | SignInUsernameError401 | SignInUsernameError403 | SignInUsernameError413 | SignInUsernameError415 | SignInUsernameError422 | SignInUsernameError429 | SignInUsernameError503
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
