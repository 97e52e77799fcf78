"""Charge-point cases: smart charging."""
