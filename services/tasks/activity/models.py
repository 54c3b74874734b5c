"""What the tasks service has published to metrics, figure by figure: each change is sent once, with a version."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel
from sqlmodel import Field

from kit.fields import utcnow
from kit.query import Page
from services.tasks.db import TasksModel


class ActivityMeasure(StrEnum):
    """The activity and input data Effekt's own work yields, per month (UTC)."""

    runs_finished = "runs_finished"  # of a workflow template (key: its id): the blog template's are articles
    tasks_done = "tasks_done"
    tasks_on_time = "tasks_on_time"  # share (%) of the tasks done by their due day
    hours_logged = "hours_logged"  # the tasks' time log (key: a template's id for its runs' tasks, 0: all)
    action_cost = "action_cost"  # cost of the actions done


class PublishedFigure(TasksModel, table=True):
    """The last value of a figure handed to the metrics queue, and how often it changed (its version)."""

    __tablename__ = "activity_published"

    workspace_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    measure: str = Field(primary_key=True, max_length=32)
    key: int = Field(default=0, primary_key=True, sa_column_kwargs={"autoincrement": False})
    month: date = Field(primary_key=True)
    value: float | None = None
    version: int = 1
    published_at: datetime = Field(default_factory=utcnow)


class FigurePublic(BaseModel):
    """One month's figure of the workspace's own work, as the tasks service last handed it to metrics."""

    measure: ActivityMeasure
    key: int = Field(description="The workflow template's id for per-template figures; 0 for the workspace's")
    month: date
    value: float | None = Field(description="None: the figure went away (its runs or entries were removed)")
    version: int = Field(description="How often the figure changed; metrics applies each version once")
    published_at: datetime


class FigureList(Page[FigurePublic]):
    pass
