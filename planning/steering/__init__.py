"""The steering process: saved views (snapshots), meetings with agendas, comments, decisions and
work orders, and the meeting record.

One module per record type; this package re-exports their public names, so callers write
``from planning import steering as sk`` and ``sk.save_view(...)``:

- :mod:`~planning.steering.common`: the German :class:`SteeringError`, text and revision checks;
- :mod:`~planning.steering.views`: saved views that pin dataset versions and copy the scenario;
- :mod:`~planning.steering.meetings`: meetings, agenda items (TOPs) and their Beschlussvorschlag;
- :mod:`~planning.steering.comments`: comment threads beside a figure;
- :mod:`~planning.steering.decisions`: decisions and their status;
- :mod:`~planning.steering.work_orders`: work orders and the overview for the next meeting;
- :mod:`~planning.steering.record`: the meeting record (minutes).

Times are shown in local time with :func:`planning.formatting.local_time` (re-exported here).
"""

from planning.formatting import LOCAL_TZ, local_time
from planning.steering.comments import (
    DEPARTMENTS,
    CommentInfo,
    add_comment,
    comments_about,
    resolve_thread,
)
from planning.steering.common import SteeringError
from planning.steering.decisions import (
    DECISION_STATUS,
    DecisionInfo,
    add_decision,
    list_decisions,
    update_decision,
)
from planning.steering.meetings import (
    MEETING_STATUS,
    AgendaEntry,
    MeetingInfo,
    add_agenda_item,
    create_meeting,
    get_meeting,
    list_meetings,
    mark_shown,
    move_agenda_item,
    remove_agenda_item,
    set_proposal,
    update_meeting,
)
from planning.steering.record import MeetingRecord, meeting_record
from planning.steering.views import (
    BASE_URL_ENV,
    View,
    frozen_scenario,
    get_view,
    list_views,
    save_view,
    scenario_record,
)
from planning.steering.work_orders import (
    GROUPS,
    ORDER_CLOSED,
    ORDER_STATUS,
    OrderOverview,
    WorkOrderInfo,
    add_work_order,
    list_work_orders,
    order_overview,
    update_work_order,
)

__all__ = [
    "BASE_URL_ENV",
    "DECISION_STATUS",
    "DEPARTMENTS",
    "GROUPS",
    "LOCAL_TZ",
    "MEETING_STATUS",
    "ORDER_CLOSED",
    "ORDER_STATUS",
    "AgendaEntry",
    "CommentInfo",
    "DecisionInfo",
    "MeetingInfo",
    "MeetingRecord",
    "OrderOverview",
    "SteeringError",
    "View",
    "WorkOrderInfo",
    "add_agenda_item",
    "add_comment",
    "add_decision",
    "add_work_order",
    "comments_about",
    "create_meeting",
    "frozen_scenario",
    "get_meeting",
    "get_view",
    "list_decisions",
    "list_meetings",
    "list_views",
    "list_work_orders",
    "local_time",
    "mark_shown",
    "meeting_record",
    "move_agenda_item",
    "order_overview",
    "remove_agenda_item",
    "resolve_thread",
    "save_view",
    "scenario_record",
    "set_proposal",
    "update_decision",
    "update_meeting",
    "update_work_order",
]
