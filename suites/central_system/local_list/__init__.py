"""Central-System cases: local list."""
