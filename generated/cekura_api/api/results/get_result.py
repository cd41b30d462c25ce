from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.get_result_response_404 import GetResultResponse404
from ...models.result_detail_v2 import ResultDetailV2
from ...types import Response


def _get_kwargs(
    id: int,
) -> dict[str, Any]:

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/test_framework/v1/results/{id}/".format(
            id=quote(str(id), safe=""),
        ),
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> GetResultResponse404 | ResultDetailV2 | None:
    if response.status_code == 200:
        response_200 = ResultDetailV2.from_dict(response.json())

        return response_200

    if response.status_code == 404:
        response_404 = GetResultResponse404.from_dict(response.json())

        return response_404

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[GetResultResponse404 | ResultDetailV2]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
) -> Response[GetResultResponse404 | ResultDetailV2]:
    """Retrieve a result and its runs

     Reads one result (the batch created by a run request) with its counts and its runs. Clients poll it
    until the status is terminal: completed, failed, timeout or cancelled. Cekura marks this v1 path
    deprecated in favour of a v2 path, but the bulk websocket run still tells clients to poll it.

    Args:
        id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetResultResponse404 | ResultDetailV2]
    """

    kwargs = _get_kwargs(
        id=id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: int,
    *,
    client: AuthenticatedClient,
) -> GetResultResponse404 | ResultDetailV2 | None:
    """Retrieve a result and its runs

     Reads one result (the batch created by a run request) with its counts and its runs. Clients poll it
    until the status is terminal: completed, failed, timeout or cancelled. Cekura marks this v1 path
    deprecated in favour of a v2 path, but the bulk websocket run still tells clients to poll it.

    Args:
        id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetResultResponse404 | ResultDetailV2
    """

    return sync_detailed(
        id=id,
        client=client,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
) -> Response[GetResultResponse404 | ResultDetailV2]:
    """Retrieve a result and its runs

     Reads one result (the batch created by a run request) with its counts and its runs. Clients poll it
    until the status is terminal: completed, failed, timeout or cancelled. Cekura marks this v1 path
    deprecated in favour of a v2 path, but the bulk websocket run still tells clients to poll it.

    Args:
        id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[GetResultResponse404 | ResultDetailV2]
    """

    kwargs = _get_kwargs(
        id=id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
) -> GetResultResponse404 | ResultDetailV2 | None:
    """Retrieve a result and its runs

     Reads one result (the batch created by a run request) with its counts and its runs. Clients poll it
    until the status is terminal: completed, failed, timeout or cancelled. Cekura marks this v1 path
    deprecated in favour of a v2 path, but the bulk websocket run still tells clients to poll it.

    Args:
        id (int):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        GetResultResponse404 | ResultDetailV2
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
        )
    ).parsed
