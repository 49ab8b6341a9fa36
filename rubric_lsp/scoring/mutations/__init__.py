"""Defect transformations for mutation testing a rubric: pure functions from source to twin."""
