"""Central-System cases: reservation."""
