"""The secretariat's outputs: Phụ lục I and II, the report's figures, award lists, charts.

Every number here comes from ``contest_app.services.final.results.compute_results`` (an
``EditionResults``); nothing in this package computes a score. It lays the results out
as the 2019 report does (print page, Word, Excel, CSV, PDF) and rounds once, for display.
"""
