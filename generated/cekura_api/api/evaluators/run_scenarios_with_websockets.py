from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.run_scenarios_with_websockets import RunScenariosWithWebsockets
from ...models.run_scenarios_with_websockets_response import (
    RunScenariosWithWebsocketsResponse,
)
from ...models.run_scenarios_with_websockets_response_400 import (
    RunScenariosWithWebsocketsResponse400,
)
from ...types import Response


def _get_kwargs(
    *,
    body: RunScenariosWithWebsockets,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/test_framework/v1/scenarios/run_scenarios_with_websockets/",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> RunScenariosWithWebsocketsResponse | RunScenariosWithWebsocketsResponse400 | None:
    if response.status_code == 201:
        response_201 = RunScenariosWithWebsocketsResponse.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = RunScenariosWithWebsocketsResponse400.from_dict(response.json())

        return response_400

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[
    RunScenariosWithWebsocketsResponse | RunScenariosWithWebsocketsResponse400
]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: RunScenariosWithWebsockets,
) -> Response[
    RunScenariosWithWebsocketsResponse | RunScenariosWithWebsocketsResponse400
]:
    """Start one batch of evaluator conversations, each scenario with its own websocket URL

     Starts one result: every listed scenario is run `frequency` times, so the batch holds len(scenarios)
    x frequency conversations. A scenario may name the websocket URL its conversations dial; one without
    a URL uses the URL configured on the agent. `frequency` has no default. The answer is the new result
    with its runs, usually still running; clients follow it through the results operation until its
    status is terminal. The result's run_type may read Text for these runs.

    Args:
        body (RunScenariosWithWebsockets):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[RunScenariosWithWebsocketsResponse | RunScenariosWithWebsocketsResponse400]
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
    client: AuthenticatedClient,
    body: RunScenariosWithWebsockets,
) -> RunScenariosWithWebsocketsResponse | RunScenariosWithWebsocketsResponse400 | None:
    """Start one batch of evaluator conversations, each scenario with its own websocket URL

     Starts one result: every listed scenario is run `frequency` times, so the batch holds len(scenarios)
    x frequency conversations. A scenario may name the websocket URL its conversations dial; one without
    a URL uses the URL configured on the agent. `frequency` has no default. The answer is the new result
    with its runs, usually still running; clients follow it through the results operation until its
    status is terminal. The result's run_type may read Text for these runs.

    Args:
        body (RunScenariosWithWebsockets):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        RunScenariosWithWebsocketsResponse | RunScenariosWithWebsocketsResponse400
    """

    return sync_detailed(
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: RunScenariosWithWebsockets,
) -> Response[
    RunScenariosWithWebsocketsResponse | RunScenariosWithWebsocketsResponse400
]:
    """Start one batch of evaluator conversations, each scenario with its own websocket URL

     Starts one result: every listed scenario is run `frequency` times, so the batch holds len(scenarios)
    x frequency conversations. A scenario may name the websocket URL its conversations dial; one without
    a URL uses the URL configured on the agent. `frequency` has no default. The answer is the new result
    with its runs, usually still running; clients follow it through the results operation until its
    status is terminal. The result's run_type may read Text for these runs.

    Args:
        body (RunScenariosWithWebsockets):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[RunScenariosWithWebsocketsResponse | RunScenariosWithWebsocketsResponse400]
    """

    kwargs = _get_kwargs(
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: RunScenariosWithWebsockets,
) -> RunScenariosWithWebsocketsResponse | RunScenariosWithWebsocketsResponse400 | None:
    """Start one batch of evaluator conversations, each scenario with its own websocket URL

     Starts one result: every listed scenario is run `frequency` times, so the batch holds len(scenarios)
    x frequency conversations. A scenario may name the websocket URL its conversations dial; one without
    a URL uses the URL configured on the agent. `frequency` has no default. The answer is the new result
    with its runs, usually still running; clients follow it through the results operation until its
    status is terminal. The result's run_type may read Text for these runs.

    Args:
        body (RunScenariosWithWebsockets):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        RunScenariosWithWebsocketsResponse | RunScenariosWithWebsocketsResponse400
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
        )
    ).parsed
