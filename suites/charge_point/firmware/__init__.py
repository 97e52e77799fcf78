"""Charge-point cases: firmware."""
