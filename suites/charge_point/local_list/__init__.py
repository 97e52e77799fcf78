"""Charge-point cases: local list."""
