"""Central-System cases: Core profile."""
