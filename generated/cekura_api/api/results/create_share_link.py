from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_share_link_response_400 import CreateShareLinkResponse400
from ...models.schema_create_shareable_link_token_response import (
    SchemaCreateShareableLinkTokenResponse,
)
from ...models.schema_post_create_shareable_link_token import (
    SchemaPostCreateShareableLinkToken,
)
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: int,
    *,
    body: SchemaPostCreateShareableLinkToken | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/test_framework/v1/results/{id}/create_shareable_link_token/".format(
            id=quote(str(id), safe=""),
        ),
    }

    if not isinstance(body, Unset):
        _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> CreateShareLinkResponse400 | SchemaCreateShareableLinkTokenResponse | None:
    if response.status_code == 200:
        response_200 = SchemaCreateShareableLinkTokenResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = CreateShareLinkResponse400.from_dict(response.json())

        return response_400

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[CreateShareLinkResponse400 | SchemaCreateShareableLinkTokenResponse]:
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
    body: SchemaPostCreateShareableLinkToken | Unset = UNSET,
) -> Response[CreateShareLinkResponse400 | SchemaCreateShareableLinkTokenResponse]:
    """Make a shareable link to a result

     Makes a link to the result that anyone holding it can open, without a key, until expire_at (or for
    good without one). Each call makes a new token: not idempotent.

    Args:
        id (int):
        body (SchemaPostCreateShareableLinkToken | Unset): How long a new shareable link works.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateShareLinkResponse400 | SchemaCreateShareableLinkTokenResponse]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: int,
    *,
    client: AuthenticatedClient,
    body: SchemaPostCreateShareableLinkToken | Unset = UNSET,
) -> CreateShareLinkResponse400 | SchemaCreateShareableLinkTokenResponse | None:
    """Make a shareable link to a result

     Makes a link to the result that anyone holding it can open, without a key, until expire_at (or for
    good without one). Each call makes a new token: not idempotent.

    Args:
        id (int):
        body (SchemaPostCreateShareableLinkToken | Unset): How long a new shareable link works.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateShareLinkResponse400 | SchemaCreateShareableLinkTokenResponse
    """

    return sync_detailed(
        id=id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    id: int,
    *,
    client: AuthenticatedClient,
    body: SchemaPostCreateShareableLinkToken | Unset = UNSET,
) -> Response[CreateShareLinkResponse400 | SchemaCreateShareableLinkTokenResponse]:
    """Make a shareable link to a result

     Makes a link to the result that anyone holding it can open, without a key, until expire_at (or for
    good without one). Each call makes a new token: not idempotent.

    Args:
        id (int):
        body (SchemaPostCreateShareableLinkToken | Unset): How long a new shareable link works.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[CreateShareLinkResponse400 | SchemaCreateShareableLinkTokenResponse]
    """

    kwargs = _get_kwargs(
        id=id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: int,
    *,
    client: AuthenticatedClient,
    body: SchemaPostCreateShareableLinkToken | Unset = UNSET,
) -> CreateShareLinkResponse400 | SchemaCreateShareableLinkTokenResponse | None:
    """Make a shareable link to a result

     Makes a link to the result that anyone holding it can open, without a key, until expire_at (or for
    good without one). Each call makes a new token: not idempotent.

    Args:
        id (int):
        body (SchemaPostCreateShareableLinkToken | Unset): How long a new shareable link works.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        CreateShareLinkResponse400 | SchemaCreateShareableLinkTokenResponse
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            body=body,
        )
    ).parsed
