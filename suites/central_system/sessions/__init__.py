"""Central-System cases: sessions."""
