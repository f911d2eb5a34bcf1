from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...types import Response, UNSET
from ... import errors

from ...models.get_session_error_503 import GetSessionError503
from ...models.session_response import SessionResponse
from ...types import UNSET, Unset
from typing import cast



def _get_kwargs(
    *,
    disable_cookie_cache: str | Unset = UNSET,
    disable_refresh: str | Unset = UNSET,

) -> dict[str, Any]:
    

    

    params: dict[str, Any] = {}

    params["disableCookieCache"] = disable_cookie_cache

    params["disableRefresh"] = disable_refresh


    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}


    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/api/auth/get-session",
        "params": params,
    }


    return _kwargs



def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> GetSessionError503 | None | SessionResponse | None:
    if response.status_code == 200:
        def _parse_response_200(data: object) -> None | SessionResponse:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                response_200_type_0 = SessionResponse.from_dict(data)



                return response_200_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SessionResponse, data)

        response_200 = _parse_response_200(response.json())

        return response_200

    if response.status_code == 503:
        response_503 = GetSessionError503.from_dict(response.json())



        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[GetSessionError503 | None | SessionResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    disable_cookie_cache: str | Unset = UNSET,
    disable_refresh: str | Unset = UNSET,

) -> Response[GetSessionError503 | None | SessionResponse]:
    """ Read the session of the presented cookie or bearer token.

     200 with the session and its user, or 200 with the body `null` when there is no valid
    session: never 401. A session due for its sliding refresh is extended and its cookie re-sent
    (unless `disableRefresh=true`).

    Args:
        disable_cookie_cache (str | Unset):
        disable_refresh (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetSessionError503 | None | SessionResponse]
     """


    kwargs = _get_kwargs(
        disable_cookie_cache=disable_cookie_cache,
disable_refresh=disable_refresh,

    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)

def sync(
    *,
    client: AuthenticatedClient,
    disable_cookie_cache: str | Unset = UNSET,
    disable_refresh: str | Unset = UNSET,

) -> GetSessionError503 | None | SessionResponse | None:
    """ Read the session of the presented cookie or bearer token.

     200 with the session and its user, or 200 with the body `null` when there is no valid
    session: never 401. A session due for its sliding refresh is extended and its cookie re-sent
    (unless `disableRefresh=true`).

    Args:
        disable_cookie_cache (str | Unset):
        disable_refresh (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetSessionError503 | None | SessionResponse
     """


    return sync_detailed(
        client=client,
disable_cookie_cache=disable_cookie_cache,
disable_refresh=disable_refresh,

    ).parsed

async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    disable_cookie_cache: str | Unset = UNSET,
    disable_refresh: str | Unset = UNSET,

) -> Response[GetSessionError503 | None | SessionResponse]:
    """ Read the session of the presented cookie or bearer token.

     200 with the session and its user, or 200 with the body `null` when there is no valid
    session: never 401. A session due for its sliding refresh is extended and its cookie re-sent
    (unless `disableRefresh=true`).

    Args:
        disable_cookie_cache (str | Unset):
        disable_refresh (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetSessionError503 | None | SessionResponse]
     """


    kwargs = _get_kwargs(
        disable_cookie_cache=disable_cookie_cache,
disable_refresh=disable_refresh,

    )

    response = await client.get_async_httpx_client().request(
        **kwargs
    )

    return _build_response(client=client, response=response)

async def asyncio(
    *,
    client: AuthenticatedClient,
    disable_cookie_cache: str | Unset = UNSET,
    disable_refresh: str | Unset = UNSET,

) -> GetSessionError503 | None | SessionResponse | None:
    """ Read the session of the presented cookie or bearer token.

     200 with the session and its user, or 200 with the body `null` when there is no valid
    session: never 401. A session due for its sliding refresh is extended and its cookie re-sent
    (unless `disableRefresh=true`).

    Args:
        disable_cookie_cache (str | Unset):
        disable_refresh (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetSessionError503 | None | SessionResponse
     """


    return (await asyncio_detailed(
        client=client,
disable_cookie_cache=disable_cookie_cache,
disable_refresh=disable_refresh,

    )).parsed
