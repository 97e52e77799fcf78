"""Central-System cases: firmware."""
