from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.sign_in_email_body import SignInEmailBody
from ...models.sign_in_error_400 import SignInError400
from ...models.sign_in_error_401 import SignInError401
from ...models.sign_in_error_403 import SignInError403
from ...models.sign_in_error_413 import SignInError413
from ...models.sign_in_error_415 import SignInError415
from ...models.sign_in_error_422 import SignInError422
from ...models.sign_in_error_429 import SignInError429
from ...models.sign_in_error_503 import SignInError503
from ...models.sign_in_response import SignInResponse
from ...models.sign_in_username_body import SignInUsernameBody
from typing import cast



def _get_kwargs(
    *,
    body: SignInEmailBody | SignInUsernameBody,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/auth/sign-in",
    }

    
    if isinstance(body, SignInEmailBody):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body.to_dict()


    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> SignInError400 | SignInError401 | SignInError403 | SignInError413 | SignInError415 | SignInError422 | SignInError429 | SignInError503 | SignInResponse | None:
    if response.status_code == 200:
        response_200 = SignInResponse.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = SignInError400.from_dict(response.json())



        return response_400

    if response.status_code == 401:
        response_401 = SignInError401.from_dict(response.json())



        return response_401

    if response.status_code == 403:
        response_403 = SignInError403.from_dict(response.json())



        return response_403

    if response.status_code == 413:
        response_413 = SignInError413.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = SignInError415.from_dict(response.json())



        return response_415

    if response.status_code == 422:
        response_422 = SignInError422.from_dict(response.json())



        return response_422

    if response.status_code == 429:
        response_429 = SignInError429.from_dict(response.json())



        return response_429

    if response.status_code == 503:
        response_503 = SignInError503.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[SignInError400 | SignInError401 | SignInError403 | SignInError413 | SignInError415 | SignInError422 | SignInError429 | SignInError503 | SignInResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SignInEmailBody | SignInUsernameBody,

) -> Response[SignInError400 | SignInError401 | SignInError403 | SignInError413 | SignInError415 | SignInError422 | SignInError429 | SignInError503 | SignInResponse]:
    """ Sign in with an email or a username and a password.

     A body with `username` and no `email` takes the username path. Every success creates a new
    session. An unknown identifier and a wrong password get the same answer in the same time.

    Args:
        body (SignInEmailBody | SignInUsernameBody): Sign-in body for `/sign-in`: the email body,
            or the username body without an `email`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[SignInError400 | SignInError401 | SignInError403 | SignInError413 | SignInError415 | SignInError422 | SignInError429 | SignInError503 | SignInResponse]
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
    body: SignInEmailBody | SignInUsernameBody,

) -> SignInError400 | SignInError401 | SignInError403 | SignInError413 | SignInError415 | SignInError422 | SignInError429 | SignInError503 | SignInResponse | None:
    """ Sign in with an email or a username and a password.

     A body with `username` and no `email` takes the username path. Every success creates a new
    session. An unknown identifier and a wrong password get the same answer in the same time.

    Args:
        body (SignInEmailBody | SignInUsernameBody): Sign-in body for `/sign-in`: the email body,
            or the username body without an `email`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        SignInError400 | SignInError401 | SignInError403 | SignInError413 | SignInError415 | SignInError422 | SignInError429 | SignInError503 | SignInResponse
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SignInEmailBody | SignInUsernameBody,

) -> Response[SignInError400 | SignInError401 | SignInError403 | SignInError413 | SignInError415 | SignInError422 | SignInError429 | SignInError503 | SignInResponse]:
    """ Sign in with an email or a username and a password.

     A body with `username` and no `email` takes the username path. Every success creates a new
    session. An unknown identifier and a wrong password get the same answer in the same time.

    Args:
        body (SignInEmailBody | SignInUsernameBody): Sign-in body for `/sign-in`: the email body,
            or the username body without an `email`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[SignInError400 | SignInError401 | SignInError403 | SignInError413 | SignInError415 | SignInError422 | SignInError429 | SignInError503 | SignInResponse]
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
    body: SignInEmailBody | SignInUsernameBody,

) -> SignInError400 | SignInError401 | SignInError403 | SignInError413 | SignInError415 | SignInError422 | SignInError429 | SignInError503 | SignInResponse | None:
    """ Sign in with an email or a username and a password.

     A body with `username` and no `email` takes the username path. Every success creates a new
    session. An unknown identifier and a wrong password get the same answer in the same time.

    Args:
        body (SignInEmailBody | SignInUsernameBody): Sign-in body for `/sign-in`: the email body,
            or the username body without an `email`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        SignInError400 | SignInError401 | SignInError403 | SignInError413 | SignInError415 | SignInError422 | SignInError429 | SignInError503 | SignInResponse
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
