"""The evaluation dashboard's pre-aggregated figures (kept by `kernel.tallies`).

Both tables hold counts, never who: a row says "`n` people (or careers, referrals…) add this
figure to every period whose first day is in [a_lo, a_hi] and whose last day is in [b_lo,
b_hi]" (days numbered in `kernel.tallies.ZONE`, open ends as `FIRST`/`LAST`). `DashboardValue`
keeps the exact values behind a median (one row per distinct duration), `DashboardTally`
everything else, small enough to be summed whole for any period.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class _Rectangle:
    """The columns of both tables: what, for which rectangle of periods, how many."""

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    figure: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[float] = mapped_column(Float, primary_key=True)
    a_lo: Mapped[int] = mapped_column(Integer, primary_key=True)
    a_hi: Mapped[int] = mapped_column(Integer, primary_key=True)
    b_lo: Mapped[int] = mapped_column(Integer, primary_key=True)
    b_hi: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0)


class DashboardTally(_Rectangle, Base):
    """How many add `figure` (with `value`: an answer, a duration bucket…) to the periods of a
    rectangle, for one scope (every programme `*`, no programme ``, or one programme)."""

    __tablename__ = "dashboard_tallies"


class DashboardValue(_Rectangle, Base):
    """The exact values (durations in seconds) of the figures whose median the dashboard shows,
    and their finer histograms; read only within the one bucket that holds the median (the
    primary key's leading (scope, figure, value) is the index that reads them)."""

    __tablename__ = "dashboard_values"
