"""Central-System cases: remote trigger."""
