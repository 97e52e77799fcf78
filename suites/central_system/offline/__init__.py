"""Central-System cases: offline."""
