"""Backtests on real decisions: every model scored against observed outcomes (DEU III)."""

from multipolar.backtest.data import DeuData, DeuIssue, load_deu
from multipolar.backtest.leaderboard import Leaderboard, run_backtest

__all__ = ["DeuData", "DeuIssue", "Leaderboard", "load_deu", "run_backtest"]
