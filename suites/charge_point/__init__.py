"""Cases where the SUT is a charge point and the harness plays the Central System."""
