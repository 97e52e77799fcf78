"""Central-System cases: commands."""
