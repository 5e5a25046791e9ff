"""Errors the web layer reports: one JSON shape for the API, one page for people."""
from __future__ import annotations

from pydantic import BaseModel, Field


class BadParameters(Exception):
    """Query parameters that parsed but make no sense (e.g. a date range that ends before it starts)."""

    def __init__(self, problems: list[dict]):
        super().__init__("; ".join(f"{p['parameter']}: {p['message']}" for p in problems))
        self.problems = problems


def problem(parameter: str, message: str) -> dict:
    return {"parameter": parameter, "message": message}


def parameter_errors(errors) -> list[dict]:
    """FastAPI's validation errors as ``{"parameter", "message"}`` pairs."""
    out = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("query", "path", "body")]
        out.append(problem(".".join(location) or "request", error.get("msg", "invalid value")))
    return out


class ParameterError(BaseModel):
    parameter: str = Field(description="The query or path parameter at fault.")
    message: str


class ErrorOut(BaseModel):
    """Every API error: its HTTP status and a message a person can act on."""

    status: int
    message: str
    errors: list[ParameterError] | None = Field(None, description="On 422: one entry per bad parameter.")


ERROR_RESPONSES = {
    404: {"model": ErrorOut, "description": "Unknown id"},
    422: {"model": ErrorOut, "description": "Bad parameters"},
}
