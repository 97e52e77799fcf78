"""Charge-point cases: offline."""
