from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.sign_up_body import SignUpBody
from ...models.sign_up_error_400 import SignUpError400
from ...models.sign_up_error_403 import SignUpError403
from ...models.sign_up_error_413 import SignUpError413
from ...models.sign_up_error_415 import SignUpError415
from ...models.sign_up_error_422 import SignUpError422
from ...models.sign_up_error_429 import SignUpError429
from ...models.sign_up_error_503 import SignUpError503
from ...models.sign_up_response import SignUpResponse
from typing import cast



def _get_kwargs(
    *,
    body: SignUpBody,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}


    

    

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/api/auth/sign-up",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> SignUpError400 | SignUpError403 | SignUpError413 | SignUpError415 | SignUpError422 | SignUpError429 | SignUpError503 | SignUpResponse | None:
    if response.status_code == 200:
        response_200 = SignUpResponse.from_dict(response.json())



        return response_200

    if response.status_code == 400:
        response_400 = SignUpError400.from_dict(response.json())



        return response_400

    if response.status_code == 403:
        response_403 = SignUpError403.from_dict(response.json())



        return response_403

    if response.status_code == 413:
        response_413 = SignUpError413.from_dict(response.json())



        return response_413

    if response.status_code == 415:
        response_415 = SignUpError415.from_dict(response.json())



        return response_415

    if response.status_code == 422:
        response_422 = SignUpError422.from_dict(response.json())



        return response_422

    if response.status_code == 429:
        response_429 = SignUpError429.from_dict(response.json())



        return response_429

    if response.status_code == 503:
        response_503 = SignUpError503.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[SignUpError400 | SignUpError403 | SignUpError413 | SignUpError415 | SignUpError422 | SignUpError429 | SignUpError503 | SignUpResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SignUpBody,

) -> Response[SignUpError400 | SignUpError403 | SignUpError413 | SignUpError415 | SignUpError422 | SignUpError429 | SignUpError503 | SignUpResponse]:
    """ Create a user with an email and password, and sign them in.

     Answers with the session token in the body, in the session cookie and (signed) in
    `set-auth-token`.

    Args:
        body (SignUpBody): Sign-up body. Unknown fields are ignored; `null` for an optional field
            is a type error. Example: {'email': 'al@example.com', 'name': 'Al', 'password': 'correct-
            horse-battery', 'username': 'al_99'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[SignUpError400 | SignUpError403 | SignUpError413 | SignUpError415 | SignUpError422 | SignUpError429 | SignUpError503 | SignUpResponse]
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
    body: SignUpBody,

) -> SignUpError400 | SignUpError403 | SignUpError413 | SignUpError415 | SignUpError422 | SignUpError429 | SignUpError503 | SignUpResponse | None:
    """ Create a user with an email and password, and sign them in.

     Answers with the session token in the body, in the session cookie and (signed) in
    `set-auth-token`.

    Args:
        body (SignUpBody): Sign-up body. Unknown fields are ignored; `null` for an optional field
            is a type error. Example: {'email': 'al@example.com', 'name': 'Al', 'password': 'correct-
            horse-battery', 'username': 'al_99'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        SignUpError400 | SignUpError403 | SignUpError413 | SignUpError415 | SignUpError422 | SignUpError429 | SignUpError503 | SignUpResponse
     """


    return sync_detailed(
        client=client,
body=body,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: SignUpBody,

) -> Response[SignUpError400 | SignUpError403 | SignUpError413 | SignUpError415 | SignUpError422 | SignUpError429 | SignUpError503 | SignUpResponse]:
    """ Create a user with an email and password, and sign them in.

     Answers with the session token in the body, in the session cookie and (signed) in
    `set-auth-token`.

    Args:
        body (SignUpBody): Sign-up body. Unknown fields are ignored; `null` for an optional field
            is a type error. Example: {'email': 'al@example.com', 'name': 'Al', 'password': 'correct-
            horse-battery', 'username': 'al_99'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[SignUpError400 | SignUpError403 | SignUpError413 | SignUpError415 | SignUpError422 | SignUpError429 | SignUpError503 | SignUpResponse]
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
    body: SignUpBody,

) -> SignUpError400 | SignUpError403 | SignUpError413 | SignUpError415 | SignUpError422 | SignUpError429 | SignUpError503 | SignUpResponse | None:
    """ Create a user with an email and password, and sign them in.

     Answers with the session token in the body, in the session cookie and (signed) in
    `set-auth-token`.

    Args:
        body (SignUpBody): Sign-up body. Unknown fields are ignored; `null` for an optional field
            is a type error. Example: {'email': 'al@example.com', 'name': 'Al', 'password': 'correct-
            horse-battery', 'username': 'al_99'}.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        SignUpError400 | SignUpError403 | SignUpError413 | SignUpError415 | SignUpError422 | SignUpError429 | SignUpError503 | SignUpResponse
     """


    return (await asyncio_detailed(
        client=client,
body=body,

    )).parsed
