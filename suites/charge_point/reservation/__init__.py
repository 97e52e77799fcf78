"""Charge-point cases: reservation."""
