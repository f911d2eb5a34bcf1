from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.verify_get_error_401 import VerifyGetError401
from ...models.verify_get_error_503 import VerifyGetError503
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    redirect: str | Unset = UNSET,
    x_original_url: None | str | Unset = UNSET,
    x_forwarded_proto: None | str | Unset = UNSET,
    x_forwarded_host: None | str | Unset = UNSET,
    x_forwarded_uri: None | str | Unset = UNSET,

) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(x_original_url, Unset):
        headers["X-Original-URL"] = x_original_url

    if not isinstance(x_forwarded_proto, Unset):
        headers["X-Forwarded-Proto"] = x_forwarded_proto

    if not isinstance(x_forwarded_host, Unset):
        headers["X-Forwarded-Host"] = x_forwarded_host

    if not isinstance(x_forwarded_uri, Unset):
        headers["X-Forwarded-Uri"] = x_forwarded_uri



    

    params: dict[str, Any] = {}

    params["redirect"] = redirect


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/auth/verify",
        "params": params,
    }


    _kwargs["headers"] = headers
    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | VerifyGetError401 | VerifyGetError503 | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
        return response_200

    if response.status_code == 302:
        response_302 = cast(Any, None)
        return response_302

    if response.status_code == 401:
        response_401 = VerifyGetError401.from_dict(response.json())



        return response_401

    if response.status_code == 503:
        response_503 = VerifyGetError503.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | VerifyGetError401 | VerifyGetError503]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    redirect: str | Unset = UNSET,
    x_original_url: None | str | Unset = UNSET,
    x_forwarded_proto: None | str | Unset = UNSET,
    x_forwarded_host: None | str | Unset = UNSET,
    x_forwarded_uri: None | str | Unset = UNSET,

) -> Response[Any | VerifyGetError401 | VerifyGetError503]:
    """ Check the session of a request a reverse proxy forwards.

     200 with `X-Auth-User-Id`, `X-Auth-User-Email`, `X-Auth-User-Name` and `X-Auth-Session-Id`
    (always all four) when the cookie or bearer token names a valid session. Otherwise 401 with
    `WWW-Authenticate`, or, when `GATEHOUSE_SIGN_IN_URL` is set and the request is a browser
    navigation (or asks with `redirect=1`), a 302 to the sign-in page carrying the original URL
    when its origin is trusted.

    Args:
        redirect (str | Unset):
        x_original_url (None | str | Unset):
        x_forwarded_proto (None | str | Unset):
        x_forwarded_host (None | str | Unset):
        x_forwarded_uri (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | VerifyGetError401 | VerifyGetError503]
     """


    kwargs = _get_kwargs(
        redirect=redirect,
x_original_url=x_original_url,
x_forwarded_proto=x_forwarded_proto,
x_forwarded_host=x_forwarded_host,
x_forwarded_uri=x_forwarded_uri,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    redirect: str | Unset = UNSET,
    x_original_url: None | str | Unset = UNSET,
    x_forwarded_proto: None | str | Unset = UNSET,
    x_forwarded_host: None | str | Unset = UNSET,
    x_forwarded_uri: None | str | Unset = UNSET,

) -> Any | VerifyGetError401 | VerifyGetError503 | None:
    """ Check the session of a request a reverse proxy forwards.

     200 with `X-Auth-User-Id`, `X-Auth-User-Email`, `X-Auth-User-Name` and `X-Auth-Session-Id`
    (always all four) when the cookie or bearer token names a valid session. Otherwise 401 with
    `WWW-Authenticate`, or, when `GATEHOUSE_SIGN_IN_URL` is set and the request is a browser
    navigation (or asks with `redirect=1`), a 302 to the sign-in page carrying the original URL
    when its origin is trusted.

    Args:
        redirect (str | Unset):
        x_original_url (None | str | Unset):
        x_forwarded_proto (None | str | Unset):
        x_forwarded_host (None | str | Unset):
        x_forwarded_uri (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | VerifyGetError401 | VerifyGetError503
     """


    return sync_detailed(
        client=client,
redirect=redirect,
x_original_url=x_original_url,
x_forwarded_proto=x_forwarded_proto,
x_forwarded_host=x_forwarded_host,
x_forwarded_uri=x_forwarded_uri,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    redirect: str | Unset = UNSET,
    x_original_url: None | str | Unset = UNSET,
    x_forwarded_proto: None | str | Unset = UNSET,
    x_forwarded_host: None | str | Unset = UNSET,
    x_forwarded_uri: None | str | Unset = UNSET,

) -> Response[Any | VerifyGetError401 | VerifyGetError503]:
    """ Check the session of a request a reverse proxy forwards.

     200 with `X-Auth-User-Id`, `X-Auth-User-Email`, `X-Auth-User-Name` and `X-Auth-Session-Id`
    (always all four) when the cookie or bearer token names a valid session. Otherwise 401 with
    `WWW-Authenticate`, or, when `GATEHOUSE_SIGN_IN_URL` is set and the request is a browser
    navigation (or asks with `redirect=1`), a 302 to the sign-in page carrying the original URL
    when its origin is trusted.

    Args:
        redirect (str | Unset):
        x_original_url (None | str | Unset):
        x_forwarded_proto (None | str | Unset):
        x_forwarded_host (None | str | Unset):
        x_forwarded_uri (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | VerifyGetError401 | VerifyGetError503]
     """


    kwargs = _get_kwargs(
        redirect=redirect,
x_original_url=x_original_url,
x_forwarded_proto=x_forwarded_proto,
x_forwarded_host=x_forwarded_host,
x_forwarded_uri=x_forwarded_uri,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    redirect: str | Unset = UNSET,
    x_original_url: None | str | Unset = UNSET,
    x_forwarded_proto: None | str | Unset = UNSET,
    x_forwarded_host: None | str | Unset = UNSET,
    x_forwarded_uri: None | str | Unset = UNSET,

) -> Any | VerifyGetError401 | VerifyGetError503 | None:
    """ Check the session of a request a reverse proxy forwards.

     200 with `X-Auth-User-Id`, `X-Auth-User-Email`, `X-Auth-User-Name` and `X-Auth-Session-Id`
    (always all four) when the cookie or bearer token names a valid session. Otherwise 401 with
    `WWW-Authenticate`, or, when `GATEHOUSE_SIGN_IN_URL` is set and the request is a browser
    navigation (or asks with `redirect=1`), a 302 to the sign-in page carrying the original URL
    when its origin is trusted.

    Args:
        redirect (str | Unset):
        x_original_url (None | str | Unset):
        x_forwarded_proto (None | str | Unset):
        x_forwarded_host (None | str | Unset):
        x_forwarded_uri (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | VerifyGetError401 | VerifyGetError503
     """


    return (await asyncio_detailed(
        client=client,
redirect=redirect,
x_original_url=x_original_url,
x_forwarded_proto=x_forwarded_proto,
x_forwarded_host=x_forwarded_host,
x_forwarded_uri=x_forwarded_uri,

    )).parsed
