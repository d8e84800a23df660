"""Fixtures of the reports tests: the 2019 demo's results and appendices."""
from __future__ import annotations

import pytest

from contest_app.reports.appendix import build_appendices
from contest_app.services.final.results import compute_results


@pytest.fixture
def results_2019(demo):
    return compute_results(demo)


@pytest.fixture
def appendices_2019(results_2019):
    return build_appendices(results_2019)
