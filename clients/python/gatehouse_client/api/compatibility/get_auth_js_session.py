from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.auth_js_session import AuthJsSession
from ...models.get_auth_js_session_error_503 import GetAuthJsSessionError503
from typing import cast



def _get_kwargs(
    
) -> dict[str, Any]:
    

    

    

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/auth/session",
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> AuthJsSession | None | GetAuthJsSessionError503 | None:
    if response.status_code == 200:
        def _parse_response_200(data: object) -> AuthJsSession | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = AuthJsSession.from_dict(data)



                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuthJsSession | None, data)

        response_200 = _parse_response_200(response.json())

        return response_200

    if response.status_code == 503:
        response_503 = GetAuthJsSessionError503.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[AuthJsSession | None | GetAuthJsSessionError503]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,

) -> Response[AuthJsSession | None | GetAuthJsSessionError503]:
    """ The session in Auth.js's shape, for apps migrating from it.

     Reads the session exactly as get-session does, refresh and cache headers included.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuthJsSession | None | GetAuthJsSessionError503]
     """


    kwargs = _get_kwargs(
        
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,

) -> AuthJsSession | None | GetAuthJsSessionError503 | None:
    """ The session in Auth.js's shape, for apps migrating from it.

     Reads the session exactly as get-session does, refresh and cache headers included.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuthJsSession | None | GetAuthJsSessionError503
     """


    return sync_detailed(
        client=client,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,

) -> Response[AuthJsSession | None | GetAuthJsSessionError503]:
    """ The session in Auth.js's shape, for apps migrating from it.

     Reads the session exactly as get-session does, refresh and cache headers included.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[AuthJsSession | None | GetAuthJsSessionError503]
     """


    kwargs = _get_kwargs(
        
    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,

) -> AuthJsSession | None | GetAuthJsSessionError503 | None:
    """ The session in Auth.js's shape, for apps migrating from it.

     Reads the session exactly as get-session does, refresh and cache headers included.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        AuthJsSession | None | GetAuthJsSessionError503
     """


    return (await asyncio_detailed(
        client=client,

    )).parsed
