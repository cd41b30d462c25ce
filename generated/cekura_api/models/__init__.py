"""Contains all the data models used in inputs/outputs"""

from .create_share_link_response_400 import CreateShareLinkResponse400
from .end_calls_response_404 import EndCallsResponse404
from .get_result_response_404 import GetResultResponse404
from .paginated_result_list import PaginatedResultList
from .result import Result
from .result_detail_v2 import ResultDetailV2
from .result_detail_v2_runs import ResultDetailV2Runs
from .result_status import ResultStatus
from .result_status_type_0 import ResultStatusType0
from .run_scenarios_with_websockets import RunScenariosWithWebsockets
from .run_scenarios_with_websockets_response import RunScenariosWithWebsocketsResponse
from .run_scenarios_with_websockets_response_400 import (
    RunScenariosWithWebsocketsResponse400,
)
from .run_scenarios_with_websockets_run import RunScenariosWithWebsocketsRun
from .scenario_with_websocket import ScenarioWithWebsocket
from .schema_create_shareable_link_token_response import (
    SchemaCreateShareableLinkTokenResponse,
)
from .schema_post_create_shareable_link_token import SchemaPostCreateShareableLinkToken
from .submission_status import SubmissionStatus
from .submitted_run_status import SubmittedRunStatus
from .submitted_run_test_profile_data import SubmittedRunTestProfileData

__all__ = (
    "CreateShareLinkResponse400",
    "EndCallsResponse404",
    "GetResultResponse404",
    "PaginatedResultList",
    "Result",
    "ResultDetailV2",
    "ResultDetailV2Runs",
    "ResultStatus",
    "ResultStatusType0",
    "RunScenariosWithWebsockets",
    "RunScenariosWithWebsocketsResponse",
    "RunScenariosWithWebsocketsResponse400",
    "RunScenariosWithWebsocketsRun",
    "ScenarioWithWebsocket",
    "SchemaCreateShareableLinkTokenResponse",
    "SchemaPostCreateShareableLinkToken",
    "SubmissionStatus",
    "SubmittedRunStatus",
    "SubmittedRunTestProfileData",
)
