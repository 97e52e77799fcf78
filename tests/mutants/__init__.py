"""Mutants: the reference implementations with one seeded defect each.

Each names, in ``KILLS``, the case ids that must FAIL against it. They live here, never in
the reference code.
"""
