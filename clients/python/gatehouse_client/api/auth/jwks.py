from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.jwks_error_404 import JwksError404
from ...models.jwks_response_200 import JwksResponse200
from typing import cast



def _get_kwargs(
    
) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/auth/jwks",
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> JwksError404 | JwksResponse200 | None:
    if response.status_code == 200:
        response_200 = JwksResponse200.from_dict(response.json())



        return response_200

    if response.status_code == 404:
        response_404 = JwksError404.from_dict(response.json())



        return response_404

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[JwksError404 | JwksResponse200]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,

) -> Response[JwksError404 | JwksResponse200]:
    """ The JSON Web Key Set of the EdDSA signing keys (the current one and those in
    `GATEHOUSE_JWT_KEYS_OLD`).

     404 unless the jwt strategy signs with an Ed25519 key: an HS256 secret is never published.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[JwksError404 | JwksResponse200]
     """


    kwargs = _get_kwargs(
        
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient | Client,

) -> JwksError404 | JwksResponse200 | None:
    """ The JSON Web Key Set of the EdDSA signing keys (the current one and those in
    `GATEHOUSE_JWT_KEYS_OLD`).

     404 unless the jwt strategy signs with an Ed25519 key: an HS256 secret is never published.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        JwksError404 | JwksResponse200
     """


    return sync_detailed(
        client=client,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,

) -> Response[JwksError404 | JwksResponse200]:
    """ The JSON Web Key Set of the EdDSA signing keys (the current one and those in
    `GATEHOUSE_JWT_KEYS_OLD`).

     404 unless the jwt strategy signs with an Ed25519 key: an HS256 secret is never published.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[JwksError404 | JwksResponse200]
     """


    kwargs = _get_kwargs(
        
    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient | Client,

) -> JwksError404 | JwksResponse200 | None:
    """ The JSON Web Key Set of the EdDSA signing keys (the current one and those in
    `GATEHOUSE_JWT_KEYS_OLD`).

     404 unless the jwt strategy signs with an Ed25519 key: an HS256 secret is never published.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        JwksError404 | JwksResponse200
     """


    return (await asyncio_detailed(
        client=client,

    )).parsed
