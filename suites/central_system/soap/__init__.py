"""Central-System cases: SOAP transport."""
