"""In-repo runs get the ocppcert plugin through its pytest11 entry point (pip install -e .).

Nothing else belongs here: fixtures live in ocppcert/plugin.py.
"""
