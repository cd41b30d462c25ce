from enum import StrEnum


class ResultStatusType0(StrEnum):
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    EVALUATING = "evaluating"
    FAILED = "failed"
    IN_PROGRESS = "in_progress"
    IN_QUEUE = "in_queue"
    PENDING = "pending"
    RUNNING = "running"
    SCALING_UP = "scaling_up"
    TIMEOUT = "timeout"

    def __str__(self) -> str:
        return str(self.value)
