"""Charge-point cases: remote trigger."""
