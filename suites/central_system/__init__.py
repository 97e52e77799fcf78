"""Central-System cases: the SUT is a Central System, the harness plays charge points."""
