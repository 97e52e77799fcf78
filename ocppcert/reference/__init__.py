"""The reference Central System and charge point: what the suite tests itself against."""
