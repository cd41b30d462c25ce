from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.paginated_result_list import PaginatedResultList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    page: int | Unset = UNSET,
    page_size: int | Unset = UNSET,
    agent_id: int | Unset = UNSET,
    project_id: int | Unset = UNSET,
    search: str | Unset = UNSET,
    scenarios: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["page"] = page

    params["page_size"] = page_size

    params["agent_id"] = agent_id

    params["project_id"] = project_id

    params["search"] = search

    params["scenarios"] = scenarios

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/test_framework/v1/results/",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> PaginatedResultList | None:
    if response.status_code == 200:
        response_200 = PaginatedResultList.from_dict(response.json())

        return response_200

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[PaginatedResultList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    page_size: int | Unset = UNSET,
    agent_id: int | Unset = UNSET,
    project_id: int | Unset = UNSET,
    search: str | Unset = UNSET,
    scenarios: str | Unset = UNSET,
) -> Response[PaginatedResultList]:
    """Lists the results visible to the API key, newest first, one page at a time (count, next, previous,
    results). Each entry carries the result's status and counts, like the detail, but its run summaries
    are a list rather than an object keyed by run id, and its success rate is a fraction between 0 and
    1. Cekura marks this path deprecated without a published replacement.

    Args:
        page (int | Unset):
        page_size (int | Unset):
        agent_id (int | Unset):
        project_id (int | Unset):
        search (str | Unset):
        scenarios (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaginatedResultList]
    """

    kwargs = _get_kwargs(
        page=page,
        page_size=page_size,
        agent_id=agent_id,
        project_id=project_id,
        search=search,
        scenarios=scenarios,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    page_size: int | Unset = UNSET,
    agent_id: int | Unset = UNSET,
    project_id: int | Unset = UNSET,
    search: str | Unset = UNSET,
    scenarios: str | Unset = UNSET,
) -> PaginatedResultList | None:
    """Lists the results visible to the API key, newest first, one page at a time (count, next, previous,
    results). Each entry carries the result's status and counts, like the detail, but its run summaries
    are a list rather than an object keyed by run id, and its success rate is a fraction between 0 and
    1. Cekura marks this path deprecated without a published replacement.

    Args:
        page (int | Unset):
        page_size (int | Unset):
        agent_id (int | Unset):
        project_id (int | Unset):
        search (str | Unset):
        scenarios (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaginatedResultList
    """

    return sync_detailed(
        client=client,
        page=page,
        page_size=page_size,
        agent_id=agent_id,
        project_id=project_id,
        search=search,
        scenarios=scenarios,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    page_size: int | Unset = UNSET,
    agent_id: int | Unset = UNSET,
    project_id: int | Unset = UNSET,
    search: str | Unset = UNSET,
    scenarios: str | Unset = UNSET,
) -> Response[PaginatedResultList]:
    """Lists the results visible to the API key, newest first, one page at a time (count, next, previous,
    results). Each entry carries the result's status and counts, like the detail, but its run summaries
    are a list rather than an object keyed by run id, and its success rate is a fraction between 0 and
    1. Cekura marks this path deprecated without a published replacement.

    Args:
        page (int | Unset):
        page_size (int | Unset):
        agent_id (int | Unset):
        project_id (int | Unset):
        search (str | Unset):
        scenarios (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaginatedResultList]
    """

    kwargs = _get_kwargs(
        page=page,
        page_size=page_size,
        agent_id=agent_id,
        project_id=project_id,
        search=search,
        scenarios=scenarios,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    page: int | Unset = UNSET,
    page_size: int | Unset = UNSET,
    agent_id: int | Unset = UNSET,
    project_id: int | Unset = UNSET,
    search: str | Unset = UNSET,
    scenarios: str | Unset = UNSET,
) -> PaginatedResultList | None:
    """Lists the results visible to the API key, newest first, one page at a time (count, next, previous,
    results). Each entry carries the result's status and counts, like the detail, but its run summaries
    are a list rather than an object keyed by run id, and its success rate is a fraction between 0 and
    1. Cekura marks this path deprecated without a published replacement.

    Args:
        page (int | Unset):
        page_size (int | Unset):
        agent_id (int | Unset):
        project_id (int | Unset):
        search (str | Unset):
        scenarios (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaginatedResultList
    """

    return (
        await asyncio_detailed(
            client=client,
            page=page,
            page_size=page_size,
            agent_id=agent_id,
            project_id=project_id,
            search=search,
            scenarios=scenarios,
        )
    ).parsed
