"""Scoring a change against a rubric: diff, critics, aggregation and reports."""
