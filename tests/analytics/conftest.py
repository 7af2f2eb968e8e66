"""Session fixtures: one simulated campaign, stored once, and its pandas frame."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from analytics_helpers import CONFIG, events_frame, uuid_key

from openreel.analytics.duckdb_store import DuckDBEventStore
from openreel.analytics.simulate import Simulation, simulate


@pytest.fixture(scope="session")
def sim() -> Simulation:
    return simulate(CONFIG)


@pytest.fixture(scope="session")
def loaded(sim: Simulation) -> Iterator[DuckDBEventStore]:
    store = DuckDBEventStore(None)
    store.insert(sim.columns, milestones=False)
    yield store
    store.close()


@pytest.fixture(scope="session")
def frame(sim: Simulation) -> pd.DataFrame:
    """Events of real viewers only (the simulator's own bot list removed)."""
    df = events_frame(sim.columns)
    bots = {uuid_key(b) for b in sim.truth.bot_view_ids}
    return df[~df["view"].isin(bots)].reset_index(drop=True)
