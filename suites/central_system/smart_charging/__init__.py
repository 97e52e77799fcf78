"""Central-System cases: smart charging."""
