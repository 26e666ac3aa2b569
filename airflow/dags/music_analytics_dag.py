"""The Airflow DAG `music_analytics_etl`: one pipeline run a day, one task per stage.

    extract >> transform >> quality_lake >> stage >> quality_warehouse >> load >> insights >> end

A run processes the day of its logical date, `ds` (a scheduled or backfill run: its data interval
start; the `date` param overrides it; a manual run with neither: yesterday, UTC). Each task is a
call into music_analytics.stepwise, which carries out pipeline.STEPS, the steps the Prefect flow
runs, in the same order; nothing here decides anything about the data. XCom carries the run id,
the report's path and the final status: nothing else.

Configuration is the pipeline's own (MUSIC_ANALYTICS_* in the workers' environment, or an INI
file: the `config_file` param), resolved in each task. The warehouse can instead come from an
Airflow Connection (the `warehouse_conn_id` param, e.g. a postgres or redshift connection): its
password is read in the task and masked by Airflow and the pipeline alike; it is never a param,
an XCom or a rendered template.

Retries: transient errors only (music_analytics.errors.is_transient), as the Prefect tasks; any
other error fails the task at once. `end` always runs: a run that stopped is recorded failed in
the run ledger and gives its turn on the warehouse up. docs/airflow.md has the rest.

Only airflow.sdk and music_analytics.errors (no dependencies) are imported when the file is parsed
(the DAG processor parses it every few minutes); the pipeline is imported by the tasks.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from airflow.sdk import CronDataIntervalTimetable, Param, dag, get_current_context, task, teardown
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from music_analytics.errors import TRANSIENT_RETRIES, TRANSIENT_RETRY_DELAYS

if TYPE_CHECKING:
    from music_analytics.config import Config

log = logging.getLogger("music_analytics.airflow")

# TRANSIENT_RETRY_DELAYS (2, 10, 30 s) as Airflow's exponential backoff: 2 s x 5 ** (retry - 1), at most 30 s.
RETRYING: dict[str, Any] = {
    "retries": TRANSIENT_RETRIES,
    "retry_delay": dt.timedelta(seconds=TRANSIENT_RETRY_DELAYS[0]),
    "retry_exponential_backoff": TRANSIENT_RETRY_DELAYS[1] / TRANSIENT_RETRY_DELAYS[0],
    "max_retry_delay": dt.timedelta(seconds=TRANSIENT_RETRY_DELAYS[-1]),
}


def _config() -> Config:
    """The task's configuration: INI (config_file param) < MUSIC_ANALYTICS_* < the warehouse connection,
    for the run's day."""
    from music_analytics.config import load_config

    context = get_current_context()
    params = context["params"]
    day = _day(context)
    flags: dict[str, Any] = {"start": day, "end": day}
    if params.get("warehouse_conn_id"):
        flags["warehouse"] = _warehouse_url(str(params["warehouse_conn_id"]))
    return load_config(params.get("config_file") or None, **flags)


def _day(context: Any) -> dt.date:
    """The day the run loads: the `date` param, else `ds` (the logical date: a scheduled or backfill
    run's data interval start; `airflow dags test ... 2018-11-15` the 15th, though Airflow infers a
    manual run's interval as the day before it), else (a manual run with no logical date) yesterday, UTC."""
    given = context["params"].get("date")
    if given:
        return dt.date.fromisoformat(str(given))
    start = context.get("logical_date") or context.get("data_interval_start")
    if start is not None:
        return dt.date(start.year, start.month, start.day)
    return dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)


def _warehouse_url(conn_id: str) -> str:
    """An Airflow Connection as a warehouse URL (postgres -> postgresql://, redshift -> redshift://)."""
    from airflow.sdk import Connection

    from music_analytics import secrets

    conn = Connection.get(conn_id)
    if conn.password:
        secrets.register(conn.password)  # Airflow masks it in the task log; the pipeline in its own text
    return str(conn.get_uri()).split("?", 1)[0]  # the connection's extras are not warehouse settings


def _owner() -> str:
    context = get_current_context()
    return f"Airflow {context['dag'].dag_id} run {context['run_id']}"


def _run_id() -> str:
    """The pipeline's run id of this DAG run: the same in every task (`end` needs it when extract failed),
    within the ledger's alphabet (a DAG run id has '+' and may be any text)."""
    import hashlib
    import re

    dag_run = str(get_current_context()["run_id"])
    safe = re.sub(r"[^A-Za-z0-9_.:-]", "_", dag_run)
    return f"airflow-{safe}" if len(safe) <= 56 else f"airflow-{hashlib.sha256(dag_run.encode()).hexdigest()[:56]}"


def _guarded(call: Callable[[], Any]) -> Any:
    """Call into the pipeline (the configuration resolved inside: a bad setting is an error like any
    other): nothing to do skips the task, a transient error is retried, any other fails it at once."""
    from music_analytics import secrets
    from music_analytics.errors import is_transient
    from music_analytics.stepwise import NothingToDo

    try:
        return call()
    except NothingToDo as exc:
        raise AirflowSkipException(str(exc)) from None
    except Exception as exc:
        if is_transient(exc):
            raise
        raise AirflowFailException(secrets.redact(f"{type(exc).__name__}: {exc}")) from exc


@dag(
    dag_id="music_analytics_etl",
    # @daily with data intervals: the run at midnight of the 16th loads the 15th (its data interval
    # start, `ds`), whose log file is complete by then; a bare "@daily" would load the 16th at 00:00.
    schedule=CronDataIntervalTimetable("@daily", timezone="UTC"),
    start_date=dt.datetime(2018, 11, 1, tzinfo=dt.UTC),
    catchup=False,  # a backfill of a range: `airflow backfill create` (README); catchup=True works too
    max_active_runs=1,
    default_args=RETRYING,
    params={
        "date": Param(None, type=["null", "string"], format="date", description="the day to load (default: ds)"),
        "warehouse_conn_id": Param(
            None,
            type=["null", "string"],
            description="an Airflow Connection (postgres, redshift) as the warehouse (default: the settings)",
        ),
        "config_file": Param(None, type=["null", "string"], description="an INI file on the workers"),
    },
    tags=["music-analytics"],
    doc_md=__doc__,
)
def music_analytics_etl() -> None:
    @task
    def extract() -> str:
        """Lock, schema, the run ledger's row, the plan: which of the day's files are new or changed."""
        from music_analytics import stepwise

        return str(_guarded(lambda: stepwise.start(_config(), _owner(), _run_id(), log.info)))

    def step(name: str, doc: str) -> Any:
        def run(pipeline_run: str) -> None:
            from music_analytics import stepwise

            _guarded(lambda: stepwise.step(_config(), pipeline_run, name, log.info))

        run.__doc__ = doc
        return task(task_id=name)(run)

    @task(trigger_rule="none_failed")
    def insights(pipeline_run: str) -> str | None:
        """The insights report over the whole warehouse, when the run loaded something (or there is none)."""
        from music_analytics import stepwise

        outcome = _guarded(lambda: stepwise.insights(_config(), pipeline_run, log.info))
        if outcome is None:
            return None
        log.info("insights report: %s%s", outcome.html, f" ({outcome.skipped})" if outcome.skipped else "")
        return str(outcome.html) if outcome.html else None

    @teardown
    def end() -> str:
        """Always: a run that stopped is recorded failed and gives the warehouse up; its state is removed."""
        from music_analytics import stepwise

        return str(_guarded(lambda: stepwise.end(_config(), _run_id(), log.info)))

    run = extract()  # every later task gets the run id from extract's XCom (a skipped task has none)
    last: Any = run
    for name, doc in (
        ("transform", "The day's new and changed files -> the run's lake batch (Parquet + rejected records)."),
        ("quality_lake", "Quality gate 1 on the lake batch (Great Expectations): a critical failure stops here."),
        ("stage", "The lake batch into the warehouse's staging tables."),
        ("quality_warehouse", "Quality gate 2 on the staged rows, before anything is published."),
        ("load", "The one-transaction merge into the star schema, then the batch into the lake."),
    ):
        current = step(name, doc)(run)
        last >> current
        last = current
    report = insights(run)
    last >> report >> end()


music_analytics_etl()
